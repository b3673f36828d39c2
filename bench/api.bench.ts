/**
 * `npm run bench:api`: fills a fresh DuckDB warehouse with N scored sessions (default 100,000: 40
 * templates through the warehouse's batch upsert, copied with new ids and times in SQL, see `fill`),
 * then measures on localhost:
 *   - `GET /api/aggregates?hours=24` and `?hours=168` latency, p50/p95 (cache off; target p95 ≤ 200 ms)
 *   - `GET /api/sessions?limit=25` latency
 *   - the dashboard's first load (HTML + CSS/JS + Chart.js + first API calls, until the sessions
 *     table and charts are drawn) in headless chromium, cold context each time (target ≤ 1 s);
 *     over plain HTTP when chromium is not installed.
 * Options: --sessions N, --requests N, --keep (keep the database in bench/results/),
 *          --duckdb-memory 1GB (override the warehouse's DuckDB memory_limit for this run).
 * Figures go to stdout and bench/results/api.json.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SLAS } from '../analytics-service/src/analysis/index.js';
import { startApiServer } from '../analytics-service/src/api/index.js';
import { defaultPriceBook } from '../analytics-service/src/pricing/index.js';
import { createPiiHasher } from '../analytics-service/src/privacy/index.js';
import { buildScoredSession, defaultScoringConfig } from '../analytics-service/src/scoring/index.js';
import type { ScoredSession } from '../analytics-service/src/types.js';
import { DuckDbWarehouse } from '../analytics-service/src/warehouse/duckdb_warehouse.js';
import { fixturePayload } from '../analytics-service/test/api/fixtures.js';
import { chromiumInstalled, launchChromium } from '../analytics-service/test/dashboard/chromium.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '100000' },
    requests: { type: 'string', default: '40' },
    keep: { type: 'boolean', default: false },
    /** DuckDB `memory_limit` for this run; default: the warehouse's own default. */
    'duckdb-memory': { type: 'string' },
  },
});
const SESSIONS = Number(values.sessions);
const REQUESTS = Number(values.requests);
const TOKEN = 'bench-token-0123456789abcdef';
const RESULTS = join('bench', 'results');

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

/** A pool of distinct scored sessions, the templates every bench session is copied from. */
function templates(now: Date): ScoredSession[] {
  const deps = {
    priceBook: defaultPriceBook(),
    scoring: defaultScoringConfig(),
    slas: DEFAULT_SLAS,
    now: () => now,
  };
  return Array.from({ length: 40 }, (_, i) => buildScoredSession(fixturePayload(i % 10, now), deps)).map(
    (s, i) => ({
      ...s,
      payload: {
        ...s.payload,
        agent: { ...s.payload.agent, prompt_version: i % 3 === 0 ? 'sales-v2' : 'sales-v1' },
      },
    }),
  );
}

/** Template `k` under its own id (the fixtures repeat ids), so all 40 land in the warehouse. */
const templateId = (k: number) => `tmpl_${String(k).padStart(2, '0')}`;
const renamed = (t: ScoredSession, k: number): ScoredSession => ({
  ...t,
  session_id: templateId(k),
  payload: { ...t.payload, session_id: templateId(k) },
});

/** Tables the worker writes per session, in the order their rows are copied. */
const SESSION_TABLES = ['sessions', 'turns', 'tool_calls', 'signals', 'leads'] as const;
/** Write stamps: kept as the templates' (fill time), as when the worker writes every row now. */
const WRITE_STAMPS = new Set(['processed_at', 'updated_at']);
const FILL_CHUNK = 20_000;

/**
 * Fills the warehouse with SESSIONS sessions, fast (seconds, where 100k `upsertSessions` calls took
 * minutes). The templates go through the worker's own write path (`upsertSessions`), so every
 * column is the worker's; then SQL copies them: session `i` is template `i % 40` under the id
 * `bench_<i>`, ending at now − 7 days + (i + 1) · 7 days / SESSIONS (calls spread evenly over the
 * week, written in time order as a live warehouse fills), its times (started_at, ended_at, turn and
 * tool-call started_at) shifted by the same amount. In `payload` the session id and start/end times
 * are patched; the per-turn times inside it stay the template's.
 */
