/**
 * The payload as `sessions.payload` keeps it, and back. The turns, tool calls and signals have
 * tables of their own (`turns`, `tool_calls`, `signals`), so since migration 3 the stored payload
 * leaves them out: they were about three quarters of its bytes, written twice. `restorePayload`
 * puts them back from those tables' rows, which is what `GET /api/sessions/:id` returns.
 *
 * Rows written before migration 3 still carry the whole payload; `restorePayload` returns those
 * as they are.
 */
import type { Lead, PiiMode, SessionPayload, Signals, ToolCall, Turn } from '../../../src/schema/index.js';
// The API's column readers: times as ISO-8601 UTC, numbers and text as the drivers return them.
import { iso, num, str } from '../api/sql.js';
import { effectivePiiMode } from './pii.js';
import type { Row } from './types.js';

/** The parts of a payload that live in child tables rather than in `sessions.payload`. */
export type TabledParts = 'turns' | 'tool_calls' | 'signals';
export type StoredPayload = Omit<SessionPayload, TabledParts>;

/**
 * The payload as the warehouse stores it: without the tabled parts, and with `lead` (the contact
 * fields under the warehouse PII policy, computed by the caller) in place of the payload's own
 * when the policy changes it.
 */
export function storedPayload(payload: SessionPayload, policy: PiiMode, lead: Lead): StoredPayload {
  const { turns: _turns, tool_calls: _toolCalls, signals: _signals, ...rest } = payload;
  const mode = effectivePiiMode(payload.lead.pii_mode, policy);
  if (mode === 'full' || mode === payload.lead.pii_mode) return rest;
  rest.lead = lead;
  return rest;
}

function turnOf(r: Row): Turn {
  const t: Turn = {
    turn_id: String(r.turn_id),
    index: Number(r.payload_index ?? r.turn_index),
    started_at: iso(r.started_at),
    eou_delay_ms: num(r.eou_delay_ms),
    transcription_delay_ms: num(r.transcription_delay_ms),
    on_user_turn_completed_delay_ms: num(r.on_user_turn_completed_delay_ms),
    llm_ttft_ms: num(r.llm_ttft_ms),
    llm_duration_ms: num(r.llm_duration_ms),
    llm_prompt_tokens: num(r.llm_prompt_tokens),
    llm_prompt_cached_tokens: num(r.llm_prompt_cached_tokens),
    llm_completion_tokens: num(r.llm_completion_tokens),
    tts_ttfb_ms: num(r.tts_ttfb_ms),
    tts_duration_ms: num(r.tts_duration_ms),
    tts_audio_duration_ms: num(r.tts_audio_duration_ms),
    tts_characters: num(r.tts_characters),
    e2e_latency_ms: num(r.e2e_latency_ms),
    interrupted: Boolean(r.interrupted),
  };
  if (typeof r.user_text === 'string') t.user_text = r.user_text;
  if (typeof r.agent_text === 'string') t.agent_text = r.agent_text;
  return t;
}

function toolCallOf(r: Row): ToolCall {
  const c: ToolCall = {
    call_id: String(r.call_id),
    name: String(r.name),
    arguments: (r.arguments ?? {}) as Record<string, unknown>,
    status: r.status as ToolCall['status'],
    output_summary: String(r.output_summary ?? ''),
    started_at: iso(r.started_at),
    duration_ms: num(r.duration_ms),
    turn_id: str(r.turn_id),
  };
  if (typeof r.error === 'string') c.error = r.error;
  return c;
}

function signalsOf(rows: readonly Row[]): Signals {
  const out: Record<string, unknown> = {};
  for (const r of rows) {
    out[String(r.name)] = {
      value: r.value,
      evidence: r.evidence,
      ...(r.history !== null && r.history !== undefined && { history: r.history }),
      ...(r.confidence !== null && r.confidence !== undefined && { confidence: Number(r.confidence) }),
      ...(r.alternatives !== null && r.alternatives !== undefined && { alternatives: r.alternatives }),
    };
  }
  return out as Signals;
}

/**
 * The whole payload from `sessions.payload` and the session's child rows (`turns` by turn_index,
 * `tool_calls` by ordinal, `signals` with name, value, evidence, history, confidence, alternatives). Times come back in UTC
 * as the database normalised them; everything else as the worker stored it.
 */
export function restorePayload(
  stored: unknown,
  children: { turns: readonly Row[]; tool_calls: readonly Row[]; signals: readonly Row[] },
): SessionPayload | null {
  if (stored === null || typeof stored !== 'object') return null;
  // Written before migration 3: the tabled parts are still inside.
  if ('turns' in stored) return stored as SessionPayload;
  return {
    ...(stored as StoredPayload),
    signals: signalsOf(children.signals),
    tool_calls: children.tool_calls.map(toolCallOf),
    turns: children.turns.map(turnOf),
  };
}
