/**
 * Reads behind `/api/sessions`, `/api/sessions/:id` and `/api/leads`. Lists are ordered newest
 * first on (ended_at, session_id), so a keyset cursor is stable while new sessions arrive.
 */

import { isStorableText, type SessionPayload } from '../../../src/schema/index.js';
import { mostDecisive } from '../scoring/index.js';
import { restorePayload } from '../warehouse/stored_payload.js';
import type { Row, Warehouse, WarehouseReader } from '../warehouse/types.js';
import { type SessionIntelligenceView, sessionIntelligence } from './intelligence_queries.js';
import { canonicalTime } from './params.js';
import { int, iso, num, Params, type SessionFilters, str, whereSessions } from './sql.js';

const SUMMARY_COLUMNS = [
  'session_id',
  'agent_name',
  'prompt_version',
  'started_at',
  'ended_at',
  'duration_ms',
  'end_reason',
  'stage_reached',
  'outcome',
  'industry',
  'team_size',
  'monthly_volume',
  'urgency',
  'integrations',
  'score',
  'tier',
  'cost_usd',
  'signal_coverage',
  'signals_present',
  'turn_count',
  'tool_call_count',
  'error_count',
  'sla_breach_count',
  'latency_e2e_p95_ms',
] as const;

export interface SessionSummary {
  session_id: string;
  agent_name: string;
  prompt_version: string;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  end_reason: string;
  stage_reached: string;
  outcome: string;
  industry: string | null;
  team_size: number | null;
  monthly_volume: number | null;
  urgency: string | null;
  integrations: string[];
  score: number | null;
  tier: string;
  cost_usd: number | null;
  signal_coverage: number | null;
  signals_present: string[];
  turn_count: number | null;
  tool_call_count: number | null;
  error_count: number | null;
  sla_breach_count: number | null;
  latency_e2e_p95_ms: number | null;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

function summary(r: Row): SessionSummary {
  return {
    session_id: String(r.session_id),
    agent_name: String(r.agent_name ?? ''),
    prompt_version: String(r.prompt_version ?? ''),
    started_at: iso(r.started_at),
    ended_at: iso(r.ended_at),
    duration_ms: num(r.duration_ms),
    end_reason: String(r.end_reason ?? ''),
    stage_reached: String(r.stage_reached ?? ''),
    outcome: String(r.outcome ?? ''),
    industry: str(r.industry),
    team_size: num(r.team_size),
    monthly_volume: num(r.monthly_volume),
    urgency: str(r.urgency),
    integrations: list(r.integrations),
    score: num(r.score),
    tier: String(r.tier ?? ''),
    cost_usd: num(r.cost_usd),
    signal_coverage: num(r.signal_coverage),
    signals_present: list(r.signals_present),
    turn_count: num(r.turn_count),
    tool_call_count: num(r.tool_call_count),
    error_count: num(r.error_count),
    sla_breach_count: num(r.sla_breach_count),
    latency_e2e_p95_ms: num(r.latency_e2e_p95_ms),
  };
}

export function encodeCursor(endedAt: string, sessionId: string): string {
  return Buffer.from(JSON.stringify([endedAt, sessionId]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { endedAt: string; sessionId: string } | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 2) return null;
    const [endedAt, sessionId] = v as unknown[];
    if (typeof endedAt !== 'string' || typeof sessionId !== 'string') return null;
    // What a page could have handed out: a time both warehouses cast, an id they can compare.
    const time = canonicalTime(endedAt);
    if (time === null || sessionId.length > 200 || !isStorableText(sessionId)) return null;
    return { endedAt: time, sessionId };
  } catch {
    return null;
  }
}

export interface SessionPage {
  items: SessionSummary[];
  total: number;
  limit: number;
  offset: number;
  next_cursor: string | null;
}

export async function listSessions(
  wh: Warehouse,
  f: SessionFilters & { limit: number; offset: number; cursor?: { endedAt: string; sessionId: string } },
): Promise<SessionPage> {
  const countParams = new Params();
  const countWhere = whereSessions(f, countParams);
  const p = new Params();
  const extra: string[] = [];
  if (f.cursor) {
    const t = p.add(f.cursor.endedAt);
    const id = p.add(f.cursor.sessionId);
    extra.push(
      `(s.ended_at < CAST(${t} AS TIMESTAMPTZ) OR (s.ended_at = CAST(${t} AS TIMESTAMPTZ) AND s.session_id < ${id}))`,
    );
  }
  const where = whereSessions(f, p, 's', extra);
  const offset = f.cursor ? 0 : f.offset;
  // One row more than asked tells whether there is a next page.
  const [rows, counted] = await Promise.all([
    wh.query(
      `SELECT ${SUMMARY_COLUMNS.map((c) => `s.${c}`).join(', ')} FROM sessions s ${where}
       ORDER BY s.ended_at DESC, s.session_id DESC LIMIT ${int(f.limit + 1)} OFFSET ${int(offset)}`,
      p.values,
    ),
    wh.query(`SELECT count(*) AS n FROM sessions s ${countWhere}`, countParams.values),
  ]);
  const items = rows.slice(0, f.limit).map(summary);
  const last = items[items.length - 1];
  const more = rows.length > f.limit && last?.ended_at;
  return {
    items,
    total: num(counted[0]?.n) ?? 0,
    limit: f.limit,
    offset,
    next_cursor: more && last.ended_at ? encodeCursor(last.ended_at, last.session_id) : null,
  };
}

export interface ReasonView {
  rule: string;
  kind: string;
  points: number;
  detail: string;
  evidence: unknown[];
}

export function reasons(v: unknown): ReasonView[] {
  if (!Array.isArray(v)) return [];
  return v.map((r: Record<string, unknown>) => ({
    rule: String(r.rule ?? ''),
    kind: String(r.kind ?? ''),
    points: num(r.points) ?? 0,
    detail: String(r.detail ?? ''),
    evidence: Array.isArray(r.evidence) ? r.evidence : [],
  }));
}

/** The reasons that moved the score most, read back from the warehouse (the scorer's rule). */
export const topReasons = (all: readonly ReasonView[], n = 3): ReasonView[] => mostDecisive(all, n);

export interface LeadView extends SessionSummary {
  fit: number | null;
  engagement: number | null;
  model_version: string;
  top_reasons: ReasonView[];
  contact: unknown;
}

export async function listLeads(
  wh: Warehouse,
  f: SessionFilters & { limit: number; offset: number },
): Promise<{ items: LeadView[]; total: number; limit: number; offset: number }> {
  const p = new Params();
  const where = whereSessions(f, p);
  const [rows, counted] = await Promise.all([
    wh.query(
      `SELECT ${SUMMARY_COLUMNS.map((c) => `s.${c}`).join(', ')},
              l.fit AS lead_fit, l.engagement AS lead_engagement, l.model_version, l.reasons, l.contact
       FROM sessions s JOIN leads l ON l.session_id = s.session_id ${where}
       ORDER BY s.score DESC, s.ended_at DESC, s.session_id DESC LIMIT ${int(f.limit)} OFFSET ${int(f.offset)}`,
      p.values,
    ),
    wh.query(`SELECT count(*) AS n FROM sessions s ${where}`, p.values),
  ]);
  return {
    items: rows.map((r) => ({
      ...summary(r),
      fit: num(r.lead_fit),
      engagement: num(r.lead_engagement),
      model_version: String(r.model_version ?? ''),
      top_reasons: topReasons(reasons(r.reasons)),
      contact: r.contact ?? null,
    })),
    total: num(counted[0]?.n) ?? 0,
    limit: f.limit,
    offset: f.offset,
  };
}

export interface SessionDetail {
  session: SessionSummary & Record<string, unknown>;
  /** The whole payload (contact fields under the warehouse PII policy); see `stored_payload.ts`. */
  payload: SessionPayload | null;
  turns: Row[];
  tool_calls: Row[];
  signals: Row[];
  score: {
    score: number | null;
    tier: string;
    fit: number | null;
    engagement: number | null;
    fit_grade: string | null;
    engagement_level: number | null;
    model_version: string;
    reasons: ReasonView[];
  } | null;
  cost: Record<string, number | string | null | unknown>;
  sla_breaches: unknown;
  /** Sentiment, summary, custom fields, success, signal opinions (`intelligence_queries.ts`). */
  intelligence: SessionIntelligenceView | null;
  deliveries: Array<{
    destination: string;
    status: string;
    attempts: number;
    last_error: string | null;
    updated_at: string | null;
  }>;
}

const TIME_COLUMNS = new Set(['started_at', 'ended_at', 'processed_at', 'updated_at']);

function plainRow(r: Row): Row {
  const o: Row = {};
  for (const [k, v] of Object.entries(r)) o[k] = TIME_COLUMNS.has(k) ? iso(v) : v;
  return o;
}

export function getSession(wh: Warehouse, id: string): Promise<SessionDetail | null> {
  // One snapshot: a redelivery rewriting the session between two reads would mix two versions.
  return wh.snapshot((r) => readSession(r, id));
}

async function readSession(wh: WarehouseReader, id: string): Promise<SessionDetail | null> {
  const rows = await wh.query('SELECT * FROM sessions WHERE session_id = $1', [id]);
  const s = rows[0];
  if (!s) return null;
  const [turns, tools, signals, leads, deliveries, intelligence] = await Promise.all([
    wh.query('SELECT * FROM turns WHERE session_id = $1 ORDER BY turn_index', [id]),
    wh.query('SELECT * FROM tool_calls WHERE session_id = $1 ORDER BY ordinal', [id]),
    wh.query(
      'SELECT name, value, evidence, history, confidence, alternatives FROM signals WHERE session_id = $1 ORDER BY name',
      [id],
    ),
    wh.query('SELECT * FROM leads WHERE session_id = $1', [id]),
    wh.query(
      'SELECT destination, status, attempts, last_error, updated_at FROM deliveries WHERE session_id = $1 ORDER BY destination',
      [id],
    ),
    sessionIntelligence(wh, id),
  ]);
  const { payload: stored, tabled_extras: extras, ...rest } = s;
  const lead = leads[0];
  const payload = restorePayload(stored, { turns, tool_calls: tools, signals }, extras);
  return {
    session: { ...plainRow(rest), ...summary(s) },
    payload,
    // Text from the turn's columns (migration 3); rows written before it have it in the payload only.
    turns: turns.map((t, i) => {
      const text = payload?.turns[num(t.turn_index) ?? i];
      return {
        ...plainRow(t),
        user_text: text?.user_text ?? null,
        agent_text: text?.agent_text ?? null,
        // The prospect's sentiment in the messages this turn answered (migration 6), or null.
        prospect_sentiment: intelligence?.turnSentiment(num(t.turn_index) ?? i) ?? null,
      };
    }),
    tool_calls: tools.map(plainRow),
    signals,
    score: lead
      ? {
          score: num(lead.score),
          tier: String(lead.tier ?? ''),
          fit: num(lead.fit),
          engagement: num(lead.engagement),
          fit_grade: str(s.fit_grade),
          engagement_level: num(s.engagement_level),
          model_version: String(lead.model_version ?? ''),
          reasons: reasons(lead.reasons),
        }
      : null,
    cost: {
      total_usd: num(s.cost_usd),
      llm_usd: num(s.cost_llm_usd),
      stt_usd: num(s.cost_stt_usd),
      tts_usd: num(s.cost_tts_usd),
      livekit_usd: num(s.cost_livekit_usd),
      price_book_version: str(s.price_book_version),
      unpriced: s.cost_unpriced ?? [],
      analysis_usd: intelligence?.view.cost_analysis_usd ?? 0,
    },
    sla_breaches: s.sla_breaches ?? [],
    intelligence: intelligence?.view ?? null,
    deliveries: deliveries.map((d) => ({
      destination: String(d.destination),
      status: String(d.status),
      attempts: num(d.attempts) ?? 0,
      last_error: str(d.last_error),
      updated_at: iso(d.updated_at),
    })),
  };
}
