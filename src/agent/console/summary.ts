/** The end-of-call summary the console prints, computed from the session payload. */
import type { SessionPayload } from '../../schema/index.js';

const fmtMs = (v: number | null | undefined) =>
  v === null || v === undefined ? 'n/a' : `${Math.round(v)} ms`;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function formatSummary(p: SessionPayload): string {
  const lines: string[] = [];
  lines.push(`── session ${p.session_id} ──`);
  lines.push(
    `outcome: ${p.outcome}   stage: ${p.stage.reached}   end: ${p.end_reason}   duration: ${(p.duration_ms / 1000).toFixed(1)} s`,
  );
  const signals = Object.entries(p.signals);
  lines.push(`signals (${signals.length}/5):`);
  for (const [name, s] of signals) {
    const value = Array.isArray(s?.value) ? s.value.join(', ') : String(s?.value);
    lines.push(`  ${name}: ${value}`);
  }
  lines.push(`tools (${p.tool_calls.length}):`);
  for (const t of p.tool_calls) {
    lines.push(
      `  ${t.name} ${t.status}${t.duration_ms !== null ? ` ${fmtMs(t.duration_ms)}` : ''}${t.error ? ` — ${t.error}` : ''}`,
    );
  }
  const ttft = p.turns.map((t) => t.llm_ttft_ms).filter((v): v is number => typeof v === 'number');
  const e2e = p.turns.map((t) => t.e2e_latency_ms).filter((v): v is number => typeof v === 'number');
  lines.push(
    `latency: ${p.turns.length} turns, LLM TTFT median ${fmtMs(median(ttft))}, end-to-end median ${fmtMs(median(e2e))}`,
  );
  const u = p.usage.summary;
  lines.push(
    `usage: ${u.llm_prompt_tokens} prompt + ${u.llm_completion_tokens} completion tokens, ${u.tts_characters_count} TTS chars`,
  );
  if (p.errors.length > 0)
    lines.push(`errors: ${p.errors.map((e) => `${e.source}: ${e.message}`).join('; ')}`);
  return lines.join('\n');
}
