/**
 * `/api/aggregates?hours=N`: what the dashboard charts, over sessions that ended in the last N
 * hours, for all sessions and split by agent prompt version (one `GROUPING SETS` query per facet,
 * so totals are computed, not summed from splits — percentiles cannot be summed).
 *
 * Latency percentiles are `percentile_cont` over the window's turns with each value rounded to a
 * whole millisecond first (within 0.5 ms of the raw percentile; the same on both backends).
 */
import { OUTCOMES, SIGNAL_NAMES, STAGES } from '../../../src/schema/index.js';
import type { LatencyComponent } from '../types.js';
import type { Row, Warehouse, WarehouseDriver } from '../warehouse/types.js';
import { TIERS } from './params.js';
import { num, Params } from './sql.js';

export const LATENCY_COMPONENTS: readonly LatencyComponent[] = [
  'eou',
  'stt',
  'llm',
  'tts',
  'e2e',
  'perceived',
];

/** Per-turn column behind each latency component. */
const LATENCY_COLUMN: Record<LatencyComponent, string> = {
  eou: 'eou_delay_ms',
  stt: 'transcription_delay_ms',
  llm: 'llm_ttft_ms',
  tts: 'tts_ttfb_ms',
  e2e: 'e2e_latency_ms',
  perceived: 'perceived_latency_ms',
};

/** Per-session column behind each signal's coverage. */
const SIGNAL_COLUMN: Record<(typeof SIGNAL_NAMES)[number], string> = {
  team_size: 'team_size',
  monthly_volume: 'monthly_volume',
  integration_needs: 'integrations',
  urgency: 'urgency',
  industry: 'industry',
};

export type SlaTable = Partial<Record<LatencyComponent, number | null>>;

export interface LatencyRow {
  component: LatencyComponent;
  samples: number;
  /** Over the turns' values rounded to whole ms (within 0.5 ms of the raw percentile). */
  p50_ms: number | null;
  p95_ms: number | null;
  sla_p95_ms: number | null;
  breached: boolean;
}

export interface Aggregate {
  sessions: number;
  avg_score: number | null;
  tiers: Record<string, number>;
  outcomes: Record<string, number>;
  /** Sessions that reached at least each stage, in stage order. */
  funnel: Array<{ stage: string; sessions: number; ratio: number }>;
  latency: LatencyRow[];
  cost: {
    total_usd: number;
    per_session_usd: number | null;
    by_component_usd: { llm: number; stt: number; tts: number; livekit: number };
  };
  signal_coverage: { avg_ratio: number | null; by_signal: Record<string, number> };
  sessions_with_sla_breach: number;
}

export interface AggregatesResult {
  /** When these numbers were computed (a cached answer can be up to the cache's age older). */
  generated_at: string;
  window: { hours: number; from: string; to: string };
  slas_p95_ms: SlaTable;
  overall: Aggregate;
  by_prompt_version: Record<string, Aggregate>;
}

const TOTAL = '\u0000total';

function empty(): Aggregate {
  return {
    sessions: 0,
    avg_score: null,
    tiers: Object.fromEntries(TIERS.map((t) => [t, 0])),
    outcomes: Object.fromEntries(OUTCOMES.map((o) => [o, 0])),
    funnel: STAGES.map((stage) => ({ stage, sessions: 0, ratio: 0 })),
    latency: [],
    cost: { total_usd: 0, per_session_usd: null, by_component_usd: { llm: 0, stt: 0, tts: 0, livekit: 0 } },
    signal_coverage: { avg_ratio: null, by_signal: Object.fromEntries(SIGNAL_NAMES.map((n) => [n, 0])) },
    sessions_with_sla_breach: 0,
  };
}

/** Key of a GROUPING SETS row: the prompt version, or the total row when it was grouped away. */
const keyOf = (r: Row): string => (num(r.g) === 1 ? TOTAL : String(r.prompt_version));

/** The percentiles every latency component reports. */
const PS = [0.5, 0.95] as const;

/**
 * A latency value as the percentiles see it: rounded to a whole millisecond (halves up). Exact
 * percentiles over raw doubles cost DuckDB several times more than over whole milliseconds (see
 * `duckdbLatencySql`); the result is within 0.5 ms of the raw one, and both backends round alike.
 */
const wholeMs = (col: string) => `floor(${col} + 0.5)`;

/**
 * Continuous percentiles of `col` as one list-valued aggregate. DuckDB's `quantile_cont` is several
 * times faster than its ordered-set `percentile_cont … WITHIN GROUP`; PostgreSQL only has the latter.
 */
export function percentiles(driver: WarehouseDriver, col: string, ps: readonly number[]): string {
  const list = ps.map((p) => String(p)).join(', ');
  return driver === 'duckdb'
    ? `quantile_cont(${col}, [${list}])`
    : `percentile_cont(ARRAY[${list}]::float8[]) WITHIN GROUP (ORDER BY ${col})`;
}

