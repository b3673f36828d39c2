/** What the demo prints: a table of leads for people, one JSON object per session for programs. */
import type { DemoLead } from './leads.js';

const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
const pad = (s: string, n: number): string => clip(s, n).padEnd(n);

export function signalsText(signals: Record<string, unknown>): string {
  const parts: string[] = [];
  if (signals.industry) parts.push(String(signals.industry));
  if (signals.team_size) parts.push(`${signals.team_size} ppl`);
  if (signals.monthly_volume) parts.push(`${signals.monthly_volume} docs/mo`);
  if (Array.isArray(signals.integration_needs)) parts.push(signals.integration_needs.join('+'));
  if (signals.urgency) parts.push(`${signals.urgency} urgency`);
  return parts.length > 0 ? parts.join(' · ') : '(none stated)';
}

/** Per-session voice figures of the demo's `--json` output (voice mode only). */
export interface DemoVoiceStats {
  turns: number;
  turns_with_all_components: number;
  interrupted_turns: number;
  perceived_latency_p50_ms: number | null;
  perceived_latency_p95_ms: number | null;
}

/** One JSON object per scored session (the `--json` output). */
export function jsonLine(l: DemoLead, voice?: DemoVoiceStats): string {
  return JSON.stringify({
    session_id: l.session_id,
    score: l.score,
    tier: l.tier,
    signals: l.signals,
    outcome: l.outcome,
    cost_usd: l.cost_usd,
    summary: l.summary,
    sentiment: l.sentiment,
    custom_fields: l.custom_fields,
    cost_usd_by_component: l.cost_usd_by_component,
    ...(voice ? { voice } : {}),
  });
}

export function leadsTable(leads: readonly DemoLead[]): string {
  const header = `${pad('session', 36)} ${pad('tier', 4)} ${'score'.padStart(5)}  ${pad('outcome', 18)} ${'cost'.padStart(8)}  ${pad('signals', 58)} top reasons`;
  const rows = [...leads]
    .sort((a, b) => b.score - a.score || (a.session_id < b.session_id ? -1 : 1))
    .map((l) => {
      const reasons = l.top_reasons.map((r) => r.detail).join('; ');
      return `${pad(l.session_id, 36)} ${pad(l.tier, 4)} ${l.score.toFixed(0).padStart(5)}  ${pad(l.outcome, 18)} ${`$${l.cost_usd.toFixed(4)}`.padStart(8)}  ${pad(signalsText(l.signals), 58)} ${clip(reasons, 90)}`;
    });
  return [header, '-'.repeat(header.length + 20), ...rows].join('\n');
}
