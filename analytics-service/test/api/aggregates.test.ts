import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregates } from '../../src/api/index.js';
import type { LatencyComponent, ScoredSession } from '../../src/types.js';
import { DuckDbWarehouse } from '../../src/warehouse/duckdb_warehouse.js';
import { PostgresWarehouse } from '../../src/warehouse/postgres_warehouse.js';
import type { Warehouse } from '../../src/warehouse/types.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { fixtureSessions, RECENT_COUNT } from './fixtures.js';

const NOW = new Date('2026-11-21T12:00:00.000Z');
type TurnField =
  | 'eou_delay_ms'
  | 'transcription_delay_ms'
  | 'llm_ttft_ms'
  | 'tts_ttfb_ms'
  | 'e2e_latency_ms'
  | 'perceived_latency_ms';
const FIELD: Record<LatencyComponent, TurnField> = {
  eou: 'eou_delay_ms',
  stt: 'transcription_delay_ms',
  llm: 'llm_ttft_ms',
  tts: 'tts_ttfb_ms',
  e2e: 'e2e_latency_ms',
  perceived: 'perceived_latency_ms',
};

/** Fixture sessions with fractional latencies (ties at .5 included) and some missing values. */
function sessions(): ScoredSession[] {
  return fixtureSessions(NOW).map((s, i) => ({
    ...s,
    payload: {
      ...s.payload,
      turns: s.payload.turns.map((t, k) => ({
        ...t,
        eou_delay_ms: k === 1 && i % 3 === 0 ? null : 180 + ((i * 37 + k * 11) % 90) + 0.5,
        transcription_delay_ms: 90 + ((i * 13 + k * 7) % 40) * 1.37,
        llm_ttft_ms: 400 + ((i * 53 + k * 29) % 300) + 0.25 * (k % 3),
        tts_ttfb_ms: i === 4 ? null : 150 + ((i + k) % 9) * 12.4,
        e2e_latency_ms: 700 + ((i * 71 + k * 43) % 500) * 1.013,
        perceived_latency_ms: k === 2 ? null : 760 + ((i * 29 + k * 17) % 400) * 1.07,
      })),
    },
  }));
}

/** `percentile_cont(p)` over values rounded to whole ms (halves up), as the API documents. */
function percentileCont(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const xs = values.map((v) => Math.floor(v + 0.5)).sort((a, b) => a - b);
  const rank = p * (xs.length - 1);
  const lo = xs[Math.floor(rank)] as number;
  const hi = xs[Math.ceil(rank)] as number;
  return lo + (hi - lo) * (rank - Math.floor(rank));
}

function exactPercentile(values: readonly number[], p: number): number {
  const xs = [...values].sort((a, b) => a - b);
  const rank = p * (xs.length - 1);
  const lo = xs[Math.floor(rank)] as number;
  const hi = xs[Math.ceil(rank)] as number;
  return lo + (hi - lo) * (rank - Math.floor(rank));
}

let dir: string;
let pgServer: TestPostgres | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-agg-'));
});
afterAll(async () => {
  await pgServer?.stop();
  await rm(dir, { recursive: true, force: true });
});

