/**
 * `/api/aggregates?hours=N`: what the dashboard charts, over sessions that ended in the last N
 * hours, for all sessions and split by agent prompt version (one `GROUPING SETS` query per facet,
 * so totals are computed, not summed from splits — percentiles cannot be summed).
 */
import { OUTCOMES, SIGNAL_NAMES, STAGES } from '../../../src/schema/index.js';
import type { LatencyComponent } from '../types.js';
import type { Row, Warehouse, WarehouseDriver } from '../warehouse/types.js';
import { TIERS } from './params.js';
import { num, Params } from './sql.js';

export const LATENCY_COMPONENTS: readonly LatencyComponent[] = ['eou', 'stt', 'llm', 'tts', 'e2e'];

/** Per-turn column behind each latency component. */
const LATENCY_COLUMN: Record<LatencyComponent, string> = {
  eou: 'eou_delay_ms',
  stt: 'transcription_delay_ms',
  llm: 'llm_ttft_ms',
  tts: 'tts_ttfb_ms',
  e2e: 'e2e_latency_ms',
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

const pair = (v: unknown): [number | null, number | null] =>
  Array.isArray(v) ? [num(v[0]), num(v[1])] : [null, null];

export async function aggregates(
  wh: Warehouse,
  opts: { hours: number; now?: Date; slas?: SlaTable },
): Promise<AggregatesResult> {
  const to = opts.now ?? new Date();
  const from = new Date(to.getTime() - opts.hours * 3_600_000);
  const p = new Params();
  const where = `WHERE s.ended_at >= CAST(${p.add(from.toISOString())} AS TIMESTAMPTZ)`;
  const facets = ['tier', 'outcome', 'stage_reached'] as const;
  // One scan of `sessions` for every facet: the totals, and each facet, overall and per version.
  const sets = [
    '(s.prompt_version)',
    '()',
    ...facets.flatMap((f) => [`(s.prompt_version, s.${f})`, `(s.${f})`]),
  ];
  const [sessionRows, latency] = await Promise.all([
    wh.query(
      `SELECT s.prompt_version, GROUPING(s.prompt_version) AS g,
              ${facets.map((f) => `s.${f}, GROUPING(s.${f}) AS g_${f}`).join(', ')},
              count(*) AS n, avg(s.score) AS avg_score,
              sum(s.cost_usd) AS cost, sum(s.cost_llm_usd) AS llm, sum(s.cost_stt_usd) AS stt,
              sum(s.cost_tts_usd) AS tts, sum(s.cost_livekit_usd) AS livekit,
              avg(s.signal_coverage) AS coverage,
              count(*) FILTER (WHERE s.sla_breach_count > 0) AS breached,
              ${SIGNAL_NAMES.map((n) => `count(s.${SIGNAL_COLUMN[n]}) AS sig_${n}`).join(', ')}
       FROM sessions s ${where} GROUP BY GROUPING SETS (${sets.join(', ')})`,
      p.values,
    ),
    wh.query(
      `SELECT s.prompt_version, GROUPING(s.prompt_version) AS g,
              ${LATENCY_COMPONENTS.map((c) => {
                const col = `t.${LATENCY_COLUMN[c]}`;
                return `count(${col}) AS ${c}_n, ${percentiles(wh.driver, col, [0.5, 0.95])} AS ${c}_p`;
              }).join(',\n')}
       FROM turns t JOIN sessions s ON s.session_id = t.session_id ${where} GROUP BY GROUPING SETS ((s.prompt_version), ())`,
      p.values,
    ),
  ]);
  const isFacet = (r: Row, f: (typeof facets)[number]) => num(r[`g_${f}`]) === 0;
  const base = sessionRows.filter((r) => facets.every((f) => !isFacet(r, f)));
  const facetRows = (f: (typeof facets)[number]): Row[] =>
    sessionRows.filter((r) => isFacet(r, f)).map((r) => ({ ...r, k: r[f] }));
  const [tiers, outcomes, stages] = facets.map(facetRows) as [Row[], Row[], Row[]];

  const out = new Map<string, Aggregate>([[TOTAL, empty()]]);
  const get = (k: string): Aggregate => {
    let a = out.get(k);
    if (!a) {
      a = empty();
      out.set(k, a);
    }
    return a;
  };

  for (const r of base) {
    const a = get(keyOf(r));
    a.sessions = num(r.n) ?? 0;
    a.avg_score = num(r.avg_score);
    a.cost.total_usd = num(r.cost) ?? 0;
    a.cost.per_session_usd = a.sessions > 0 ? a.cost.total_usd / a.sessions : null;
    a.cost.by_component_usd = {
      llm: num(r.llm) ?? 0,
      stt: num(r.stt) ?? 0,
      tts: num(r.tts) ?? 0,
      livekit: num(r.livekit) ?? 0,
    };
    a.signal_coverage.avg_ratio = num(r.coverage);
    for (const n of SIGNAL_NAMES) {
      a.signal_coverage.by_signal[n] = a.sessions > 0 ? (num(r[`sig_${n}`]) ?? 0) / a.sessions : 0;
    }
    a.sessions_with_sla_breach = num(r.breached) ?? 0;
  }
  for (const r of tiers) get(keyOf(r)).tiers[String(r.k)] = num(r.n) ?? 0;
  for (const r of outcomes) get(keyOf(r)).outcomes[String(r.k)] = num(r.n) ?? 0;
  for (const r of stages) {
    const a = get(keyOf(r));
    const reached = STAGES.indexOf(String(r.k) as (typeof STAGES)[number]);
    // A session that reached stage k also passed every stage before it.
    for (let i = 0; i <= reached; i++) {
      const row = a.funnel[i];
      if (row) row.sessions += num(r.n) ?? 0;
    }
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
    window: { hours: opts.hours, from: from.toISOString(), to: to.toISOString() },
    slas_p95_ms: slas,
    overall,
    by_prompt_version: Object.fromEntries([...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}
