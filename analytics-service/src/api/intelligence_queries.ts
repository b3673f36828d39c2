/**
 * Reads of the post-call intelligence tables (migration 6): one session's sentiment, summary,
 * custom fields, success evaluation and signal opinions (`GET /api/sessions/:id` → `intelligence`),
 * and the window's aggregates (`GET /api/intelligence?hours=N`).
 */
import type { FastifyInstance } from 'fastify';
import type { Row, Warehouse, WarehouseReader } from '../warehouse/types.js';
import { AggregatesQuery, parseParams } from './params.js';
import { num, str } from './sql.js';

/** Columns of `call_intelligence` the sessions CSV carries after the session columns. */
export const INTELLIGENCE_EXPORT_COLUMNS = [
  'sentiment_mean',
  'sentiment_start',
  'sentiment_end',
  'sentiment_lowest',
  'sentiment_trend',
  'sentiment_trend_label',
  'analysis_status',
  'analysis_reason',
  'summary',
  'success',
  'custom_fields',
  'discarded_quotes',
  'signal_disagreements',
  'cost_analysis_usd',
] as const;

export interface MessageSentimentView {
  message_index: number;
  turn_index: number | null;
  compound: number | null;
  positive: number | null;
  negative: number | null;
  neutral: number | null;
}

export interface SessionIntelligenceView {
  sentiment: {
    mean: number | null;
    start: number | null;
    end: number | null;
    lowest: number | null;
    trend: number | null;
    trend_label: string | null;
    messages: MessageSentimentView[];
  } | null;
  status: string;
  reason: string | null;
  config_version: string | null;
  model: string | null;
  attempts: number;
  summary: string | null;
  success: boolean | null;
  custom_fields: Record<string, unknown> | null;
  /** The whole `CallIntelligence`: quotes, objectives, the LLM's signals, discarded values. */
  detail: unknown;
  signal_opinions: unknown[];
  discarded_quotes: number;
  signal_disagreements: number;
  cost_analysis_usd: number;
  analysed_at: string | null;
}

const bool = (v: unknown): boolean | null => (v === null || v === undefined ? null : Boolean(v));
const isoOrNull = (v: unknown): string | null =>
  v === null || v === undefined ? null : new Date(v as string).toISOString();

export async function sessionIntelligence(
  wh: WarehouseReader,
  id: string,
): Promise<{ view: SessionIntelligenceView; turnSentiment(turnIndex: number): number | null } | null> {
  const [rows, messages] = await Promise.all([
    wh.query('SELECT * FROM call_intelligence WHERE session_id = $1', [id]),
    wh.query('SELECT * FROM prospect_sentiment WHERE session_id = $1 ORDER BY message_index', [id]),
  ]);
  const r = rows[0];
  if (!r) return null;
  const msgs: MessageSentimentView[] = messages.map((m) => ({
    message_index: num(m.message_index) ?? 0,
    turn_index: num(m.turn_index),
    compound: num(m.compound),
    positive: num(m.positive),
    negative: num(m.negative),
    neutral: num(m.neutral),
  }));
  const hasSentiment = r.sentiment_mean !== null && r.sentiment_mean !== undefined;
  const view: SessionIntelligenceView = {
    sentiment: hasSentiment
      ? {
          mean: num(r.sentiment_mean),
          start: num(r.sentiment_start),
          end: num(r.sentiment_end),
          lowest: num(r.sentiment_lowest),
          trend: num(r.sentiment_trend),
          trend_label: str(r.sentiment_trend_label),
          messages: msgs,
        }
      : null,
    status: String(r.analysis_status),
    reason: str(r.analysis_reason),
    config_version: str(r.analysis_config_version),
    model: str(r.analysis_model),
    attempts: num(r.analysis_attempts) ?? 0,
    summary: str(r.summary),
    success: bool(r.success),
    custom_fields: (r.custom_fields as Record<string, unknown> | null) ?? null,
    detail: r.intelligence ?? null,
    signal_opinions: Array.isArray(r.signal_opinions) ? r.signal_opinions : [],
    discarded_quotes: num(r.discarded_quotes) ?? 0,
    signal_disagreements: num(r.signal_disagreements) ?? 0,
    cost_analysis_usd: num(r.cost_analysis_usd) ?? 0,
    analysed_at: isoOrNull(r.analysed_at),
  };
  // A turn's prospect sentiment: the mean of the messages it answered.
  const turnSentiment = (turnIndex: number): number | null => {
    const own = msgs.filter((m) => m.turn_index === turnIndex && m.compound !== null);
    if (own.length === 0) return null;
    return Math.round((own.reduce((a, m) => a + (m.compound ?? 0), 0) / own.length) * 1000) / 1000;
  };
  return { view, turnSentiment };
}

