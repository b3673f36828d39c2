/**
 * One drain of the worker bench (`bench/worker.bench.ts`), in a process of its own: the real
 * worker (`startWorker`) drains a pre-filled local spool into the configured warehouse while RSS is
 * sampled every 50 ms. The bench compiles this file with the worker (`scripts/build.mjs`) and runs
 * it on plain `node`, as `npm run worker` runs the worker; `--tsx` runs it through tsx instead.
 *
 * Usage: `node dist/bench/worker_drain.js '<DrainJob as JSON>'`; prints a `DrainResult` as JSON.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { loadWorkerConfig } from '../analytics-service/src/config.js';
import { startWorker } from '../analytics-service/src/pipeline/index.js';
import { silentLogger } from '../src/log.js';

export interface DrainResult {
  sessions: number;
  seconds: number;
  rate: number;
  peakRssMb: number;
  startRssMb: number;
  batchMean: number;
  /** Process CPU time (all threads, DuckDB's included) while draining. */
  cpuSeconds: number;
  /** Main-thread pauses for garbage collection while draining: young generation, and the rest. */
  gcMinorMs: number;
  gcMajorMs: number;
  /**
   * Share of the machine's CPU time the hypervisor gave to other guests while draining (`steal` in
   * /proc/stat); `null` where that is not known. These machines share their host, and a drain runs
   * a quarter slower when this reaches 20–30%.
   */
  hostSteal: number | null;
}

/** CPU time stolen from this machine so far, all CPUs, in seconds (Linux's `steal`); else null. */
function stealSeconds(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]?.trim().split(/\s+/) ?? [];
    // cpu user nice system idle iowait irq softirq steal …, in USER_HZ (100 per second on Linux).
    const steal = Number(fields[8]);
    return fields[0] === 'cpu' && Number.isFinite(steal) ? steal / 100 : null;
  } catch {
    return null;
  }
}

export interface DrainJob {
  n: number;
  spoolDir: string;
  parkedDir: string;
  env: Record<string, string>;
}

export async function drainHere({ n, spoolDir, parkedDir, env }: DrainJob): Promise<DrainResult> {
  const config = loadWorkerConfig({
    QUEUE_SPOOL_DIR: spoolDir,
    QUEUE_SPOOL_FSYNC: 'false',
    WORKER_BATCH_MAX_WAIT_MS: '20',
    PARKED_DIR: parkedDir,
    LOG_LEVEL: 'silent',
    PII_HASH_KEY: 'bench-only-pii-hash-key-0123456789',
    ...env,
  });
  const startRss = process.memoryUsage().rss;
  let peak = startRss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  let gcMinorMs = 0;
  let gcMajorMs = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gcMinorMs += e.duration;
      else gcMajorMs += e.duration;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const steal0 = stealSeconds();
  const worker = await startWorker(config, { logger: silentLogger });
  const done = worker.metrics.delivered;
  let nextMemLog = Date.now() + 5000;
  while (done.get({ destination: 'warehouse', status: 'ok' }) < n) {
    await new Promise((r) => setTimeout(r, 20));
    if (env.BENCH_MEM_LOG && Date.now() >= nextMemLog) {
      nextMemLog = Date.now() + 5000;
      const m = process.memoryUsage();
      const db = await worker.warehouse
        .query('SELECT tag, memory_usage_bytes AS b FROM duckdb_memory() WHERE memory_usage_bytes > 0')
        .catch(() => []);
      const mb = (x: number) => Math.round(x / 2 ** 20);
      const spaces = getHeapSpaceStatistics()
        .filter((s) => s.space_size >= 2 ** 20)
        .map((s) => `${s.space_name.replace('_space', '')}=${mb(s.space_used_size)}/${mb(s.space_size)}`);
      console.error(
        `mem: ${done.get({ destination: 'warehouse', status: 'ok' })} done; rss ${mb(m.rss)} heapUsed ${mb(m.heapUsed)} ` +
          `heapTotal ${mb(m.heapTotal)} (${spaces.join(' ')}) external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)} MB; ` +
          `duckdb ${db.map((r) => `${r.tag}=${mb(Number(r.b))}`).join(' ')}`,
      );
    }
    if (worker.metrics.failed.total() > 0 || worker.metrics.deadLettered.total() > 0) {
      throw new Error(
        `worker failures: failed=${worker.metrics.failed.total()} dead=${worker.metrics.deadLettered.total()}`,
      );
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const steal1 = stealSeconds();
  clearInterval(sampler);
  gcObserver.disconnect();
  peak = Math.max(peak, process.memoryUsage().rss);
  const text = await worker.metrics.registry.metrics();
  const sum = Number(/signalroom_worker_warehouse_batch_sessions_sum (\S+)/.exec(text)?.[1] ?? 0);
  const count = Number(/signalroom_worker_warehouse_batch_sessions_count (\S+)/.exec(text)?.[1] ?? 1);
  await worker.stop({ deadlineMs: 10_000 });
  return {
    sessions: n,
    seconds,
    rate: n / seconds,
    peakRssMb: peak / 2 ** 20,
    startRssMb: startRss / 2 ** 20,
    batchMean: sum / count,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    gcMinorMs,
    gcMajorMs,
    hostSteal: steal0 === null || steal1 === null ? null : (steal1 - steal0) / (seconds * cpus().length),
  };
}

const job = process.argv[2];
if (job === undefined) {
  console.error('usage: worker_drain <DrainJob as JSON>');
  process.exit(2);
}
drainHere(JSON.parse(job) as DrainJob).then(
  (r) => console.log(JSON.stringify(r)),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
