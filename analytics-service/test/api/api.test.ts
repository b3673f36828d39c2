import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLAS } from '../../src/analysis/index.js';
import { AUTH_COOKIE, buildApiServer, startApiServer } from '../../src/api/index.js';
import { createWorkerMetrics } from '../../src/pipeline/metrics.js';
import { DuckDbWarehouse } from '../../src/warehouse/duckdb_warehouse.js';
import { PostgresWarehouse } from '../../src/warehouse/postgres_warehouse.js';
import type { Warehouse } from '../../src/warehouse/types.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { FIXTURE_COUNT, fixtureDeliveries, fixtureSessions, parseCsv, RECENT_COUNT } from './fixtures.js';

const TOKEN = 'test-token-0123456789';
const NOW = new Date('2026-11-21T12:00:00.000Z');
const auth = { authorization: `Bearer ${TOKEN}` };

let dir: string;
let pgServer: TestPostgres | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-api-'));
});
afterAll(async () => {
  await pgServer?.stop();
  await rm(dir, { recursive: true, force: true });
});

function apiSuite(name: string, open: () => Promise<Warehouse>) {
  describe(`api (${name})`, () => {
    let wh: Warehouse;
    let app: FastifyInstance;
    const get = (url: string, headers: Record<string, string> = auth) =>
      app.inject({ method: 'GET', url, headers });

    const workerMetrics = createWorkerMetrics();
    for (let i = 0; i < 12; i++) workerMetrics.consumed.inc();
    workerMetrics.delivered.inc({ destination: 'hubspot', status: 'parked' }, 2);
    beforeAll(async () => {
      wh = await open();
      await wh.migrate();
      const sessions = fixtureSessions(NOW);
      await wh.upsertSessions(sessions, fixtureDeliveries(sessions));
      app = buildApiServer({
        warehouse: wh,
        token: TOKEN,
        slas: DEFAULT_SLAS,
        now: () => NOW,
        aggregatesCacheMs: 0,
        metrics: workerMetrics.registry,
      });
      await app.ready();
    });
    afterAll(async () => {
      await app?.close();
      await wh?.close();
    });

    it('keeps /healthz open and refuses everything else without the token', async () => {
      expect((await get('/healthz', {})).statusCode).toBe(200);
      for (const url of ['/api/sessions', '/api/leads', '/api/aggregates', '/metrics', '/dashboard']) {
        const res = await get(url, {});
        expect(res.statusCode, url).toBe(401);
        expect(res.headers['www-authenticate']).toContain('Bearer');
      }
      expect((await get('/api/sessions', { authorization: 'Bearer nope' })).statusCode).toBe(401);
      expect((await get('/api/sessions', { authorization: `Bearer ${TOKEN}x` })).statusCode).toBe(401);
      expect((await get('/api/sessions')).statusCode).toBe(200);
    });

    it('swaps ?token= on the dashboard for an HttpOnly cookie that works for GETs only', async () => {
      const res = await get(`/dashboard?token=${TOKEN}&hours=168`, {});
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/dashboard?hours=168');
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Strict');
      expect(cookie).not.toContain(TOKEN);
      const pair = cookie.split(';')[0] ?? '';
      expect(pair.startsWith(`${AUTH_COOKIE}=`)).toBe(true);
      expect((await get('/dashboard', { cookie: pair })).statusCode).toBe(200);
      expect((await get('/api/sessions', { cookie: pair })).statusCode).toBe(200);
      const post = await app.inject({ method: 'POST', url: '/api/retention', headers: { cookie: pair } });
      expect(post.statusCode).toBe(401);
      const wrong = await get('/dashboard?token=wrong', {});
      expect(wrong.statusCode).toBe(401);
      expect(wrong.body).toContain('not accepted');
    });

    it('lists sessions newest first with filters and offset pagination', async () => {
      const all = (await get('/api/sessions?limit=500')).json();
      expect(all.total).toBe(FIXTURE_COUNT);
      expect(all.items.map((s: { session_id: string }) => s.session_id)).toEqual(
        Array.from({ length: FIXTURE_COUNT }, (_, i) => `sess_api_${String(i).padStart(2, '0')}`),
      );
      const booked = (await get('/api/sessions?outcome=meeting_booked')).json();
      expect(booked.items.every((s: { outcome: string }) => s.outcome === 'meeting_booked')).toBe(true);
      expect(booked.total).toBe(3);
      const legal = (await get('/api/sessions?industry=legal')).json();
      expect(legal.total).toBe(3);
      const from = new Date(NOW.getTime() - 3.5 * 3_600_000).toISOString();
      const recent = (await get(`/api/sessions?from=${encodeURIComponent(from)}`)).json();
      expect(recent.total).toBe(3);
      const old = (await get('/api/sessions?to=2026-11-01')).json();
      expect(old.total).toBe(2);
      const tier = all.items[0].tier as string;
      const byTier = (await get(`/api/sessions?tier=${tier}`)).json();
      expect(byTier.items.every((s: { tier: string }) => s.tier === tier)).toBe(true);
      const page2 = (await get('/api/sessions?limit=5&offset=5')).json();
      expect(page2.items.map((s: { session_id: string }) => s.session_id)).toEqual(
        all.items.slice(5, 10).map((s: { session_id: string }) => s.session_id),
      );
    });

    it('walks every session exactly once with the keyset cursor', async () => {
      const seen: string[] = [];
      let url = '/api/sessions?limit=5';
      for (let pages = 0; pages < 10; pages++) {
        const page = (await get(url)).json();
        seen.push(...page.items.map((s: { session_id: string }) => s.session_id));
        if (!page.next_cursor) break;
        url = `/api/sessions?limit=5&cursor=${page.next_cursor}`;
      }
      expect(seen).toHaveLength(FIXTURE_COUNT);
      expect(new Set(seen).size).toBe(FIXTURE_COUNT);
    });

    it('answers a bad or unknown parameter with 400 naming it', async () => {
      const cases: Array<[string, string]> = [
        ['/api/sessions?limit=0', 'limit'],
        ['/api/sessions?limit=abc', 'limit'],
        ['/api/sessions?tier=Z9', 'tier'],
        ['/api/sessions?outcome=maybe', 'outcome'],
        ['/api/sessions?industry=aerospace', 'industry'],
        ['/api/sessions?from=yesterday', 'from'],
        ['/api/sessions?tiers=A1', 'tiers'],
        ['/api/sessions?cursor=!!', 'cursor'],
        ['/api/sessions?cursor=abc', 'cursor'],
        ['/api/sessions?cursor=abc&offset=5', 'cursor'],
        ['/api/leads?min_score=101', 'min_score'],
        ['/api/aggregates?hours=0', 'hours'],
        ['/api/aggregates?hours=1.5', 'hours'],
        ['/api/export.csv?kind=leads', 'kind'],
        ['/api/export.csv', 'kind'],
        ['/api/sessions/sess_api_00?x=1', 'x'],
      ];
      for (const [url, parameter] of cases) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(400);
        expect(res.json().parameter, url).toBe(parameter);
        expect(res.json().message, url).toContain(parameter);
      }
      const post = await app.inject({ method: 'POST', url: '/api/retention?days=-1', headers: auth });
      expect(post.statusCode).toBe(400);
      expect(post.json().parameter).toBe('days');
    });

    it('returns one session with payload, turns, score reasons and delivery status', async () => {
      const res = await get('/api/sessions/sess_api_03');
      expect(res.statusCode).toBe(200);
      const d = res.json();
      expect(d.session.session_id).toBe('sess_api_03');
      expect(d.payload.session_id).toBe('sess_api_03');
      expect(d.turns).toHaveLength(6);
      expect(d.turns[0].turn_index).toBe(0);
      expect(d.tool_calls.length).toBeGreaterThan(0);
      expect(d.signals.map((s: { name: string }) => s.name)).toContain('team_size');
      // The reasons as the scorer produced them, in order, with their points and plain-language detail.
      const stored = fixtureSessions(NOW).find((s) => s.session_id === 'sess_api_03')!;
      expect(stored.score.reasons.length).toBeGreaterThan(0);
      expect(d.score.reasons).toEqual(JSON.parse(JSON.stringify(stored.score.reasons)));
      expect(d.score.score).toBe(stored.score.score);
      expect(d.score.tier).toBe(stored.score.tier);
      // The detector's confidence and the values it beat come back, and the score says it was low.
      const team = d.signals.find((s: { name: string }) => s.name === 'team_size');
      expect(Number(team.confidence)).toBe(0.6);
      expect(team.alternatives).toEqual([{ value: 9, reason: 'past size', turn_index: 1, span: [4, 11] }]);
      expect(d.payload.signals.team_size.confidence).toBe(0.6);
      expect(d.payload.signals.team_size.alternatives[0].reason).toBe('past size');
      const teamReason = d.score.reasons.find((r: { rule: string }) => r.rule.startsWith('fit.team_size.'));
      expect(teamReason.detail).toContain('low confidence 0.6, below 0.7');
      expect(d.deliveries).toEqual([
        expect.objectContaining({ destination: 'hubspot', status: 'parked', attempts: 5 }),
        expect.objectContaining({ destination: 'warehouse', status: 'ok' }),
      ]);
      expect(d.cost.total_usd).toBeGreaterThan(0);
      const missing = await get('/api/sessions/no_such_session');
      expect(missing.statusCode).toBe(404);
      expect(missing.json().message).toContain('no_such_session');
    });

    it('lists leads by score with their top reasons', async () => {
      const leads = (await get('/api/leads?limit=500')).json();
      expect(leads.total).toBe(FIXTURE_COUNT);
      const scores = leads.items.map((l: { score: number }) => l.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      expect(leads.items[0].top_reasons.length).toBeGreaterThan(0);
      expect(leads.items[0].top_reasons.length).toBeLessThanOrEqual(3);
      const min = (await get(`/api/leads?min_score=${scores[2]}`)).json();
      expect(min.items.every((l: { score: number }) => l.score >= scores[2])).toBe(true);
    });

    it('aggregates the window: counts, funnel, outcomes, latency vs SLA, cost, coverage, by prompt version', async () => {
      const res = await get('/api/aggregates?hours=24');
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const a = res.json();
      expect(a.generated_at).toBe(NOW.toISOString());
      const o = a.overall;
      expect(o.sessions).toBe(RECENT_COUNT);
      expect(Object.values(o.tiers as Record<string, number>).reduce((x, y) => x + y, 0)).toBe(RECENT_COUNT);
      expect(Object.values(o.outcomes as Record<string, number>).reduce((x, y) => x + y, 0)).toBe(
        RECENT_COUNT,
      );
      expect(o.outcomes.meeting_booked).toBe(2);
      expect(o.funnel[0]).toEqual({ stage: 'greeting', sessions: RECENT_COUNT, ratio: 1 });
      const funnel = o.funnel.map((f: { sessions: number }) => f.sessions);
      expect(funnel).toEqual([...funnel].sort((x, y) => y - x));
      const llm = o.latency.find((l: { component: string }) => l.component === 'llm');
      expect(llm.samples).toBeGreaterThan(0);
      expect(llm.p50_ms).toBeGreaterThanOrEqual(400);
      expect(llm.p95_ms).toBeGreaterThanOrEqual(llm.p50_ms);
      expect(llm.sla_p95_ms).toBe(DEFAULT_SLAS.llm);
      expect(o.cost.per_session_usd).toBeCloseTo(o.cost.total_usd / RECENT_COUNT, 10);
      expect(o.signal_coverage.by_signal.team_size).toBe(1);
      expect(o.signal_coverage.by_signal.monthly_volume).toBeLessThan(1);
      expect(Object.keys(a.by_prompt_version)).toEqual(['sales-v1', 'sales-v2']);
      expect(a.by_prompt_version['sales-v1'].sessions + a.by_prompt_version['sales-v2'].sessions).toBe(
        RECENT_COUNT,
      );
      const wide = (await get('/api/aggregates?hours=2400')).json();
      expect(wide.overall.sessions).toBe(FIXTURE_COUNT);
    });

    it('says how old a cached aggregates answer is', async () => {
      let clock = NOW.getTime();
      const cached = buildApiServer({
        warehouse: wh,
        token: TOKEN,
        now: () => new Date(clock),
        aggregatesCacheMs: 5000,
      });
      try {
        const first = await cached.inject({ method: 'GET', url: '/api/aggregates?hours=24', headers: auth });
        expect(first.headers['cache-control']).toBe('private, max-age=5');
        expect(first.headers.age).toBeUndefined();
        clock += 3000;
        const again = await cached.inject({ method: 'GET', url: '/api/aggregates?hours=24', headers: auth });
        expect(again.headers.age).toBe('3');
        expect(again.json().generated_at).toBe(NOW.toISOString());
        clock += 3000;
        const fresh = await cached.inject({ method: 'GET', url: '/api/aggregates?hours=24', headers: auth });
        expect(fresh.headers.age).toBeUndefined();
        expect(fresh.json().generated_at).toBe(new Date(clock).toISOString());
      } finally {
        await cached.close();
      }
    });

    it('exports sessions and turns as properly escaped CSV', async () => {
      const res = await get('/api/export.csv?kind=sessions');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/csv');
      expect(res.headers['content-disposition']).toContain('attachment');
      const rows = parseCsv(res.body);
      const header = rows[0] ?? [];
      expect(header).toContain('session_id');
      expect(header).not.toContain('payload');
      expect(rows).toHaveLength(FIXTURE_COUNT + 1);
      const col = (n: string) => header.indexOf(n);
      const byId = new Map(rows.slice(1).map((r) => [r[col('session_id')], r]));
      expect(byId.get('sess_api_00')?.[col('room_name')]).toBe('Room "A", east\nwing');
      expect(byId.get('sess_api_01')?.[col('participant_identity')]).toBe(`'=HYPERLINK("x")`);
      expect(res.body).toContain('"Room ""A"", east\nwing"');
      const turns = parseCsv((await get('/api/export.csv?kind=turns')).body);
      const expectedTurns = fixtureSessions(NOW).reduce((n, s) => n + s.payload.turns.length, 0);
      expect(turns).toHaveLength(expectedTurns + 1);
      expect(turns[0]).toContain('turn_index');
      const ranged = parseCsv((await get('/api/export.csv?kind=sessions&from=2026-11-20')).body);
      expect(ranged).toHaveLength(RECENT_COUNT + 1);
    });

    it('serves Prometheus text on /metrics', async () => {
      const res = await get('/metrics');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(res.body).toContain('# TYPE signalroom_worker_messages_consumed_total counter');
      expect(res.body).toMatch(/^signalroom_worker_messages_consumed_total 12$/m);
      expect(res.body).toMatch(
        /^signalroom_worker_deliveries_total\{destination="hubspot",status="parked"\} 2$/m,
      );
      // prom-client's default process metrics sit beside ours.
      expect(res.body).toMatch(/^process_cpu_user_seconds_total \d/m);
      expect(res.body).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    });

    it('deletes sessions older than the retention window, with their child rows', async () => {
      const res = await app.inject({ method: 'POST', url: '/api/retention?days=30', headers: auth });
      expect(res.statusCode).toBe(200);
      expect(res.json().sessions_deleted).toBe(2);
      expect((await get('/api/sessions')).json().total).toBe(RECENT_COUNT);
      for (const table of ['turns', 'tool_calls', 'signals', 'leads', 'deliveries']) {
        const [row] = await wh.query(`SELECT count(*) AS n FROM ${table} WHERE session_id = $1`, [
          'sess_api_11',
        ]);
        expect(Number(row?.n), table).toBe(0);
      }
      const again = await app.inject({
        method: 'POST',
        url: '/api/retention',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: { days: 30 },
      });
      expect(again.json()).toMatchObject({ days: 30, sessions_deleted: 0 });
    });
  });
}

// `full`: these tests read participant identities back (a warehouse without a key keeps none)
apiSuite('duckdb', () => DuckDbWarehouse.open(join(dir, 'api.duckdb'), { piiMode: 'full' }));
apiSuite('postgres', async () => {
  pgServer = await startPostgres();
  return PostgresWarehouse.open(await pgServer.createDatabase('api_test'), { piiMode: 'full' });
});

describe('api server binding', () => {
  it('binds to 127.0.0.1 only when no token is configured, whatever host was asked', async () => {
    const wh = await DuckDbWarehouse.open(':memory:');
    await wh.migrate();
    const server = await startApiServer({ warehouse: wh, host: '0.0.0.0', port: 0 });
    try {
      expect(server.host).toBe('127.0.0.1');
      expect(server.authRequired).toBe(false);
      const res = await fetch(`${server.url}/api/sessions`);
      expect(res.status).toBe(200);
    } finally {
      await server.close();
      await wh.close();
    }
  });
});