function suite(name: string, open: () => Promise<Warehouse>) {
  describe(`aggregates latency (${name})`, () => {
    let wh: Warehouse;
    const data = sessions();
    beforeAll(async () => {
      wh = await open();
      await wh.migrate();
      await wh.upsertSessions(data);
    });
    afterAll(async () => wh?.close());

    it('reports p50/p95 per component over whole-ms values, overall and per prompt version', async () => {
      const a = await aggregates(wh, { hours: 24, now: NOW });
      const recent = data.slice(0, RECENT_COUNT);
      const groups: Array<[string, ScoredSession[], (typeof a)['overall']]> = [
        ['overall', recent, a.overall],
        ...Object.entries(a.by_prompt_version).map(
          ([v, agg]) =>
            [v, recent.filter((s) => s.payload.agent.prompt_version === v), agg] as [
              string,
              ScoredSession[],
              typeof agg,
            ],
        ),
      ];
      expect(groups).toHaveLength(3);
      for (const [label, members, agg] of groups) {
        for (const row of agg.latency) {
          const values = members.flatMap((s) =>
            s.payload.turns.map((t) => t[FIELD[row.component]]).filter((v): v is number => v !== null),
          );
          const at = `${label} ${row.component}`;
          expect(row.samples, at).toBe(values.length);
          expect(row.p50_ms, at).toBeCloseTo(percentileCont(values, 0.5) as number, 9);
          expect(row.p95_ms, at).toBeCloseTo(percentileCont(values, 0.95) as number, 9);
          expect(Math.abs((row.p95_ms as number) - exactPercentile(values, 0.95)), at).toBeLessThanOrEqual(
            0.5,
          );
        }
      }
    });

    it('sums facets and totals from the window, as per-group SQL computes them directly', async () => {
      const a = await aggregates(wh, { hours: 24, now: NOW });
      const from = new Date(NOW.getTime() - 24 * 3_600_000).toISOString();
      const groups: Array<[string, (typeof a)['overall']]> = [
        ['', a.overall],
        ...Object.entries(a.by_prompt_version),
      ];
      for (const [version, agg] of groups) {
        const where = `WHERE ended_at >= CAST($1 AS TIMESTAMPTZ)${version ? ' AND prompt_version = $2' : ''}`;
        const params = version ? [from, version] : [from];
        const [t] = await wh.query(
          `SELECT count(*) AS n, avg(score) AS score, sum(cost_usd) AS cost, sum(cost_llm_usd) AS llm,
                  avg(signal_coverage) AS coverage, count(industry) AS industry,
                  count(*) FILTER (WHERE sla_breach_count > 0) AS breached
           FROM sessions ${where}`,
          params,
        );
        expect(agg.sessions, version).toBe(Number(t?.n));
        expect(agg.avg_score, version).toBeCloseTo(Number(t?.score), 9);
        expect(agg.cost.total_usd, version).toBeCloseTo(Number(t?.cost), 12);
        expect(agg.cost.by_component_usd.llm, version).toBeCloseTo(Number(t?.llm), 12);
        expect(agg.signal_coverage.avg_ratio, version).toBeCloseTo(Number(t?.coverage), 12);
        expect(agg.signal_coverage.by_signal.industry, version).toBeCloseTo(
          Number(t?.industry) / agg.sessions,
          12,
        );
        expect(agg.sessions_with_sla_breach, version).toBe(Number(t?.breached));
        for (const facet of ['tier', 'outcome'] as const) {
          const rows = await wh.query(
            `SELECT ${facet} AS k, count(*) AS n FROM sessions ${where} GROUP BY ${facet}`,
            params,
          );
          const got = facet === 'tier' ? agg.tiers : agg.outcomes;
          for (const r of rows) expect(got[String(r.k)], `${version} ${facet} ${r.k}`).toBe(Number(r.n));
          expect(Object.values(got).reduce((x, y) => x + y, 0)).toBe(agg.sessions);
        }
        const stages = await wh.query(
          `SELECT stage_reached AS k, count(*) AS n FROM sessions ${where} GROUP BY stage_reached`,
          params,
        );
        const reached = new Map(stages.map((r) => [String(r.k), Number(r.n)]));
        agg.funnel.forEach((f, i) => {
          const atOrBeyond = agg.funnel.slice(i).reduce((x, g) => x + (reached.get(g.stage) ?? 0), 0);
          expect(f.sessions, `${version} ${f.stage}`).toBe(atOrBeyond);
        });
      }
    });

    it('reports no samples and null percentiles for a window without turns', async () => {
      const a = await aggregates(wh, { hours: 24, now: new Date(NOW.getTime() + 60 * 86_400_000) });
      expect(a.overall.sessions).toBe(0);
      expect(a.overall.avg_score).toBeNull();
      expect(a.overall.cost.per_session_usd).toBeNull();
      expect(a.by_prompt_version).toEqual({});
      expect(a.overall.latency.map((l) => [l.samples, l.p50_ms, l.p95_ms])).toEqual(
        Array.from({ length: 6 }, () => [0, null, null]),
      );
    });
  });
}

suite('duckdb', () => DuckDbWarehouse.open(join(dir, 'agg.duckdb')));
suite('postgres', async () => {
  pgServer = await startPostgres();
  return PostgresWarehouse.open(await pgServer.createDatabase('agg_test'));
});
