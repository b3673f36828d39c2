/**
 * One evaluation of one rule: an `Observation` of its figure over its window, against its
 * threshold, with the level the figure must get back past before a firing alert resolves
 * (hysteresis). Session-based rules window on `sessions.ended_at`; dead letters on the worker's
 * own count; parked deliveries on `deliveries.updated_at`.
 *
 * status: `breach` (past the threshold: fire), `clear` (back past the resolve level: resolve),
 * `hold` (in between, or not enough data to judge: keep the current state).
 */

import type { Slas } from '../analysis/index.js';
import { iso, num, Params } from '../api/sql.js';
import { type ErrorThresholds, errorRates } from '../errors/error_rates.js';
import type { Warehouse } from '../warehouse/types.js';
import type { AlertRule, RuleOf } from './alert_config.js';

export type Unit = 'ms' | 'ratio' | 'usd' | 'count' | 'minutes';

export interface Observation {
  /** What the rule watched (`llm`, `overall`, …; `all` for whole-pipeline rules). */
  subject: string;
  status: 'breach' | 'clear' | 'hold';
  figure: number | null;
  threshold: number | null;
  /** The level a firing alert's figure must get back past to resolve. */
  resolve_at: number | null;
  unit: Unit;
  window: { from: string; to: string };
  /** Counts behind the figure (samples, sessions, baseline…). */
  evidence: Record<string, unknown>;
  /** One line for people: what was seen against what. */
  summary: string;
}

/** Dead letters this worker counted, sampled over time (see `DeadLetterLog`). */
export interface DeadLetterCounter {
  /** Messages dead-lettered in `[from, to)`. */
  countBetween(from: number, to: number): number;
}

export interface RuleContext {
  warehouse: Warehouse;
  now: Date;
  slas: Slas;
  thresholds: ErrorThresholds;
  deadLetters: DeadLetterCounter;
}

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

const LATENCY_COLUMN = {
  eou: 'eou_delay_ms',
  stt: 'transcription_delay_ms',
  llm: 'llm_ttft_ms',
  tts: 'tts_ttfb_ms',
  e2e: 'e2e_latency_ms',
} as const;

function windowOf(now: Date, minutes: number): { from: Date; to: Date } {
  return { from: new Date(now.getTime() - minutes * MIN), to: now };
}

const isoWindow = (w: { from: Date; to: Date }) => ({ from: w.from.toISOString(), to: w.to.toISOString() });

const endedIn = (p: Params, w: { from: Date; to: Date }, alias = 's') =>
  `${alias}.ended_at >= CAST(${p.add(w.from.toISOString())} AS TIMESTAMPTZ) AND ${alias}.ended_at < CAST(${p.add(w.to.toISOString())} AS TIMESTAMPTZ)`;

/** Above-threshold rules: breach past the threshold, clear at or below threshold × ratio. */
function above(figure: number | null, threshold: number, ratio: number, inclusive: boolean) {
  const resolveAt = threshold * ratio;
  if (figure === null) return { status: 'hold' as const, resolveAt };
  const breach = inclusive ? figure >= threshold : figure > threshold;
  return {
    status: breach ? ('breach' as const) : figure <= resolveAt ? ('clear' as const) : ('hold' as const),
    resolveAt,
  };
}

/** Below-threshold rules: breach under the threshold, clear at or above threshold ÷ ratio (at most `cap`). */
function below(figure: number | null, threshold: number, ratio: number, cap: number) {
  const resolveAt = Math.min(cap, threshold / ratio);
  if (figure === null) return { status: 'hold' as const, resolveAt };
  const status = figure < threshold ? 'breach' : figure >= resolveAt ? 'clear' : 'hold';
  return { status: status as Observation['status'], resolveAt };
}

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);

