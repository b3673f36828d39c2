/**
 * Worker throughput and memory (`npm run bench:worker [-- --quick] [-- --n 20000 --rss-n 100000]`).
 *
 * Each drain runs the real worker (`startWorker`, `bench/worker_drain.ts`) in a process of its own,
 * compiled by `scripts/build.mjs` as `npm run worker` runs it (`--tsx`: through tsx's loader).
 *
 * 1. DuckDB: pre-fills a local spool with `--rss-n` sessions, drains it with the worker into a
 *    fresh DuckDB file, sampling RSS while draining. Three times: with the worker's defaults, with
 *    the README's balanced settings and with its low-memory settings (`--skip defaults`,
 *    `--skip balanced` or `--skip low-memory` leaves one out).
 * 2. PostgreSQL: starts a throwaway cluster, pre-fills `--n` sessions, drains into it.
 * For each, a bare bulk insert of the same rows into a fresh, migrated database of the same kind
 * gives the ceiling, and the worker's rate is printed as a ratio of it: 1,000 sessions per
 * transaction, no queue, no parsing, no scoring, no existence check, no deliveries, none of
 * `upsertSessions`' code: DuckDB's appender fed a data chunk per table (`appendRows`, the cheapest
 * way into it we know), PostgreSQL a plain multi-row `INSERT … VALUES` per table. Building the rows
 * is not timed.
 * Targets: ≥ 2,000 sessions/s DuckDB, ≥ 1,000 sessions/s PostgreSQL, RSS ≤ 300 MB for 100k backlog.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SLAS } from '../analytics-service/src/analysis/index.js';
import { defaultPriceBook } from '../analytics-service/src/pricing/index.js';
import { createPiiHasher } from '../analytics-service/src/privacy/index.js';
import { buildScoredSession, defaultScoringConfig } from '../analytics-service/src/scoring/index.js';
import { appendRows } from '../analytics-service/src/warehouse/duckdb_append.js';
import { DuckDbWarehouse, PostgresWarehouse } from '../analytics-service/src/warehouse/index.js';
import {
  type ColumnKind,
  emptyTableRows,
  SESSION_TABLES,
  sessionRows,
  type TableRows,
} from '../analytics-service/src/warehouse/rows.js';
import { startPostgres } from '../analytics-service/test/support/postgres.js';
import { Spool } from '../src/queue/spool.js';
import type { SessionPayload } from '../src/schema/index.js';
import { samplePayload } from '../src/schema/testing/index.js';
import type { DrainJob, DrainResult } from './worker_drain.js';

/** Keyed hashing as a deployment does it (a bench-only key). */
const BENCH_HASHER = createPiiHasher('bench-only-pii-hash-key-0123456789');

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    n: { type: 'string' },
    'rss-n': { type: 'string' },
    concurrency: { type: 'string' },
    batch: { type: 'string' },
    skip: { type: 'string', default: '' },
    /** Run the drains through tsx's loader, not compiled (as `npm run worker` did before `build`). */
    tsx: { type: 'boolean', default: false },
    /** Extra node flags for the drain process, e.g. `--node-flags=--max-old-space-size=128`. */
    'node-flags': { type: 'string', default: '' },
    /** DuckDB `memory_limit` for the worker's drain (WAREHOUSE_DUCKDB_MEMORY_LIMIT; default the worker's). */
    'duckdb-memory': { type: 'string' },
    /** Log memory (V8 and DuckDB) every 5 s while draining, to stderr. */
    'mem-log': { type: 'boolean', default: false },
  },
});
const QUICK = values.quick ?? false;
const N = Number(values.n ?? (QUICK ? 5_000 : 20_000));
const RSS_N = Number(values['rss-n'] ?? (QUICK ? 5_000 : 100_000));
// Three batches in flight: with DuckDB, two in transactions side by side and one being built or
// forming; with PostgreSQL, one commits and the others wait or form.
const BATCH = Number(values.batch ?? 256);
const CONCURRENCY = Number(values.concurrency ?? BATCH * 3);
const NODE_FLAGS = (values['node-flags'] ?? '').split(' ').filter(Boolean);
const SKIP = new Set((values.skip ?? '').split(',').filter(Boolean));
const TSX = values.tsx ?? false;
const ROOT = join(import.meta.dirname, '..');
const DRAIN_SOURCE = join(ROOT, 'bench', 'worker_drain.ts');
/** Where `scripts/build.mjs` compiles the drain to, beside the worker it runs. */
const DRAIN_BUILT = join(ROOT, 'dist', 'bench', 'worker_drain.js');

