/**
 * Scored sessions as table rows, shared by both backends. Each table is a column spec (in the
 * migration's column order) and a builder that returns value arrays in that order.
 */
import type { PiiMode } from '../../../src/schema/index.js';
import { errorComponent, errorSeverity } from '../errors/components.js';
import { maskUnknownKeys, type PiiHasher } from '../privacy/index.js';
import type { LatencyComponent, ScoredSession } from '../types.js';
import { CALL_INTELLIGENCE, intelligenceRows, PROSPECT_SENTIMENT } from './intelligence_rows.js';
import { applyPiiToArguments, applyPiiToIdentity, applyPiiToLead, effectivePiiMode } from './pii.js';
import { KNOWN_SIGNALS, storedPayload, tabledExtras } from './stored_payload.js';
import type { DeliveryStatus } from './types.js';

export type ColumnKind = 'text' | 'int' | 'bigint' | 'double' | 'bool' | 'ts' | 'json' | 'text[]';
export type Column = readonly [name: string, kind: ColumnKind];

export interface TableSpec {
  readonly name:
    | 'sessions'
    | 'turns'
    | 'tool_calls'
    | 'signals'
    | 'leads'
    | 'deliveries'
    | 'call_intelligence'
    | 'prospect_sentiment'
    | 'session_errors';
  readonly columns: readonly Column[];
  readonly key: readonly string[];
}

const LATENCY: readonly LatencyComponent[] = ['eou', 'stt', 'llm', 'tts', 'e2e'];

export const SESSIONS: TableSpec = {
  name: 'sessions',
  key: ['session_id'],
  columns: [
    ['session_id', 'text'],
    ['agent_name', 'text'],
    ['agent_version', 'text'],
    ['prompt_version', 'text'],
    ['room_name', 'text'],
    ['participant_identity', 'text'],
    ['started_at', 'ts'],
    ['ended_at', 'ts'],
    ['duration_ms', 'double'],
    ['end_reason', 'text'],
    ['stage_reached', 'text'],
    ['stages_completed', 'text[]'],
    ['outcome', 'text'],
    ['industry', 'text'],
    ['team_size', 'bigint'],
    ['monthly_volume', 'bigint'],
    ['urgency', 'text'],
    ['integrations', 'text[]'],
    ['score', 'double'],
    ['tier', 'text'],
    ['fit', 'double'],
    ['engagement', 'double'],
    ['fit_grade', 'text'],
    ['engagement_level', 'int'],
    ['score_model_version', 'text'],
    ['cost_usd', 'double'],
    ['cost_llm_usd', 'double'],
    ['cost_stt_usd', 'double'],
    ['cost_tts_usd', 'double'],
    ['cost_livekit_usd', 'double'],
    ['price_book_version', 'text'],
    ['cost_unpriced', 'json'],
    ['signal_coverage', 'double'],
    ['signals_present', 'text[]'],
    ['signals_missing', 'text[]'],
    ['turn_count', 'int'],
    ['interrupted_turns', 'int'],
    ['talk_ratio', 'double'],
    ['knowledge_questions', 'int'],
    ['tool_call_count', 'int'],
    ['error_count', 'int'],
    ...LATENCY.flatMap((c): Column[] => [
      [`latency_${c}_p50_ms`, 'double'],
      [`latency_${c}_p95_ms`, 'double'],
    ]),
    ['sla_breach_count', 'int'],
    ['sla_breaches', 'json'],
    ['contact_pii_mode', 'text'],
    ['contact_name', 'text'],
    ['contact_email', 'text'],
    ['contact_phone', 'text'],
    ['contact_company', 'text'],
    ['labels', 'json'],
    ['payload', 'json'],
    ['processed_at', 'ts'],
    ['updated_at', 'ts'],
    // Migration 4: voice calls.
    ['latency_perceived_p50_ms', 'double'],
    ['latency_perceived_p95_ms', 'double'],
    // Migration 8 (columns are positional: a later migration's columns go after it).
    ['tabled_extras', 'json'],
  ],
};

export const TURNS: TableSpec = {
  name: 'turns',
  key: ['session_id', 'turn_index'],
  columns: [
    ['session_id', 'text'],
    ['turn_index', 'int'],
    ['turn_id', 'text'],
    ['started_at', 'ts'],
    ['eou_delay_ms', 'double'],
    ['transcription_delay_ms', 'double'],
    ['on_user_turn_completed_delay_ms', 'double'],
    ['llm_ttft_ms', 'double'],
    ['llm_duration_ms', 'double'],
    ['llm_prompt_tokens', 'bigint'],
    ['llm_prompt_cached_tokens', 'bigint'],
    ['llm_completion_tokens', 'bigint'],
    ['tts_ttfb_ms', 'double'],
    ['tts_duration_ms', 'double'],
    ['tts_audio_duration_ms', 'double'],
    ['tts_characters', 'bigint'],
    ['e2e_latency_ms', 'double'],
    ['interrupted', 'bool'],
    // Migration 3: the turn's own `index`, and its text when the transcript policy kept it.
    ['payload_index', 'int'],
    ['user_text', 'text'],
    ['agent_text', 'text'],
    // Migration 4: voice calls.
    ['perceived_latency_ms', 'double'],
    ['stt_audio_duration_ms', 'double'],
    ['user_speech_ms', 'double'],
    ['agent_speech_ms', 'double'],
  ],
};