async function latency(rule: RuleOf<'latency_p95'>, ctx: RuleContext): Promise<Observation> {
  const w = windowOf(ctx.now, rule.window_minutes);
  const threshold = rule.threshold_ms ?? ctx.slas[rule.component];
  const col = `t.${LATENCY_COLUMN[rule.component]}`;
  const p = new Params();
  const [row] = await ctx.warehouse.query(
    `SELECT count(${col}) AS n, percentile_cont(0.95) WITHIN GROUP (ORDER BY ${col}) AS p95
     FROM turns t JOIN sessions s ON s.session_id = t.session_id
     WHERE ${endedIn(p, w)} AND ${col} IS NOT NULL`,
    p.values,
  );
  const samples = num(row?.n) ?? 0;
  const p95 = samples >= rule.min_samples ? num(row?.p95) : null;
  const base = { subject: rule.component, unit: 'ms' as const, window: isoWindow(w) };
  if (threshold === null || threshold === undefined) {
    return {
      ...base,
      status: 'hold',
      figure: p95,
      threshold: null,
      resolve_at: null,
      evidence: { samples, sla: 'none' },
      summary: `${rule.component} p95 has no SLA`,
    };
  }
  const j = above(p95, threshold, rule.resolve_ratio, false);
  return {
    ...base,
    status: j.status,
    figure: p95,
    threshold,
    resolve_at: j.resolveAt,
    evidence: { samples, min_samples: rule.min_samples },
    summary:
      p95 === null
        ? `${rule.component} p95: ${samples} of ${rule.min_samples} turns needed in ${rule.window_minutes} min`
        : `${rule.component} p95 ${Math.round(p95)} ms vs SLA ${threshold} ms over ${rule.window_minutes} min (${samples} turns)`,
  };
}

async function errorRate(rule: RuleOf<'error_rate'>, ctx: RuleContext): Promise<Observation> {
  const w = windowOf(ctx.now, rule.window_minutes);
  const threshold = rule.threshold ?? ctx.thresholds[rule.component];
  const r = await errorRates(ctx.warehouse, { from: w.from, to: w.to, thresholds: ctx.thresholds });
  const rate = r.rates.find((x) => x.component === rule.component);
  const requests = rate?.requests ?? 0;
  const figure = rate && requests >= rule.min_requests ? rate.rate : null;
  const j = above(figure, threshold, rule.resolve_ratio, true);
  const per = rate?.per ?? 'turn';
  return {
    subject: rule.component,
    status: j.status,
    figure,
    threshold,
    resolve_at: j.resolveAt,
    unit: 'ratio',
    window: isoWindow(w),
    evidence: {
      errors: rate?.errors ?? 0,
      unrecovered: rate?.unrecovered ?? 0,
      requests,
      per,
      min_requests: rule.min_requests,
    },
    summary:
      figure === null
        ? `${rule.component} error rate: ${requests} of ${rule.min_requests} ${per}s needed in ${rule.window_minutes} min`
        : `${rule.component} error rate ${pct(figure)} (${rate?.errors} errors / ${requests} ${per}s) vs ${pct(threshold)} over ${rule.window_minutes} min`,
  };
}

async function sessionsStat(
  ctx: RuleContext,
  w: { from: Date; to: Date },
): Promise<{ sessions: number; booked: number; cost: number | null }> {
  const p = new Params();
  const [row] = await ctx.warehouse.query(
    `SELECT count(*) AS n, count(*) FILTER (WHERE s.outcome = 'meeting_booked') AS booked, avg(s.cost_usd) AS cost
     FROM sessions s WHERE ${endedIn(p, w)}`,
    p.values,
  );
  return { sessions: num(row?.n) ?? 0, booked: num(row?.booked) ?? 0, cost: num(row?.cost) };
}

function baselineWindow(now: Date, windowMinutes: number, days: number) {
  const to = new Date(now.getTime() - windowMinutes * MIN);
  return { from: new Date(to.getTime() - days * DAY), to };
}