/** How the drain process is run: extra environment on top of the bench's worker settings. */
interface Settings {
  /** What `--skip` names it by. */
  key: string;
  label: string;
  env: Record<string, string>;
}
const DEFAULT_SETTINGS: Settings = { key: 'defaults', label: "the worker's defaults", env: {} };
/**
 * The README's balanced settings: the low-memory ones that cost little CPU. V8's old generation is
 * capped at 128 MB (its young generation is not: capped at 2 × 8 MB, the in-flight sessions are
 * promoted sooner, for 10–15 MB less and about 10% more CPU per session, measured alternately),
 * DuckDB's buffer pool is 48 MB (about 15 MB less than 64, for no rate we could tell apart once
 * validation stopped copying each payload; 40 MB was slower and no smaller), glibc has two arenas,
 * and DuckDB's jemalloc keeps no per-thread caches (DuckDB's work runs on the libuv pool's threads
 * and its own: 15–30 MB less at 50k and 100k, for no CPU we could measure).
 */
const BALANCED: Settings = {
  key: 'balanced',
  label: 'balanced settings (README)',
  env: {
    MALLOC_ARENA_MAX: '2',
    DUCKDB_JE_MALLOC_CONF: 'tcache:false',
    NODE_OPTIONS: '--max-old-space-size=128',
    WAREHOUSE_DUCKDB_MEMORY_LIMIT: '48MB',
  },
};
/**
 * The README's low-memory settings: the balanced ones, plus V8's young generation capped at 2 × 8 MB
 * and DuckDB's own allocator (jemalloc) returning freed pages at once instead of after a second:
 * about 30 MB less at 100k, for about a fifth more CPU per session (246 against 275 MB, 1,249
 * against 1,532 sessions per CPU-second in the bench started at 12:54 on 2026-11-22; each
 * transaction faults back in the pages the one before returned). Passed as a user would pass them, through the environment.
 *
 * Batches of 512 (1,024 in flight) used to save about 10% of its CPU; once validation stopped
 * copying each payload, they saved little and peaked 20–30 MB higher, so it runs the bench's batches.
 */
const LOW_MEMORY: Settings = {
  key: 'low-memory',
  label: 'low-memory settings (README)',
  env: {
    ...BALANCED.env,
    // Not with balanced's `tcache:false`: every free then went to the arena and straight back to
    // the system, and the 100k backlog drained at half the speed (548 sessions per CPU-second).
    DUCKDB_JE_MALLOC_CONF: 'dirty_decay_ms:0,muzzy_decay_ms:0',
    NODE_OPTIONS: `${BALANCED.env.NODE_OPTIONS} --max-semi-space-size=8`,
  },
};
/** Settings that act only when the process starts, so they go into the child's environment. */
const PROCESS_ENV = ['NODE_OPTIONS', 'MALLOC_ARENA_MAX', 'DUCKDB_JE_MALLOC_CONF'] as const;

const INDUSTRIES = ['legal', 'finance', 'healthcare', 'retail', 'logistics'] as const;

function payload(i: number): SessionPayload {
  const p = samplePayload({ session_id: `bench_${i.toString(36).padStart(8, '0')}` }, { turns: 4 + (i % 5) });
  if (p.signals.industry) p.signals.industry.value = INDUSTRIES[i % INDUSTRIES.length] ?? 'legal';
  if (p.signals.team_size) p.signals.team_size.value = 1 + (i % 400);
  return p;
}

async function prefill(dir: string, n: number): Promise<number> {
  const spool = new Spool(dir, { fsync: false });
  const t0 = performance.now();
  const CHUNK = 256;
  for (let i = 0; i < n; i += CHUNK) {
    const jobs: Promise<string>[] = [];
    for (let j = i; j < Math.min(n, i + CHUNK); j++)
      jobs.push(spool.write({}, Buffer.from(JSON.stringify(payload(j)))));
    await Promise.all(jobs);
  }
  return (performance.now() - t0) / 1000;
}

