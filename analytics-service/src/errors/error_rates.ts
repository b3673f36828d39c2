/**
 * Error rates by component over a time window, read from the warehouse (`session_errors` joined
 * to the sessions that ended in the window, so a rate and its denominator cover the same calls).
 *
 * What a rate divides by (stated in every answer as `per`):
 * - `stt`, `llm`, `tts`, `vad`: errors of that component ÷ turns (one agent response cycle each
 *   runs STT, the LLM and TTS once; a retried request that failed again counts again).
 * - `tool`: failed tool calls ÷ tool calls.
 * - `overall`: every error of the call pipeline (all components but the plugin's own `analytics`
 *   handler errors) ÷ turns.
 * A window without turns (or tool calls) has a rate of null, never 0.
 */
import { int, iso, num, Params, str } from '../api/sql.js';
import type { Warehouse } from '../warehouse/types.js';
import { DEFAULT_ERROR_THRESHOLDS, RATE_COMPONENTS, type RateComponent } from './components.js';

export type ErrorThresholds = Readonly<Record<RateComponent, number>>;

export interface ErrorRate {
  component: RateComponent;
  per: 'turn' | 'tool_call';
  errors: number;
  /** Errors whose component did not succeed again later in the call. */
  unrecovered: number;
  requests: number;
  /** errors ÷ requests; null without requests. */
  rate: number | null;
  threshold: number;
  breached: boolean;
}

export interface ErrorTypeRow {
  component: string;
  type: string;
  severity: string;
  count: number;
  recovered: number;
  last_at: string | null;
}

export interface ErrorRatesResult {
  window: { from: string; to: string };
  sessions: number;
  turns: number;
  tool_calls: number;
  rates: ErrorRate[];
  /** The window's errors by component, type and severity, most frequent first (at most 50 rows). */
  by_type: ErrorTypeRow[];
}

const PIPELINE = "e.component <> 'analytics'";

function rateOf(
  component: RateComponent,
  errors: number,
  unrecovered: number,
  turns: number,
  toolCalls: number,
  thresholds: ErrorThresholds,
): ErrorRate {
  const per = component === 'tool' ? 'tool_call' : 'turn';
  const requests = per === 'tool_call' ? toolCalls : turns;
  const rate = requests > 0 ? errors / requests : null;
  const threshold = thresholds[component];
  return {
    component,
    per,
    errors,
    unrecovered,
    requests,
    rate,
    threshold,
    breached: rate !== null && rate >= threshold,
  };
}

/** Rates over `[from, to)` of session end times. */
export async function errorRates(
  wh: Warehouse,
  opts: { from: Date; to: Date; thresholds?: ErrorThresholds },
): Promise<ErrorRatesResult> {
  const thresholds = opts.thresholds ?? DEFAULT_ERROR_THRESHOLDS;
  const from = opts.from.toISOString();
  const to = opts.to.toISOString();
  const window = (p: Params) =>
    `s.ended_at >= CAST(${p.add(from)} AS TIMESTAMPTZ) AND s.ended_at < CAST(${p.add(to)} AS TIMESTAMPTZ)`;
  const p1 = new Params();
  const totalsSql = `SELECT count(*) AS sessions, coalesce(sum(s.turn_count), 0) AS turns,
    coalesce(sum(s.tool_call_count), 0) AS tool_calls FROM sessions s WHERE ${window(p1)}`;
  const p2 = new Params();
  const typesSql = `SELECT e.component, coalesce(e.type, 'unknown') AS type, e.severity, count(*) AS n,
      count(*) FILTER (WHERE e.recovered) AS recovered, max(e.occurred_at) AS last_at
    FROM session_errors e JOIN sessions s ON s.session_id = e.session_id
    WHERE ${window(p2)}
    GROUP BY e.component, coalesce(e.type, 'unknown'), e.severity`;
  const [totals, types] = await Promise.all([wh.query(totalsSql, p1.values), wh.query(typesSql, p2.values)]);
  const t = totals[0] ?? {};
  const turns = num(t.turns) ?? 0;
  const toolCalls = num(t.tool_calls) ?? 0;
  const byType: ErrorTypeRow[] = types
    .map((r) => ({
      component: str(r.component) ?? 'other',
      type: str(r.type) ?? 'unknown',
      severity: str(r.severity) ?? 'error',
      count: num(r.n) ?? 0,
      recovered: num(r.recovered) ?? 0,
      last_at: iso(r.last_at),
    }))
    .sort(
      (a, b) => b.count - a.count || a.component.localeCompare(b.component) || a.type.localeCompare(b.type),
    );
  const rates = RATE_COMPONENTS.map((c) => {
    const rows = byType.filter((r) => (c === 'overall' ? r.component !== 'analytics' : r.component === c));
    const errors = rows.reduce((n, r) => n + r.count, 0);
    const unrecovered = rows.reduce((n, r) => n + r.count - r.recovered, 0);
    return rateOf(c, errors, unrecovered, turns, toolCalls, thresholds);
  });
  return {
    window: { from, to },
    sessions: num(t.sessions) ?? 0,
    turns,
    tool_calls: toolCalls,
    rates,
    by_type: byType.slice(0, 50),
  };
}