async function booking(rule: RuleOf<'booking_rate_drop'>, ctx: RuleContext): Promise<Observation> {
  const w = windowOf(ctx.now, rule.window_minutes);
  const bw = baselineWindow(ctx.now, rule.window_minutes, rule.baseline_days);
  const [cur, base] = await Promise.all([sessionsStat(ctx, w), sessionsStat(ctx, bw)]);
  const enough = cur.sessions >= rule.min_sessions && base.sessions >= rule.min_sessions;
  const baseline = base.sessions > 0 ? base.booked / base.sessions : null;
  const figure = enough ? cur.booked / cur.sessions : null;
  const threshold = baseline === null ? null : baseline * (1 - rule.drop_ratio);
  const evidence = {
    sessions: cur.sessions,
    booked: cur.booked,
    baseline_sessions: base.sessions,
    baseline_booked: base.booked,
    baseline_rate: baseline,
    baseline_window: isoWindow(bw),
    min_sessions: rule.min_sessions,
  };
  if (threshold === null || baseline === null || baseline === 0) {
    return {
      subject: 'all',
      status: 'hold',
      figure,
      threshold,
      resolve_at: null,
      unit: 'ratio',
      window: isoWindow(w),
      evidence,
      summary: 'booking rate: no baseline yet',
    };
  }
  const j = below(figure, threshold, rule.resolve_ratio, baseline);
  return {
    subject: 'all',
    status: enough ? j.status : 'hold',
    figure,
    threshold,
    resolve_at: j.resolveAt,
    unit: 'ratio',
    window: isoWindow(w),
    evidence,
    summary: enough
      ? `booking rate ${pct(figure)} (${cur.booked}/${cur.sessions}) vs ${pct(threshold)} (baseline ${pct(baseline)} over ${rule.baseline_days} d, −${Math.round(rule.drop_ratio * 100)}%)`
      : `booking rate: ${cur.sessions} of ${rule.min_sessions} sessions needed in ${rule.window_minutes} min`,
  };
}

async function cost(rule: RuleOf<'cost_per_call_spike'>, ctx: RuleContext): Promise<Observation> {
  const w = windowOf(ctx.now, rule.window_minutes);
  const bw = baselineWindow(ctx.now, rule.window_minutes, rule.baseline_days);
  const [cur, base] = await Promise.all([sessionsStat(ctx, w), sessionsStat(ctx, bw)]);
  const enough = cur.sessions >= rule.min_sessions && base.sessions >= rule.min_sessions;
  const figure = enough ? cur.cost : null;
  const threshold = base.cost === null || base.sessions < rule.min_sessions ? null : base.cost * rule.factor;
  const evidence = {
    sessions: cur.sessions,
    baseline_sessions: base.sessions,
    baseline_cost_usd: base.cost,
    baseline_window: isoWindow(bw),
    factor: rule.factor,
  };
  if (threshold === null || threshold === 0) {
    return {
      subject: 'all',
      status: 'hold',
      figure,
      threshold,
      resolve_at: null,
      unit: 'usd',
      window: isoWindow(w),
      evidence,
      summary: 'cost per call: no baseline yet',
    };
  }
  const j = above(figure, threshold, rule.resolve_ratio, false);
  return {
    subject: 'all',
    status: j.status,
    figure,
    threshold,
    resolve_at: j.resolveAt,
    unit: 'usd',
    window: isoWindow(w),
    evidence,
    summary:
      figure === null
        ? `cost per call: ${cur.sessions} of ${rule.min_sessions} sessions needed in ${rule.window_minutes} min`
        : `cost per call $${figure.toFixed(4)} vs $${threshold.toFixed(4)} (${rule.factor}× the ${rule.baseline_days}-day mean)`,
  };
}

function deadLetters(rule: RuleOf<'dead_letter_growth'>, ctx: RuleContext): Observation {
  const w = windowOf(ctx.now, rule.window_minutes);
  const figure = ctx.deadLetters.countBetween(w.from.getTime(), w.to.getTime() + 1);
  const j = above(figure, rule.max_new, rule.resolve_ratio, false);
  return {
    subject: 'queue',
    status: j.status,
    figure,
    threshold: rule.max_new,
    resolve_at: j.resolveAt,
    unit: 'count',
    window: isoWindow(w),
    evidence: { dead_lettered: figure },
    summary: `${figure} message(s) dead-lettered in ${rule.window_minutes} min (allowed ${rule.max_new})`,
  };
}