export interface IntelligenceAggregates {
  generated_at: string;
  window: { hours: number; from: string; to: string };
  sessions: number;
  sentiment: {
    sessions: number;
    avg_mean: number | null;
    avg_start: number | null;
    avg_end: number | null;
    avg_lowest: number | null;
    trend: Record<'improving' | 'steady' | 'declining', number>;
    /** Sessions by mean sentiment: < −0.5, −0.5…−0.05, −0.05…0.05, 0.05…0.5, ≥ 0.5. */
    buckets: Array<{ label: string; sessions: number }>;
  };
  analysis: {
    by_status: Record<string, number>;
    with_summary: number;
    success: { evaluated: number; achieved: number };
    discarded_quotes: number;
    signal_disagreements: number;
    cost_usd: number;
  };
  /** Per custom field: sessions where it has a value. */
  custom_fields: Record<string, number>;
}

const BUCKETS = [
  { label: 'negative (< −0.5)', lo: Number.NEGATIVE_INFINITY, hi: -0.5 },
  { label: 'somewhat negative', lo: -0.5, hi: -0.05 },
  { label: 'neutral', lo: -0.05, hi: 0.05 },
  { label: 'somewhat positive', lo: 0.05, hi: 0.5 },
  { label: 'positive (≥ 0.5)', lo: 0.5, hi: Number.POSITIVE_INFINITY },
];

export async function intelligenceAggregates(
  wh: Warehouse,
  opts: { hours: number; now: Date },
): Promise<IntelligenceAggregates> {
  const to = opts.now;
  const from = new Date(to.getTime() - opts.hours * 3_600_000);
  const rows: Row[] = await wh.query(
    `SELECT ci.sentiment_mean, ci.sentiment_start, ci.sentiment_end, ci.sentiment_lowest,
            ci.sentiment_trend_label, ci.analysis_status, ci.summary, ci.success, ci.custom_fields,
            ci.discarded_quotes, ci.signal_disagreements, ci.cost_analysis_usd
     FROM call_intelligence ci JOIN sessions s ON s.session_id = ci.session_id
     WHERE s.ended_at >= CAST($1 AS TIMESTAMPTZ)`,
    [from.toISOString()],
  );
  const withSentiment = rows.filter((r) => num(r.sentiment_mean) !== null);
  const avg = (col: string) =>
    withSentiment.length === 0
      ? null
      : Math.round(
          (withSentiment.reduce((a, r) => a + (num(r[col]) ?? 0), 0) / withSentiment.length) * 1000,
        ) / 1000;
  const trend = { improving: 0, steady: 0, declining: 0 };
  for (const r of withSentiment) {
    const label = String(r.sentiment_trend_label) as keyof typeof trend;
    if (label in trend) trend[label]++;
  }
  const byStatus: Record<string, number> = {};
  const fields: Record<string, number> = {};
  let evaluated = 0;
  let achieved = 0;
  for (const r of rows) {
    const st = String(r.analysis_status);
    byStatus[st] = (byStatus[st] ?? 0) + 1;
    if (r.success !== null && r.success !== undefined) {
      evaluated++;
      if (r.success) achieved++;
    }
    const cf = r.custom_fields;
    if (cf && typeof cf === 'object') {
      for (const [k, v] of Object.entries(cf as Record<string, unknown>)) {
        fields[k] = (fields[k] ?? 0) + (v === null || v === undefined ? 0 : 1);
      }
    }
  }
  const sum = (col: string) => rows.reduce((a, r) => a + (num(r[col]) ?? 0), 0);
  return {
    generated_at: to.toISOString(),
    window: { hours: opts.hours, from: from.toISOString(), to: to.toISOString() },
    sessions: rows.length,
    sentiment: {
      sessions: withSentiment.length,
      avg_mean: avg('sentiment_mean'),
      avg_start: avg('sentiment_start'),
      avg_end: avg('sentiment_end'),
      avg_lowest: avg('sentiment_lowest'),
      trend,
      buckets: BUCKETS.map((b) => ({
        label: b.label,
        sessions: withSentiment.filter((r) => {
          const v = num(r.sentiment_mean) ?? 0;
          return v >= b.lo && v < b.hi;
        }).length,
      })),
    },
    analysis: {
      by_status: byStatus,
      with_summary: rows.filter((r) => typeof r.summary === 'string' && r.summary !== '').length,
      success: { evaluated, achieved },
      discarded_quotes: sum('discarded_quotes'),
      signal_disagreements: sum('signal_disagreements'),
      cost_usd: Math.round(sum('cost_analysis_usd') * 1e8) / 1e8,
    },
    custom_fields: fields,
  };
}

/** `GET /api/intelligence?hours=N` (same parameter rules as `/api/aggregates`). */
export function registerIntelligenceRoutes(
  app: FastifyInstance,
  opts: { warehouse: Warehouse; now: () => Date },
): void {
  app.get('/api/intelligence', async (req, reply) => {
    const q = parseParams(AggregatesQuery, req.query);
    if (!q.ok) {
      return reply
        .code(400)
        .send({ error: 'bad_request', parameter: q.error.parameter, message: q.error.message });
    }
    return intelligenceAggregates(opts.warehouse, { hours: q.value.hours, now: opts.now() });
  });
}
