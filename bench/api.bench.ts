/**
 * `npm run bench:api`: fills a fresh DuckDB warehouse with N scored sessions (default 100,000, via
 * the warehouse's batch upsert), then measures on localhost:
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
const BATCH = 500;
const TOKEN = 'bench-token-0123456789abcdef';
const RESULTS = join('bench', 'results');

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

/** A pool of distinct scored sessions, cloned with new ids and end times. */
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

function clone(t: ScoredSession, i: number, now: number): ScoredSession {
  // Sessions land in time order, as a live warehouse fills: N calls spread evenly over 7 days.
  const ended = now - 7 * 86_400_000 + Math.floor((i + 1) * ((7 * 86_400_000) / SESSIONS));
  const id = `bench_${String(i).padStart(7, '0')}`;
  const shift = ended - Date.parse(t.payload.ended_at);
  const at = (iso: string | null) => (iso ? new Date(Date.parse(iso) + shift).toISOString() : null);
  return {
    ...t,
    session_id: id,
    payload: {
      ...t.payload,
      session_id: id,
      started_at: at(t.payload.started_at) ?? t.payload.started_at,
      ended_at: new Date(ended).toISOString(),
      turns: t.payload.turns.map((x) => ({ ...x, started_at: at(x.started_at) })),
    },
  };
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
  const wh = await DuckDbWarehouse.open(dbPath, memory ? { settings: { memory_limit: memory } } : {});
  const [limit] = await wh.query("SELECT current_setting('memory_limit') AS m");
  console.log(`duckdb memory_limit: ${limit?.m}${memory ? ' (--duckdb-memory)' : ' (warehouse default)'}`);
  await wh.migrate();
  const now = Date.now();
  const pool = templates(new Date(now));
  const fillStart = performance.now();
  for (let i = 0; i < SESSIONS; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, SESSIONS - i) }, (_, k) =>
      clone(pool[(i + k) % pool.length] as ScoredSession, i + k, now),
    );
    await wh.upsertSessions(batch);
    if ((i / BATCH) % 40 === 0) process.stderr.write(`  filled ${i + batch.length}/${SESSIONS}\n`);
  }
  const fillMs = performance.now() - fillStart;
  const [counts] = await wh.query(
    'SELECT (SELECT count(*) FROM sessions) AS s, (SELECT count(*) FROM turns) AS t',
  );
  console.log(
    `warehouse: ${counts?.s} sessions, ${counts?.t} turns in DuckDB, filled in ${(fillMs / 1000).toFixed(1)} s (${Math.round(SESSIONS / (fillMs / 1000))} sessions/s via upsertSessions, batches of ${BATCH})`,
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
    for (const path of ['/api/aggregates?hours=24', '/api/aggregates?hours=168', '/api/sessions?limit=25']) {
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