export const TOOL_CALLS: TableSpec = {
  name: 'tool_calls',
  key: ['session_id', 'ordinal'],
  columns: [
    ['session_id', 'text'],
    ['ordinal', 'int'],
    ['call_id', 'text'],
    ['name', 'text'],
    ['status', 'text'],
    ['error', 'text'],
    ['duration_ms', 'double'],
    ['started_at', 'ts'],
    ['turn_id', 'text'],
    ['output_summary', 'text'],
    ['arguments', 'json'],
  ],
};

export const SIGNALS: TableSpec = {
  name: 'signals',
  key: ['session_id', 'name'],
  columns: [
    ['session_id', 'text'],
    ['name', 'text'],
    ['value', 'json'],
    ['evidence', 'json'],
    ['history', 'json'],
    ['confidence', 'double'],
    ['alternatives', 'json'],
  ],
};

export const LEADS: TableSpec = {
  name: 'leads',
  key: ['session_id'],
  columns: [
    ['session_id', 'text'],
    ['score', 'double'],
    ['tier', 'text'],
    ['fit', 'double'],
    ['engagement', 'double'],
    ['model_version', 'text'],
    ['reasons', 'json'],
    ['contact', 'json'],
    ['updated_at', 'ts'],
  ],
};

export const DELIVERIES: TableSpec = {
  name: 'deliveries',
  key: ['session_id', 'destination'],
  columns: [
    ['session_id', 'text'],
    ['destination', 'text'],
    ['status', 'text'],
    ['attempts', 'int'],
    ['last_error', 'text'],
    ['updated_at', 'ts'],
  ],
};

/** Tables replaced per session, children after their parent. */
/** Migration 7: one row per payload error, its component read by `errorComponent`. */
export const SESSION_ERRORS: TableSpec = {
  name: 'session_errors',
  key: ['session_id', 'ordinal'],
  columns: [
    ['session_id', 'text'],
    ['ordinal', 'int'],
    ['occurred_at', 'ts'],
    ['component', 'text'],
    ['type', 'text'],
    ['severity', 'text'],
    ['recoverable', 'bool'],
    ['recovered', 'bool'],
    ['turn_id', 'text'],
    ['attempt', 'int'],
    ['status_code', 'int'],
    ['source', 'text'],
    ['message', 'text'],
  ],
};

export const SESSION_TABLES: readonly TableSpec[] = [
  SESSIONS,
  TURNS,
  TOOL_CALLS,
  SIGNALS,
  LEADS,
  SESSION_ERRORS,
  CALL_INTELLIGENCE,
  PROSPECT_SENTIMENT,
];

export type Value = unknown;
export type TableRows = Record<TableSpec['name'], Value[][]>;

export function emptyTableRows(): TableRows {
  return {
    sessions: [],
    turns: [],
    tool_calls: [],
    signals: [],
    leads: [],
    deliveries: [],
    session_errors: [],
    call_intelligence: [],
    prospect_sentiment: [],
  };
}

/** Keeps the last occurrence of each session id, in first-seen order sorted by id (stable lock order). */
export function dedupeSessions(sessions: readonly ScoredSession[]): ScoredSession[] {
  const byId = new Map<string, ScoredSession>();
  for (const s of sessions) byId.set(s.session_id, s);
  return [...byId.values()].sort((a, b) =>
    a.session_id < b.session_id ? -1 : a.session_id > b.session_id ? 1 : 0,
  );
}