/** Drains in a child process, so its RSS is the worker's alone (not the prefill's garbage). */
function drain(
  n: number,
  spoolDir: string,
  parkedDir: string,
  env: Record<string, string>,
): Promise<DrainResult> {
  const job: DrainJob = {
    n,
    spoolDir,
    parkedDir,
    env: {
      WORKER_CONCURRENCY: String(CONCURRENCY),
      WORKER_BATCH_SIZE: String(BATCH),
      ...(values['mem-log'] && { BENCH_MEM_LOG: '1' }),
      ...env,
    },
  };
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...NODE_FLAGS, ...(TSX ? ['--import', 'tsx', DRAIN_SOURCE] : [DRAIN_BUILT]), JSON.stringify(job)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        // As `main.ts` does for the worker process (see there). NODE_OPTIONS, MALLOC_ARENA_MAX and
        // DUCKDB_JE_MALLOC_CONF only act at start-up.
        env: {
          ...process.env,
          UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '16',
          ...Object.fromEntries(PROCESS_ENV.flatMap((k) => (env[k] ? [[k, env[k]]] : []))),
        },
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`drain child exited ${code}: ${out.slice(-500)}`));
      else resolve(JSON.parse(line) as DrainResult);
    });
  });
}

/** The rows of `n` bench sessions, 1,000 sessions' worth at a time (not timed). */
function* rowBatches(n: number): Generator<TableRows> {
  const deps = { priceBook: defaultPriceBook(), scoring: defaultScoringConfig(), slas: { ...DEFAULT_SLAS } };
  const BATCH = 1000;
  for (let i = 0; i < n; i += BATCH) {
    const rows = emptyTableRows();
    const now = new Date().toISOString();
    for (let j = i; j < Math.min(n, i + BATCH); j++)
      sessionRows(buildScoredSession(payload(j), deps), 'hashed', now, rows, BENCH_HASHER);
    yield rows;
  }
}

/** Bare DuckDB: each table's rows through the appender, one transaction per batch. */
async function bareDuckDb(n: number, path: string): Promise<number> {
  const w = await DuckDbWarehouse.open(path);
  await w.migrate();
  const c = await w.instance.connect();
  await c.run(`USE ${DuckDbWarehouse.ALIAS}`);
  let ms = 0;
  for (const rows of rowBatches(n)) {
    const t0 = performance.now();
    await c.run('BEGIN TRANSACTION');
    for (const spec of SESSION_TABLES) await appendRows(c, spec, rows[spec.name]);
    await c.run('COMMIT');
    ms += performance.now() - t0;
  }
  c.closeSync();
  await w.close();
  return n / (ms / 1000);
}

/** The value as node-postgres should send it for the column (JSON as text, arrays as arrays). */
function pgValue(kind: ColumnKind, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  return kind === 'json' ? JSON.stringify(v) : v;
}

/** Bare PostgreSQL: a plain multi-row INSERT per table (split under the 65,535-parameter cap). */
async function barePostgres(n: number, url: string): Promise<number> {
  const w = PostgresWarehouse.open(url);
  await w.migrate();
  const client = await w.pool.connect();
  let ms = 0;
  try {
    for (const rows of rowBatches(n)) {
      const t0 = performance.now();
      await client.query('BEGIN');
      for (const spec of SESSION_TABLES) {
        const all = rows[spec.name];
        const width = spec.columns.length;
        const perStatement = Math.floor(60_000 / width);
        for (let start = 0; start < all.length; start += perStatement) {
          const part = all.slice(start, start + perStatement);
          const params: unknown[] = [];
          const tuples = part.map((row) => {
            const refs = spec.columns.map(([, kind], c) => {
              params.push(pgValue(kind, row[c]));
              return `$${params.length}`;
            });
            return `(${refs.join(', ')})`;
          });
          await client.query(
            `INSERT INTO ${spec.name} (${spec.columns.map(([name]) => name).join(', ')}) VALUES ${tuples.join(', ')}`,
            params,
          );
        }
      }
      await client.query('COMMIT');
      ms += performance.now() - t0;
    }
  } finally {
    client.release();
    await w.close();
  }
  return n / (ms / 1000);
}

