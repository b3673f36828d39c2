/**
 * Hostile query strings and paths against every route of the real server (fastify inject, a valid
 * token), on DuckDB and on PostgreSQL: a bad parameter is a 400 that names it, never a 500.
 * Property runs are seeded and bounded by `numRuns` (no time assertions).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLAS } from '../../src/analysis/index.js';
import { buildApiServer } from '../../src/api/index.js';
import { DuckDbWarehouse } from '../../src/warehouse/duckdb_warehouse.js';
import { PostgresWarehouse } from '../../src/warehouse/postgres_warehouse.js';
import type { Warehouse } from '../../src/warehouse/types.js';
import { fixtureDeliveries, fixtureSessions } from '../api/fixtures.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

const TOKEN = 'fuzz-token-0123456789';
const NOW = new Date('2026-11-21T12:00:00.000Z');
const headers = { authorization: `Bearer ${TOKEN}` };
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Every GET route with the parameters it takes (the dashboard's page takes `hours`). */
const ROUTES: { path: string; params: string[] }[] = [
  {
    path: '/api/sessions',
    params: ['from', 'to', 'tier', 'outcome', 'industry', 'limit', 'offset', 'cursor'],
  },
  {
    path: '/api/leads',
    params: ['from', 'to', 'tier', 'outcome', 'industry', 'limit', 'offset', 'min_score'],
  },
  { path: '/api/aggregates', params: ['hours'] },
  { path: '/api/export.csv', params: ['kind', 'from', 'to'] },
  { path: '/api/sessions/sess_api_01', params: [] },
  { path: '/dashboard', params: ['hours'] },
  { path: '/healthz', params: [] },
  { path: '/metrics', params: [] },
];

/** Forged or hostile values, each of which some route once let through to a database. */
const HOSTILE_CASES: [url: string, parameter: string][] = [
  [`/api/sessions?cursor=${b64(['1', 'x'])}`, 'cursor'],
  [`/api/sessions?cursor=${b64(['+294248-01-01T00:00:00Z', 'x'])}`, 'cursor'],
  [`/api/sessions?cursor=${b64(['-000001-01-01T00:00:00Z', 'x'])}`, 'cursor'],
  [`/api/sessions?cursor=${b64(['0000-01-01T00:00:00Z', 'x'])}`, 'cursor'],
  [`/api/sessions?cursor=${b64(['2026-11-21T00:00:00Z', 'a\u0000b'])}`, 'cursor'],
  [`/api/sessions?cursor=${b64(['Tue, 01 Jan 2030 00:00:00 GMT', 'x'])}`, 'cursor'],
  [`/api/sessions?cursor=${b64(['2026-11-21 junk 5', 'x'])}`, 'cursor'],
  ['/api/sessions?from=0000-01-01', 'from'],
  ['/api/sessions?to=9999-12-31T23:59:59-23:59', 'to'],
  ['/api/leads?from=0000-06-01T00:00:00Z', 'from'],
  ['/api/export.csv?kind=sessions&from=0000-01-01', 'from'],
  ['/api/sessions/a%00b', 'id'],
  ['/api/sessions/%ED%A0%80', 'id'],
];