export function dedupeDeliveries(rows: readonly DeliveryStatus[]): DeliveryStatus[] {
  const byKey = new Map<string, DeliveryStatus>();
  for (const r of rows) byKey.set(`${r.session_id}\u0000${r.destination}`, r);
  return [...byKey.values()].sort((a, b) => {
    const ka = `${a.session_id}\u0000${a.destination}`;
    const kb = `${b.session_id}\u0000${b.destination}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

export function deliveryRow(d: DeliveryStatus, nowIso: string): Value[] {
  return [d.session_id, d.destination, d.status, d.attempts, d.last_error, nowIso];
}

/**
 * Appends the rows of one scored session to `out`, contact fields (lead, contact arguments of tool
 * calls, participant identity) under `policy`, hashed with `hasher` (required under `hashed`).
 */
export function sessionRows(
  s: ScoredSession,
  policy: PiiMode,
  nowIso: string,
  out: TableRows,
  hasher?: PiiHasher,
): void {
  const argMode = effectivePiiMode(s.payload.lead.pii_mode, policy);
  // A newer agent's keys are kept, their contact data masked under hashed and none.
  const p = maskUnknownKeys(s.payload, argMode);
  const id = s.session_id;
  const lead = applyPiiToLead(p.lead, policy, hasher);
  const identity = applyPiiToIdentity(p.participant.identity, argMode, hasher);
  const latency = new Map(s.analysis.latency.map((l) => [l.component, l]));
  const sig = p.signals;
  // (Built in parts, the latency columns pushed in a loop: a spread inside an array literal takes
  // V8's slow path, and this runs once per session on the event loop.)
  const row: Value[] = [
    id,
    p.agent.name,
    p.agent.version,
    p.agent.prompt_version,
    p.room.name,
    identity,
    p.started_at,
    p.ended_at,
    p.duration_ms,
    p.end_reason,
    p.stage.reached,
    p.stage.completed,
    p.outcome,
    sig.industry?.value ?? null,
    sig.team_size?.value ?? null,
    sig.monthly_volume?.value ?? null,
    sig.urgency?.value ?? null,
    sig.integration_needs?.value ?? null,
    s.score.score,
    s.score.tier,
    s.score.fit,
    s.score.engagement,
    s.score.fit_grade,
    s.score.engagement_level,
    s.score.model_version,
    s.cost.total_usd,
    s.cost.by_component.llm ?? 0,
    s.cost.by_component.stt ?? 0,
    s.cost.by_component.tts ?? 0,
    s.cost.by_component.livekit ?? 0,
    s.cost.price_book_version,
    s.cost.unpriced,
    s.analysis.signal_coverage.ratio,
    s.analysis.signal_coverage.present,
    s.analysis.signal_coverage.missing,
    s.analysis.turn_count,
    s.analysis.interrupted_turns,
    s.analysis.talk_ratio,
    s.analysis.knowledge_questions,
    p.tool_calls.length,
    p.errors.length,
  ];
  for (const c of LATENCY) {
    const l = latency.get(c);
    row.push(l?.p50_ms ?? null, l?.p95_ms ?? null);
  }
  row.push(
    s.analysis.sla_breaches.length,
    s.analysis.sla_breaches,
    lead.pii_mode,
    lead.name ?? null,
    lead.email ?? null,
    lead.phone ?? null,
    lead.company ?? null,
    p.labels ?? null,
    storedPayload(p, policy, lead, identity),
    s.processed_at,
    nowIso,
    p.voice?.perceived_latency_p50_ms ?? null,
    p.voice?.perceived_latency_p95_ms ?? null,
    tabledExtras(p),
  );
  out.sessions.push(row);
  p.turns.forEach((t, i) => {
    out.turns.push([
      id,
      i,
      t.turn_id,
      t.started_at,
      t.eou_delay_ms,
      t.transcription_delay_ms,
      t.on_user_turn_completed_delay_ms,
      t.llm_ttft_ms,
      t.llm_duration_ms,
      t.llm_prompt_tokens,
      t.llm_prompt_cached_tokens,
      t.llm_completion_tokens,
      t.tts_ttfb_ms,
      t.tts_duration_ms,
      t.tts_audio_duration_ms,
      t.tts_characters,
      t.e2e_latency_ms,
      t.interrupted,
      t.index,
      t.user_text ?? null,
      t.agent_text ?? null,
      t.perceived_latency_ms ?? null,
      t.stt_audio_duration_ms ?? null,
      t.user_speech_ms ?? null,
      t.agent_speech_ms ?? null,
    ]);
  });
  p.tool_calls.forEach((c, i) => {
    out.tool_calls.push([
      id,
      i,
      c.call_id,
      c.name,
      c.status,
      c.error ?? null,
      c.duration_ms,
      c.started_at,
      c.turn_id,
      c.output_summary,
      applyPiiToArguments(c.arguments, argMode, hasher),
    ]);
  });
  for (const [name, signal] of Object.entries(sig)) {
    // A signal this worker does not know travels in `tabled_extras`, whatever its shape.
    if (!signal || !KNOWN_SIGNALS.has(name)) continue;
    out.signals.push([
      id,
      name,
      signal.value,
      signal.evidence,
      signal.history ?? null,
      signal.confidence ?? null,
      signal.alternatives ?? null,
    ]);
  }
  p.errors.forEach((e, i) => {
    out.session_errors.push([
      id,
      i,
      e.at,
      errorComponent(e),
      e.type ?? null,
      errorSeverity(e),
      e.recoverable,
      e.recovered ?? null,
      e.turn_id ?? null,
      e.attempt ?? null,
      e.status_code ?? null,
      e.source,
      e.message,
    ]);
  });
  out.leads.push([
    id,
    s.score.score,
    s.score.tier,
    s.score.fit,
    s.score.engagement,
    s.score.model_version,
    s.score.reasons,
    lead,
    nowIso,
  ]);
  intelligenceRows(s, out);
}
