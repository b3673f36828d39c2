import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLAS } from '../../src/analysis/index.js';
import { buildApiServer } from '../../src/api/index.js';
import { warehouseAnalysisCache } from '../../src/intelligence/warehouse_cache.js';
import type { ScoredSession } from '../../src/types.js';
import { DuckDbWarehouse } from '../../src/warehouse/duckdb_warehouse.js';
import { PostgresWarehouse } from '../../src/warehouse/postgres_warehouse.js';
import type { Warehouse } from '../../src/warehouse/types.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { scoredFromPayload } from '../warehouse/scored_fixture.js';
import { analysedSession } from './analysed.js';
import { callWithoutTranscript } from './fixtures.js';

const TOKEN = 'intelligence-test-token-0001';
const auth = { authorization: `Bearer ${TOKEN}` };
let dir: string;
let pg: TestPostgres | undefined;
let analysed: ScoredSession;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-intel-'));
  analysed = await analysedSession();
});
afterAll(async () => {
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

function suite(name: string, open: () => Promise<Warehouse>) {
  describe(`post-call intelligence through the warehouse and API (${name})`, () => {
    let wh: Warehouse;
    let app: FastifyInstance;
    const now = new Date(Date.parse('2026-11-20T16:00:00.000Z'));
    beforeAll(async () => {
      wh = await open();
      await wh.migrate();
      const plain = scoredFromPayload({ ...callWithoutTranscript(), session_id: 'sess_plain' });
      // Written twice: the child rows are replaced, not doubled.
      await wh.upsertSessions([analysed, plain]);
      await wh.upsertSessions([analysed]);
      app = buildApiServer({
        warehouse: wh,
        token: TOKEN,
        slas: DEFAULT_SLAS,
        now: () => now,
        aggregatesCacheMs: 0,
      });
      await app.ready();
    });
    afterAll(async () => {
      await app?.close();
      await wh?.close();
    });

    it('stores sentiment per prospect message and the analysis per session', async () => {
      const rows = await wh.query(
        'SELECT * FROM prospect_sentiment WHERE session_id = $1 ORDER BY message_index',
        [analysed.session_id],
      );
      expect(rows.map((r) => Number(r.message_index))).toEqual([0, 1, 2, 3, 4, 5]);
      expect(rows.map((r) => Number(r.turn_index))).toEqual([1, 2, 3, 4, 5, 6]);
      expect(Number(rows[5]?.compound)).toBe(analysed.sentiment!.messages[5]!.compound);
      const [ci] = await wh.query('SELECT * FROM call_intelligence WHERE session_id = $1', [
        analysed.session_id,
      ]);
      expect(ci).toMatchObject({
        analysis_status: 'ok',
        success: true,
        discarded_quotes: 0,
        signal_disagreements: 2,
      });
      expect(ci?.custom_fields).toMatchObject({ buying_stage: 'ready_to_buy', objections: null });
      expect(Number(ci?.cost_analysis_usd)).toBeGreaterThan(0);
      const [plain] = await wh.query('SELECT * FROM call_intelligence WHERE session_id = $1', ['sess_plain']);
      expect(plain).toMatchObject({ analysis_status: 'off', sentiment_mean: null, summary: null });
    });

    it('serves the cache: the stored result for the same config version', async () => {
      const cache = warehouseAnalysisCache(wh);
      const hit = await cache.get(analysed.session_id, analysed.intelligence!.config_version!);
      expect(hit?.summary).toBe(analysed.intelligence!.summary);
      expect(await cache.get(analysed.session_id, 'analysis-v0+000000000000')).toBeNull();
    });

    it('GET /api/sessions/:id returns sentiment beside each turn, summary, custom fields with quotes, opinions and the analysis cost', async () => {
      const res = await app.inject({
        method: 'GET',
        url: `/api/sessions/${analysed.session_id}`,
        headers: auth,
      });
      expect(res.statusCode).toBe(200);
      const d = res.json();
      expect(d.intelligence.summary).toBe(analysed.intelligence!.summary);
      expect(d.intelligence.sentiment).toMatchObject({
        start: analysed.sentiment!.start,
        trend_label: analysed.sentiment!.trend_label,
      });
      expect(d.intelligence.detail.custom_fields.decision_maker.quotes).toEqual([
        "I'm the managing partner so I sign off on this",
      ]);
      expect(d.turns[0].prospect_sentiment).toBeNull(); // the greeting answers no prospect line
      expect(d.turns[6].prospect_sentiment).toBe(analysed.sentiment!.messages[5]!.compound);
      expect(d.intelligence.signal_opinions).toHaveLength(5);
      expect(d.cost.analysis_usd).toBeCloseTo(analysed.cost.by_component.analysis ?? 0, 8);
      const reasons = d.score.reasons.map((r: { rule: string }) => r.rule);
      expect(reasons).toEqual(expect.arrayContaining(['scorecard.decision_maker', 'scorecard.ready_to_buy']));
    });

    it('GET /api/intelligence aggregates the window; a bad parameter is a 400 naming it', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/intelligence?hours=8760', headers: auth });
      expect(res.statusCode).toBe(200);
      const a = res.json();
      expect(a.sessions).toBe(2);
      expect(a.sentiment.sessions).toBe(1);
      expect(a.analysis.by_status).toEqual({ ok: 1, off: 1 });
      expect(a.custom_fields).toMatchObject({ buying_stage: 1, objections: 0 });
      const bad = await app.inject({ method: 'GET', url: '/api/intelligence?hours=abc', headers: auth });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().parameter).toBe('hours');
    });

    it('the sessions CSV carries the intelligence columns', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/export.csv?kind=sessions', headers: auth });
      const [head, ...rows] = res.body.trim().split('\r\n');
      const cols = head!.split(',');
      for (const c of [
        'summary',
        'custom_fields',
        'sentiment_mean',
        'analysis_status',
        'cost_analysis_usd',
      ]) {
        expect(cols).toContain(c);
      }
      const row = rows.find((r) => r.includes(analysed.session_id))!;
      expect(row).toContain('ready_to_buy');
      expect(row).toContain('law firm');
    });
  });
}

suite('duckdb', () => DuckDbWarehouse.open(join(dir, 'intel.duckdb')));
suite('postgres', async () => {
  pg = await startPostgres();
  return PostgresWarehouse.open(await pg.createDatabase('intel'));
});