function report(label: string, r: DrainResult, bareRate: number, target: number): void {
  const ok = r.rate >= target ? 'PASS' : 'FAIL';
  console.log(
    `${label.padEnd(10)} ${r.sessions} sessions in ${r.seconds.toFixed(1)} s = ${Math.round(r.rate)} sessions/s ` +
      `(target ≥ ${target}: ${ok}); bare bulk insert ${Math.round(bareRate)} sessions/s; worker/bare = ${(r.rate / bareRate).toFixed(2)}; ` +
      `mean batch ${r.batchMean.toFixed(0)}; ${Math.round(r.sessions / r.cpuSeconds)} sessions per CPU-second; ` +
      `GC pauses ${(r.gcMinorMs / 1000).toFixed(1)} s young + ${(r.gcMajorMs / 1000).toFixed(1)} s old; ` +
      `RSS ${r.startRssMb.toFixed(0)} → peak ${r.peakRssMb.toFixed(0)} MB` +
      (r.hostSteal === null ? '' : `; host steal ${(100 * r.hostSteal).toFixed(0)}% of the CPUs' time`),
  );
}

async function main(): Promise<void> {
  // The drains run the worker compiled, as `npm run worker` does.
  if (!TSX) execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--quiet', DRAIN_SOURCE]);
  const dir = await mkdtemp(join(tmpdir(), 'sr-bench-worker-'));
  console.log(
    `worker bench: ${QUICK ? 'quick' : 'full'}; DuckDB backlog ${RSS_N}, PostgreSQL backlog ${N}; concurrency ${CONCURRENCY}, batch ${BATCH}; ` +
      `${cpus().length} CPUs; node ${process.version}; the worker ${TSX ? 'through tsx' : 'compiled (dist/)'}`,
  );
  try {
    if (!SKIP.has('duckdb')) {
      // Each setting drains its own copy of the backlog into a fresh file.
      const settings = [DEFAULT_SETTINGS, BALANCED, LOW_MEMORY].filter((x) => !SKIP.has(x.key));
      const results: [Settings, DrainResult][] = [];
      for (const [k, setting] of settings.entries()) {
        const spool = join(dir, `spool-duck-${k}`);
        const fill = await prefill(spool, RSS_N);
        console.log(`prefilled ${RSS_N} sessions into a local spool in ${fill.toFixed(1)} s`);
        const r = await drain(RSS_N, spool, join(dir, 'parked'), {
          WAREHOUSE_DRIVER: 'duckdb',
          WAREHOUSE_DUCKDB_PATH: join(dir, `worker-${k}.duckdb`),
          ...setting.env,
          ...(values['duckdb-memory'] && { WAREHOUSE_DUCKDB_MEMORY_LIMIT: values['duckdb-memory'] }),
        });
        results.push([setting, r]);
      }
      const bareRate = SKIP.has('bare')
        ? Number.NaN
        : await bareDuckDb(Math.min(RSS_N, N), join(dir, 'bare.duckdb'));
      for (const [setting, r] of results) {
        console.log(`duckdb, ${setting.label}:`);
        report('duckdb', r, bareRate, 2000);
        const rssOk = r.peakRssMb <= 300 ? 'PASS' : 'FAIL';
        console.log(
          `duckdb     peak RSS ${r.peakRssMb.toFixed(0)} MB draining a ${RSS_N} backlog (target ≤ 300 MB: ${rssOk})`,
        );
      }
    }
    if (!SKIP.has('postgres')) {
      const pg = await startPostgres();
      try {
        const workerUrl = await pg.createDatabase('bench_worker');
        const bareUrl = await pg.createDatabase('bench_bare');
        const fill = await prefill(join(dir, 'spool-pg'), N);
        console.log(`prefilled ${N} sessions into a local spool in ${fill.toFixed(1)} s`);
        const r = await drain(N, join(dir, 'spool-pg'), join(dir, 'parked'), {
          WAREHOUSE_DRIVER: 'postgres',
          WAREHOUSE_URL: workerUrl,
        });
        const bareRate = SKIP.has('bare') ? Number.NaN : await barePostgres(N, bareUrl);
        report('postgres', r, bareRate, 1000);
      } finally {
        await pg.stop();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