async function parked(rule: RuleOf<'parked_deliveries'>, ctx: RuleContext): Promise<Observation> {
  const w = windowOf(ctx.now, rule.window_minutes);
  const p = new Params();
  const rows = await ctx.warehouse.query(
    `SELECT d.destination, count(*) AS n FROM deliveries d
     WHERE d.status = 'parked' AND d.updated_at >= CAST(${p.add(w.from.toISOString())} AS TIMESTAMPTZ)
       AND d.updated_at <= CAST(${p.add(w.to.toISOString())} AS TIMESTAMPTZ)
     GROUP BY d.destination`,
    p.values,
  );
  const by = Object.fromEntries(rows.map((r) => [String(r.destination), num(r.n) ?? 0]));
  const figure = Object.values(by).reduce((a, b) => a + b, 0);
  const j = above(figure, rule.max_parked, rule.resolve_ratio, false);
  return {
    subject: 'deliveries',
    status: j.status,
    figure,
    threshold: rule.max_parked,
    resolve_at: j.resolveAt,
    unit: 'count',
    window: isoWindow(w),
    evidence: { by_destination: by },
    summary: `${figure} delivery(ies) parked in ${rule.window_minutes} min (allowed ${rule.max_parked})`,
  };
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** Whether `at` falls within the configured hours, in their time zone. */
export function withinHours(at: Date, hours: RuleOf<'no_sessions'>['hours']): boolean {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: hours.time_zone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = get('weekday').toLowerCase().slice(0, 3) as (typeof DAY_NAMES)[number];
  const hhmm = `${get('hour')}:${get('minute')}`;
  return hours.days.includes(day as never) && hhmm >= hours.from && hhmm < hours.to;
}

async function noSessions(rule: RuleOf<'no_sessions'>, ctx: RuleContext): Promise<Observation> {
  const [row] = await ctx.warehouse.query(
    'SELECT max(ended_at) AS last FROM sessions WHERE ended_at <= CAST($1 AS TIMESTAMPTZ)',
    [ctx.now.toISOString()],
  );
  const last = iso(row?.last);
  const figure = last === null ? null : Math.max(0, (ctx.now.getTime() - Date.parse(last)) / MIN);
  const w = windowOf(ctx.now, rule.minutes);
  const inHours = withinHours(ctx.now, rule.hours);
  const evidence = { last_session_ended_at: last, within_hours: inHours, hours: rule.hours };
  const base = {
    subject: 'all',
    threshold: rule.minutes,
    unit: 'minutes' as const,
    window: isoWindow(w),
    evidence,
  };
  if (!inHours) {
    return {
      ...base,
      status: 'clear',
      figure,
      resolve_at: rule.minutes * rule.resolve_ratio,
      summary: 'outside the configured hours',
    };
  }
  // No session ever counts as silence for the whole window.
  const j = above(figure ?? Number.POSITIVE_INFINITY, rule.minutes, rule.resolve_ratio, false);
  return {
    ...base,
    status: j.status,
    figure,
    resolve_at: j.resolveAt,
    summary:
      figure === null
        ? 'no session has ever ended'
        : `last session ended ${Math.round(figure)} min ago (allowed ${rule.minutes} min during ${rule.hours.from}–${rule.hours.to} ${rule.hours.time_zone})`,
  };
}

export function evaluateRule(rule: AlertRule, ctx: RuleContext): Promise<Observation> {
  switch (rule.kind) {
    case 'latency_p95':
      return latency(rule, ctx);
    case 'error_rate':
      return errorRate(rule, ctx);
    case 'booking_rate_drop':
      return booking(rule, ctx);
    case 'cost_per_call_spike':
      return cost(rule, ctx);
    case 'dead_letter_growth':
      return Promise.resolve(deadLetters(rule, ctx));
    case 'parked_deliveries':
      return parked(rule, ctx);
    case 'no_sessions':
      return noSessions(rule, ctx);
    default: {
      const never: never = rule;
      throw new Error(`unknown rule kind ${String((never as { kind?: unknown }).kind)}`);
    }
  }
}
