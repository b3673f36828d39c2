/**
 * The payload as `sessions.payload` keeps it, and back. The turns, tool calls and signals have
 * tables of their own (`turns`, `tool_calls`, `signals`), so since migration 3 the stored payload
 * leaves them out: they were about three quarters of its bytes, written twice. `restorePayload`
 * puts them back from those tables' rows, which is what `GET /api/sessions/:id` returns.
 *
 * Rows written before migration 3 still carry the whole payload; `restorePayload` returns those
 * as they are.
 */
import {
  type Lead,
  type PiiMode,
  type SessionPayload,
  Signals,
  ToolCall,
  Turn,
} from '../../../src/schema/index.js';
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
export function storedPayload(
  payload: SessionPayload,
  policy: PiiMode,
  lead: Lead,
  identity: string | null = payload.participant.identity,
): StoredPayload {
  const { turns: _turns, tool_calls: _toolCalls, signals: _signals, ...rest } = payload;
  const mode = effectivePiiMode(payload.lead.pii_mode, policy);
  if (mode === 'full') return rest;
  // also when the payload came hashed: the agent's unkeyed hashes are stored keyed
  rest.lead = lead;
  rest.participant = { ...payload.participant, identity };
  return rest;
}

/**
 * What the child tables have no column for, kept in `sessions.tabled_extras` (migration 8) so
 * the payload comes back as it was sent: keys of turns and tool calls (by position) and of known
 * signals (by name) that the schema does not name, and whole signals under names it does not know.
 * Unknown keys are part of the payload contract (`src/schema/unknown_keys.ts`).
 */
export interface TabledExtras {
  turns?: Record<string, Record<string, unknown>>;
  tool_calls?: Record<string, Record<string, unknown>>;
  signal_keys?: Record<string, Record<string, unknown>>;
  unknown_signals?: Record<string, unknown>;
}

const TURN_KEYS = new Set(Object.keys(Turn.shape));
const TOOL_CALL_KEYS = new Set(Object.keys(ToolCall.shape));
const SIGNAL_KEYS = new Set(['value', 'evidence', 'history']);
/** Signal names this worker knows: the ones with a row in `signals`. */
export const KNOWN_SIGNALS: ReadonlySet<string> = new Set(Object.keys(Signals.shape));

function extraKeys(o: object, known: ReadonlySet<string>): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(o)) {
    if (known.has(k)) continue;
    out ??= {};
    out[k] = v;
  }
  return out;
}

/** The payload's unknown keys inside turns, tool calls and signals; null when there are none. */
export function tabledExtras(p: SessionPayload): TabledExtras | null {
  const extras: TabledExtras = {};
  let any = false;
  const put = (part: 'turns' | 'tool_calls' | 'signal_keys', key: string, v: Record<string, unknown>) => {
    extras[part] ??= {};
    (extras[part] as Record<string, unknown>)[key] = v;
    any = true;
  };
  p.turns.forEach((t, i) => {
    const x = extraKeys(t, TURN_KEYS);
    if (x) put('turns', String(i), x);
  });
  p.tool_calls.forEach((c, i) => {
    const x = extraKeys(c, TOOL_CALL_KEYS);
    if (x) put('tool_calls', String(i), x);
  });
  for (const [name, signal] of Object.entries(p.signals)) {
    if (!KNOWN_SIGNALS.has(name)) {
      extras.unknown_signals ??= {};
      extras.unknown_signals[name] = signal;
      any = true;
    } else if (signal) {
      const x = extraKeys(signal, SIGNAL_KEYS);
      if (x) put('signal_keys', name, x);
    }
  }
  return any ? extras : null;
}

function withExtras<T extends object>(base: T, extra: unknown): T {
  return extra !== null && typeof extra === 'object' ? { ...base, ...(extra as object) } : base;
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
  extras?: unknown,
): SessionPayload | null {
  if (stored === null || typeof stored !== 'object') return null;
  // Written before migration 3: the tabled parts are still inside.
  if ('turns' in stored) return stored as SessionPayload;
  const x = (extras !== null && typeof extras === 'object' ? extras : {}) as TabledExtras;
  const signals: Record<string, unknown> = signalsOf(children.signals);
  for (const [name, extra] of Object.entries(x.signal_keys ?? {})) {
    if (signals[name]) signals[name] = withExtras(signals[name] as object, extra);
  }
  Object.assign(signals, x.unknown_signals ?? {});
  return {
    ...(stored as StoredPayload),
    signals: signals as Signals,
    tool_calls: children.tool_calls.map((r, i) =>
      withExtras(toolCallOf(r), x.tool_calls?.[String(num(r.ordinal) ?? i)]),
    ),
    turns: children.turns.map((r, i) => withExtras(turnOf(r), x.turns?.[String(num(r.turn_index) ?? i)])),
  };
}