async function fill(wh: DuckDbWarehouse, pool: readonly ScoredSession[], now: number): Promise<void> {
  await wh.upsertSessions(pool.map(renamed));
  // The copy sorts and patches JSON in bulk: more memory than the worker's batches. The API is then
  // measured under the memory_limit the run started with (restored below).
  const [setting] = await wh.query("SELECT current_setting('memory_limit') AS m");
  await wh.query("SET memory_limit = '1GB'");
  for (const t of SESSION_TABLES) {
    await wh.query(`CREATE TEMP TABLE tmpl_${t} AS SELECT * FROM ${t}`);
    await wh.query(`DELETE FROM ${t}`);
  }
  const weekMs = 7 * 86_400_000;
  await wh.query(
    `CREATE TEMP TABLE bench_map AS
     SELECT r.i, printf('bench_%07d', r.i) AS new_id, t.session_id AS tmpl_id,
            to_timestamp((${now - weekMs} + floor((r.i + 1) * (${weekMs} / ${SESSIONS}))) / 1000.0) AS ended,
            ended - t.ended_at AS shift
     FROM range(${SESSIONS}) r(i)
     JOIN tmpl_sessions t ON t.session_id = 'tmpl_' || lpad(CAST(r.i % ${pool.length} AS VARCHAR), 2, '0')`,
  );
  const isoOf = (ts: string) => `strftime((${ts}) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')`;
  for (const t of SESSION_TABLES) {
    const cols = await wh.query<{ name: string; type: string }>(
      `SELECT column_name AS name, data_type AS type FROM information_schema.columns
       WHERE table_schema = 'main' AND table_name = $1 ORDER BY ordinal_position`,
      [t],
    );
    const select = cols.map(({ name, type }) => {
      if (name === 'session_id') return 'm.new_id';
      if (t === 'sessions' && name === 'payload') {
        return `json_merge_patch(x.payload, json_object('session_id', m.new_id,
                  'started_at', ${isoOf('x.started_at + m.shift')}, 'ended_at', ${isoOf('m.ended')}))`;
      }
      if (type === 'TIMESTAMP WITH TIME ZONE' && !WRITE_STAMPS.has(name)) return `x.${name} + m.shift`;
      return `x.${name}`;
    });
    for (let lo = 0; lo < SESSIONS; lo += FILL_CHUNK) {
      await wh.query(
        `INSERT INTO ${t} SELECT ${select.join(', ')}
         FROM tmpl_${t} x JOIN bench_map m ON m.tmpl_id = x.session_id
         WHERE m.i >= ${lo} AND m.i < ${lo + FILL_CHUNK} ORDER BY m.i, x.rowid`,
      );
    }
    process.stderr.write(`  filled ${t}\n`);
  }
  for (const t of ['bench_map', ...SESSION_TABLES.map((x) => `tmpl_${x}`)]) await wh.query(`DROP TABLE ${t}`);
  await wh.query('CHECKPOINT');
  await wh.query(`SET memory_limit = '${String(setting?.m).replace(/\s+/g, '')}'`);
}

async function timeRequests(url: string, n: number): Promise<number[]> {
  const headers = { authorization: `Bearer ${TOKEN}` };
  for (let i = 0; i < 3; i++) await (await fetch(url, { headers })).arrayBuffer();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    out.push(performance.now() - t0);
  }
  return out;
}