export interface ErrorRatePoint {
  from: string;
  turns: number;
  tool_calls: number;
  rates: Partial<Record<RateComponent, number | null>>;
}

/** The same rates per bucket of `bucketMinutes` over `[from, to)`, oldest first (empty buckets included). */
export async function errorRateSeries(
  wh: Warehouse,
  opts: { from: Date; to: Date; bucketMinutes: number },
): Promise<ErrorRatePoint[]> {
  const fromS = Math.floor(opts.from.getTime() / 1000);
  const bucketS = opts.bucketMinutes * 60;
  const count = Math.ceil((opts.to.getTime() / 1000 - fromS) / bucketS);
  const bucket = `floor((extract(epoch FROM s.ended_at) - ${int(fromS)}) / ${int(bucketS)})`;
  const p1 = new Params();
  const p2 = new Params();
  const window = (p: Params) =>
    `s.ended_at >= CAST(${p.add(opts.from.toISOString())} AS TIMESTAMPTZ) AND s.ended_at < CAST(${p.add(opts.to.toISOString())} AS TIMESTAMPTZ)`;
  const [totals, errors] = await Promise.all([
    wh.query(
      `SELECT ${bucket} AS b, coalesce(sum(s.turn_count), 0) AS turns, coalesce(sum(s.tool_call_count), 0) AS tool_calls
       FROM sessions s WHERE ${window(p1)} GROUP BY 1`,
      p1.values,
    ),
    wh.query(
      `SELECT ${bucket} AS b, e.component, count(*) AS n
       FROM session_errors e JOIN sessions s ON s.session_id = e.session_id
       WHERE ${window(p2)} AND ${PIPELINE} GROUP BY 1, 2`,
      p2.values,
    ),
  ]);
  const points: ErrorRatePoint[] = Array.from({ length: count }, (_, i) => ({
    from: new Date((fromS + i * bucketS) * 1000).toISOString(),
    turns: 0,
    tool_calls: 0,
    rates: {},
  }));
  const counts = points.map(() => new Map<string, number>());
  for (const r of totals) {
    const pt = points[num(r.b) ?? -1];
    if (!pt) continue;
    pt.turns = num(r.turns) ?? 0;
    pt.tool_calls = num(r.tool_calls) ?? 0;
  }
  for (const r of errors) {
    const m = counts[num(r.b) ?? -1];
    if (m) m.set(str(r.component) ?? 'other', num(r.n) ?? 0);
  }
  points.forEach((pt, i) => {
    const m = counts[i] as Map<string, number>;
    for (const c of RATE_COMPONENTS) {
      const n = c === 'overall' ? [...m.values()].reduce((a, b) => a + b, 0) : (m.get(c) ?? 0);
      const d = c === 'tool' ? pt.tool_calls : pt.turns;
      pt.rates[c] = d > 0 ? n / d : null;
    }
  });
  return points;
}