/** Turns of sessions in the window, with their session's prompt version (`$1` = window start). */
const WINDOW_TURNS = `SELECT s.prompt_version, ${LATENCY_COMPONENTS.map((c) => `t.${LATENCY_COLUMN[c]} AS ${c}`).join(', ')}
  FROM turns t JOIN sessions s ON s.session_id = t.session_id
  WHERE s.ended_at >= CAST($1 AS TIMESTAMPTZ)`;

/**
 * PostgreSQL: one ordered-set aggregate per component over the joined turns, per prompt version
 * and in total. Rows: prompt_version, g (1 = total), `<c>_n`, `<c>_p` ([p50, p95]).
 */
function postgresLatencySql(): string {
  return `SELECT prompt_version, GROUPING(prompt_version) AS g,
    ${LATENCY_COMPONENTS.map((c) => `count(${c}) AS ${c}_n, ${percentiles('postgres', wholeMs(c), PS)} AS ${c}_p`).join(',\n    ')}
  FROM (${WINDOW_TURNS}) j GROUP BY GROUPING SETS ((prompt_version), ())`;
}

/**
 * DuckDB: the same percentiles from a histogram. The joined turns are materialised once; each
 * component becomes (prompt version, whole ms, count) rows — a few thousand, however many turns —
 * then running counts find the two order statistics each percentile interpolates between
 * (`percentile_cont`: rank p·(n−1), between the values at floor and ceil of it). `quantile_cont`
 * per component and grouping set kept every value and took most of the request's time.
 * Rows: c (component, '' = the group's turn count), prompt_version, g, n, lo_<i>/hi_<i> per PS[i].
 */
function duckdbLatencySql(): string {
  const hist = LATENCY_COMPONENTS.map(
    (c) =>
      `SELECT '${c}' AS c, prompt_version, ${wholeMs(c)} AS v, count(*) AS n FROM j WHERE ${c} IS NOT NULL GROUP BY ALL`,
  );
  const picks = PS.flatMap((p, i) => [
    `min(v) FILTER (WHERE hi > floor(${p} * (total - 1))) AS lo_${i}`,
    `min(v) FILTER (WHERE hi > ceil(${p} * (total - 1))) AS hi_${i}`,
  ]);
  return `WITH j AS MATERIALIZED (${WINDOW_TURNS}),
  h AS (SELECT '' AS c, prompt_version, CAST(NULL AS DOUBLE) AS v, count(*) AS n FROM j GROUP BY ALL
        UNION ALL ${hist.join('\n        UNION ALL ')}),
  g AS (SELECT c, prompt_version, GROUPING(prompt_version) AS g, v, sum(n) AS n
        FROM h GROUP BY GROUPING SETS ((c, prompt_version, v), (c, v))),
  cum AS (SELECT c, prompt_version, g, v,
                 sum(n) OVER (PARTITION BY c, prompt_version, g ORDER BY v ROWS UNBOUNDED PRECEDING) AS hi,
                 sum(n) OVER (PARTITION BY c, prompt_version, g) AS total
          FROM g)
  SELECT c, prompt_version, g, any_value(total) AS n, ${picks.join(', ')}
  FROM cum GROUP BY c, prompt_version, g`;
}

const pair = (v: unknown): [number | null, number | null] =>
  Array.isArray(v) ? [num(v[0]), num(v[1])] : [null, null];

/** DuckDB histogram rows in the PostgreSQL shape: one row per group, `<c>_n` and `<c>_p`. */
function fromHistogram(rows: readonly Row[]): Row[] {
  const groups = new Map<string, Row>();
  for (const r of rows) {
    const key = num(r.g) === 1 ? TOTAL : String(r.prompt_version);
    let out = groups.get(key);
    if (!out) {
      out = { prompt_version: r.prompt_version, g: r.g };
      for (const c of LATENCY_COMPONENTS) {
        out[`${c}_n`] = 0;
        out[`${c}_p`] = null;
      }
      groups.set(key, out);
    }
    const c = String(r.c);
    if (c === '') continue;
    const n = num(r.n) ?? 0;
    out[`${c}_n`] = n;
    out[`${c}_p`] = PS.map((p, i) => {
      const lo = num(r[`lo_${i}`]);
      const hi = num(r[`hi_${i}`]);
      if (lo === null || hi === null) return null;
      const rank = p * (n - 1);
      return lo + (hi - lo) * (rank - Math.floor(rank));
    });
  }
  return [...groups.values()];
}