let dir: string;
let pg: TestPostgres | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-api-fuzz-'));
});
afterAll(async () => {
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** One percent-escape of a byte. */
const pct = (b: number) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`;

/** Text as a hostile client sends it in a URL: ASCII, escapes of any byte, escaped UTF-8 of any code point. */
const urlText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '0',
        '1',
        '-1',
        '1e3',
        '9999',
        'A1',
        'Z9',
        'legal',
        'sessions',
        'turns',
        '.',
        ':',
        '+',
        'T',
        'Z',
      ),
      fc.string({ maxLength: 4 }).map((s) => encodeURIComponent(s)),
      fc.integer({ min: 0, max: 255 }).map(pct),
      fc.integer({ min: 0, max: 0x10ffff }).map((cp) =>
        // Code points as UTF-8 bytes, surrogates included (the CESU-style bytes a broken client sends).
        [...Buffer.from(String.fromCodePoint(cp < 0xd800 || cp > 0xdfff ? cp : 0xfffd))]
          .map(pct)
          .join('')
          .replace('%EF%BF%BD', cp >= 0xd800 && cp <= 0xdfff ? '%ED%A0%80' : '%EF%BF%BD'),
      ),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));

/** Times near and past what the warehouses can cast, well and badly formed. */
const timeText: fc.Arbitrary<string> = fc.oneof(
  fc
    .record({
      year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1, 1969, 1970, 9999)),
      month: fc.integer({ min: 0, max: 13 }),
      day: fc.integer({ min: 0, max: 32 }),
      hour: fc.integer({ min: 0, max: 25 }),
      frac: fc.constantFrom('', '.5', '.123456789', '.9999999999999'),
      zone: fc.constantFrom('Z', '+00:00', '-23:59', '+23:59', '+14:00', '', '+2400'),
      dateOnly: fc.boolean(),
    })
    .map(({ year, month, day, hour, frac, zone, dateOnly }) => {
      const p = (n: number, w = 2) => String(n).padStart(w, '0');
      const date = `${p(year, 4)}-${p(month)}-${p(day)}`;
      return dateOnly ? date : `${date}T${p(hour)}:00:00${frac}${zone}`;
    }),
  fc.constantFrom('+294248-01-01T00:00:00Z', '-000001-01-01T00:00:00Z', '1', 'now', '2026-11-21 00:00', ''),
);

const cursorValue: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(timeText, fc.string({ unit: 'binary', maxLength: 8 })).map(b64),
  fc.jsonValue({ maxDepth: 2 }).map(b64),
  fc.string({ maxLength: 40 }).map((s) => Buffer.from(s).toString('base64url')),
);

function querystring(route: { params: string[] }): fc.Arbitrary<string> {
  const name = fc.oneof(
    { weight: 4, arbitrary: route.params.length > 0 ? fc.constantFrom(...route.params) : urlText },
    { weight: 1, arbitrary: urlText },
  );
  const value = fc.oneof(
    urlText,
    timeText.map(encodeURIComponent),
    cursorValue,
    fc.integer({ min: -(2 ** 40), max: 2 ** 40 }).map(String),
    fc.double().map(String),
  );
  return fc
    .array(fc.tuple(name, value, fc.boolean()), { maxLength: 4 })
    .map((pairs) => pairs.map(([n, v, bare]) => (bare && v === '' ? n : `${n}=${v}`)).join('&'));
}

function fuzzSuite(name: string, open: () => Promise<Warehouse>) {
  describe(`api under hostile parameters (${name})`, () => {
    let wh: Warehouse;
    let app: FastifyInstance;
    const get = (url: string) => app.inject({ method: 'GET', url, headers });

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
      });
      await app.ready();
    });
    afterAll(async () => {
      await app?.close();
      await wh?.close();
    });

    it('answers 400 naming the parameter for each forged cursor, out-of-range time and unstorable id', async () => {
      for (const [url, parameter] of HOSTILE_CASES) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(400);
        expect(res.json(), url).toMatchObject({ error: 'bad_request', parameter });
      }
    });

    it('pages through every session with next_cursor after all that (the cursor still works)', async () => {
      const seen: string[] = [];
      let url = '/api/sessions?limit=5';
      for (;;) {
        const page = (await get(url)).json() as {
          items: { session_id: string }[];
          next_cursor: string | null;
        };
        seen.push(...page.items.map((s) => s.session_id));
        if (!page.next_cursor) break;
        url = `/api/sessions?limit=5&cursor=${page.next_cursor}`;
      }
      expect(seen.length).toBe(fixtureSessions(NOW).length);
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('never answers 500 to any query string on any route (seeded)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ROUTES).chain((r) => fc.tuple(fc.constant(r.path), querystring(r))),
          async ([path, q]) => {
            const res = await get(q ? `${path}?${q}` : path);
            if (res.statusCode >= 500)
              throw new Error(`${res.statusCode} for ${path}?${q}: ${res.body.slice(0, 200)}`);
            if (res.statusCode === 400 && path.startsWith('/api/')) {
              expect(typeof res.json().parameter, `${path}?${q}`).toBe('string');
            }
          },
        ),
        { seed: 1919, numRuns: 250 },
      );
    });

    it('never answers 500 to a session id path, and finds the real ones (seeded)', async () => {
      expect((await get('/api/sessions/sess_api_03')).statusCode).toBe(200);
      await fc.assert(
        fc.asyncProperty(urlText, async (id) => {
          const res = await get(`/api/sessions/${id}`);
          if (res.statusCode >= 500)
            throw new Error(`${res.statusCode} for id ${id}: ${res.body.slice(0, 200)}`);
          expect([200, 400, 404], id).toContain(res.statusCode);
        }),
        { seed: 1920, numRuns: 120 },
      );
    });

    it('never answers 500 to forged cursors and hostile times (seeded)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            cursorValue.map((c) => `/api/sessions?cursor=${c}`),
            fc
              .tuple(
                fc.constantFrom('/api/sessions', '/api/leads', '/api/export.csv?kind=turns&'),
                fc.constantFrom('from', 'to'),
                timeText,
              )
              .map(([p, n, t]) => `${p}${p.endsWith('&') ? '' : '?'}${n}=${encodeURIComponent(t)}`),
          ),
          async (url) => {
            const res = await get(url);
            if (res.statusCode !== 200 && res.statusCode !== 400) {
              throw new Error(`${res.statusCode} for ${url}: ${res.body.slice(0, 200)}`);
            }
          },
        ),
        { seed: 1921, numRuns: 200 },
      );
    });

    it('never answers 500 to hostile retention requests (seeded; runs last, it deletes)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.jsonValue({ maxDepth: 2 }),
            fc.record({ days: fc.oneof(fc.integer(), fc.string(), fc.double()) }),
          ),
          fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', undefined),
          querystring({ params: ['days'] }),
          async (body, type, q) => {
            const res = await app.inject({
              method: 'POST',
              url: q ? `/api/retention?${q}` : '/api/retention',
              headers: { ...headers, ...(type && { 'content-type': type }) },
              ...(type && { payload: JSON.stringify(body) ?? '' }),
            });
            if (res.statusCode >= 500)
              throw new Error(`${res.statusCode} for ${q} ${type}: ${res.body.slice(0, 200)}`);
          },
        ),
        { seed: 1922, numRuns: 80 },
      );
    });
  });
}

fuzzSuite('duckdb', () => DuckDbWarehouse.open(join(dir, 'fuzz.duckdb')));
fuzzSuite('postgres', async () => {
  pg = await startPostgres();
  return PostgresWarehouse.open(await pg.createDatabase('api_fuzz'));
});