async function dashboardLoadChromium(base: string, n: number): Promise<number[]> {
  const browser = await launchChromium();
  const out: number[] = [];
  try {
    for (let i = 0; i < n + 1; i++) {
      const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${TOKEN}` } });
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(`${base}/dashboard?hours=24`);
      await page.waitForSelector('#sessions tbody tr[data-session]');
      await page.waitForSelector('#status:text-matches("^updated")');
      if (i > 0) out.push(performance.now() - t0); // the first is chromium's own warm-up
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return out;
}

async function dashboardLoadHttp(base: string, n: number): Promise<number[]> {
  const headers = { authorization: `Bearer ${TOKEN}` };
  const paths = ['/dashboard', '/dashboard/style.css', '/dashboard/app.js', '/dashboard/vendor/chart.umd.js'];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await Promise.all(paths.map(async (p) => (await fetch(`${base}${p}`, { headers })).arrayBuffer()));
    await Promise.all(
      ['/api/aggregates?hours=24', '/api/sessions?limit=25'].map(async (p) =>
        (await fetch(`${base}${p}`, { headers })).arrayBuffer(),
      ),
    );
    out.push(performance.now() - t0);
  }
  return out;
}

async function main(): Promise<void> {
  await mkdir(RESULTS, { recursive: true });
  const dbPath = join(RESULTS, 'api-bench.duckdb');
  await rm(dbPath, { force: true });
  await rm(`${dbPath}.wal`, { force: true });
  const memory = values['duckdb-memory'];
  const wh = await DuckDbWarehouse.open(dbPath, {
    hasher: createPiiHasher('bench-only-pii-hash-key-0123456789'),
    ...(memory ? { settings: { memory_limit: memory } } : {}),
  });
  const [limit] = await wh.query("SELECT current_setting('memory_limit') AS m");
  console.log(`duckdb memory_limit: ${limit?.m}${memory ? ' (--duckdb-memory)' : ' (warehouse default)'}`);
  await wh.migrate();
  const now = Date.now();
  const pool = templates(new Date(now));
  const fillStart = performance.now();
  await fill(wh, pool, now);
  const fillMs = performance.now() - fillStart;
  const [counts] = await wh.query(
    'SELECT (SELECT count(*) FROM sessions) AS s, (SELECT count(*) FROM turns) AS t',
  );
  console.log(
    `warehouse: ${counts?.s} sessions, ${counts?.t} turns in DuckDB, filled in ${(fillMs / 1000).toFixed(1)} s (${Math.round(SESSIONS / (fillMs / 1000))} sessions/s: ${pool.length} templates via upsertSessions, copied in SQL)`,
  );

  const server = await startApiServer({
    warehouse: wh,
    token: TOKEN,
    host: '127.0.0.1',
    port: 0,
    aggregatesCacheMs: 0,
  });
  const results: Record<string, unknown> = { sessions: SESSIONS, fill_ms: Math.round(fillMs) };
  try {
    const [one] = await wh.query<{ session_id: string }>(
      'SELECT session_id FROM sessions ORDER BY session_id LIMIT 1 OFFSET 500',
    );
    const detail = `/api/sessions/${encodeURIComponent(String(one?.session_id))}`;
    for (const path of [
      '/api/aggregates?hours=24',
      '/api/aggregates?hours=168',
      '/api/sessions?limit=25',
      detail,
    ]) {
      const xs = await timeRequests(`${server.url}${path}`, REQUESTS);
      const row = { p50_ms: pct(xs, 50), p95_ms: pct(xs, 95), max_ms: Math.max(...xs), n: xs.length };
      results[path] = row;
      console.log(
        `${path.padEnd(28)} p50 ${fmt(row.p50_ms)}  p95 ${fmt(row.p95_ms)}  max ${fmt(row.max_ms)}  (n=${row.n}, cache off)`,
      );
    }
    const useChromium = chromiumInstalled();
    const loads = useChromium
      ? await dashboardLoadChromium(server.url, 10)
      : await dashboardLoadHttp(server.url, 10);
    const how = useChromium ? 'headless chromium, cold context' : 'HTTP only (chromium not installed)';
    results.dashboard_first_load = {
      how,
      p50_ms: pct(loads, 50),
      p95_ms: pct(loads, 95),
      max_ms: Math.max(...loads),
    };
    console.log(
      `dashboard first load (${how}): p50 ${fmt(pct(loads, 50))}  max ${fmt(Math.max(...loads))}  (n=${loads.length}; HTML + assets + first API calls, until table and charts drawn)`,
    );
  } finally {
    await server.close();
    await wh.close();
    if (!values.keep) {
      await rm(dbPath, { force: true });
      await rm(`${dbPath}.wal`, { force: true });
    }
  }
  const load = loadavg().map((x) => x.toFixed(1));
  results.machine = { cpus: cpus().length, loadavg: load };
  console.log(
    `machine: ${cpus().length} CPUs, load average ${load.join(' ')} (other work on the machine inflates every figure)`,
  );
  await writeFile(join(RESULTS, 'api.json'), `${JSON.stringify(results, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