export async function aggregates(
  wh: Warehouse,
  opts: { hours: number; now?: Date; slas?: SlaTable },
): Promise<AggregatesResult> {
  const to = opts.now ?? new Date();
  const from = new Date(to.getTime() - opts.hours * 3_600_000);
  const p = new Params();
  const where = `WHERE s.ended_at >= CAST(${p.add(from.toISOString())} AS TIMESTAMPTZ)`;
  // One scan of `sessions`, grouped as finely as the facets need (version × tier × outcome ×
  // stage: hundreds of rows at most); totals and facets, overall and per version, are summed from
  // those rows here. Every figure is a count or a sum, so that is exact (averages are sum / count;
  // doubles summed in another order may differ in the last bits). One GROUP BY costs DuckDB a
  // third of the eight GROUPING SETS it replaces.
  const [sessionRows, latency] = await Promise.all([
    wh.query(
      `SELECT s.prompt_version, s.tier, s.outcome, s.stage_reached,
              count(*) AS n, sum(s.score) AS score,
              sum(s.cost_usd) AS cost, sum(s.cost_llm_usd) AS llm, sum(s.cost_stt_usd) AS stt,
              sum(s.cost_tts_usd) AS tts, sum(s.cost_livekit_usd) AS livekit,
              sum(s.signal_coverage) AS coverage,
              count(*) FILTER (WHERE s.sla_breach_count > 0) AS breached,
              ${SIGNAL_NAMES.map((n) => `count(s.${SIGNAL_COLUMN[n]}) AS sig_${n}`).join(', ')}
       FROM sessions s ${where} GROUP BY s.prompt_version, s.tier, s.outcome, s.stage_reached`,
      p.values,
    ),
    wh.driver === 'duckdb'
      ? wh.query(duckdbLatencySql(), p.values).then(fromHistogram)
      : wh.query(postgresLatencySql(), p.values),
  ]);

  const out = new Map<string, Aggregate>([[TOTAL, empty()]]);
  const sums = new Map<Aggregate, { score: number; coverage: number }>();
  const get = (k: string): Aggregate => {
    let a = out.get(k);
    if (!a) {
      a = empty();
      out.set(k, a);
    }
    return a;
  };

  for (const r of sessionRows) {
    const n = num(r.n) ?? 0;
    const reached = STAGES.indexOf(String(r.stage_reached) as (typeof STAGES)[number]);
    for (const a of [get(TOTAL), get(String(r.prompt_version))]) {
      const sum = sums.get(a) ?? { score: 0, coverage: 0 };
      sums.set(a, sum);
      a.sessions += n;
      sum.score += num(r.score) ?? 0;
      sum.coverage += num(r.coverage) ?? 0;
      a.cost.total_usd += num(r.cost) ?? 0;
      const c = a.cost.by_component_usd;
      c.llm += num(r.llm) ?? 0;
      c.stt += num(r.stt) ?? 0;
      c.tts += num(r.tts) ?? 0;
      c.livekit += num(r.livekit) ?? 0;
      a.sessions_with_sla_breach += num(r.breached) ?? 0;
      const by = a.signal_coverage.by_signal;
      for (const s of SIGNAL_NAMES) by[s] = (by[s] ?? 0) + (num(r[`sig_${s}`]) ?? 0);
      a.tiers[String(r.tier)] = (a.tiers[String(r.tier)] ?? 0) + n;
      a.outcomes[String(r.outcome)] = (a.outcomes[String(r.outcome)] ?? 0) + n;
      // A session that reached stage k also passed every stage before it.
      for (let i = 0; i <= reached; i++) {
        const row = a.funnel[i];
        if (row) row.sessions += n;
      }
    }
  }
  for (const [a, sum] of sums) {
    if (a.sessions === 0) continue;
    a.avg_score = sum.score / a.sessions;
    a.signal_coverage.avg_ratio = sum.coverage / a.sessions;
    a.cost.per_session_usd = a.cost.total_usd / a.sessions;
    const by = a.signal_coverage.by_signal;
    for (const s of SIGNAL_NAMES) by[s] = (by[s] ?? 0) / a.sessions;
  }
  for (const a of out.values()) {
    for (const f of a.funnel) f.ratio = a.sessions > 0 ? f.sessions / a.sessions : 0;
  }
  const slas = opts.slas ?? {};
  for (const r of latency) {
    get(keyOf(r)).latency = LATENCY_COMPONENTS.map((c) => {
      const [p50, p95] = pair(r[`${c}_p`]);
      const sla = slas[c] ?? null;
      return {
        component: c,
        samples: num(r[`${c}_n`]) ?? 0,
        p50_ms: p50,
        p95_ms: p95,
        sla_p95_ms: sla,
        breached: sla !== null && p95 !== null && p95 > sla,
      };
    });
  }
  const overall = out.get(TOTAL) ?? empty();
  if (overall.latency.length === 0) {
    overall.latency = LATENCY_COMPONENTS.map((c) => ({
      component: c,
      samples: 0,
      p50_ms: null,
      p95_ms: null,
      sla_p95_ms: slas[c] ?? null,
      breached: false,
    }));
  }
  out.delete(TOTAL);
  return {
    generated_at: to.toISOString(),
    window: { hours: opts.hours, from: from.toISOString(), to: to.toISOString() },
    slas_p95_ms: slas,
    overall,
    by_prompt_version: Object.fromEntries([...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}
