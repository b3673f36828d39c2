/**
 * The analytics worker process (`npm run worker`): reads the environment once, logs a start-up
 * summary (no secrets), starts the worker and the HTTP API on the same warehouse (DuckDB allows
 * one process per file), and shuts down on SIGTERM/SIGINT within WORKER_SHUTDOWN_DEADLINE_MS.
 */
import { createLogger } from '../../src/log.js';
import { type RunningApiServer, startApiServer } from './api/index.js';
import { configSummary, loadWorkerConfig, type WorkerConfig, WorkerConfigError } from './config.js';
import { startWorker, type WorkerHandle } from './pipeline/index.js';

function readConfig(): WorkerConfig {
  try {
    return loadWorkerConfig(process.env);
  } catch (err) {
    if (err instanceof WorkerConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

interface Started {
  worker: WorkerHandle;
  api: RunningApiServer | undefined;
}

/**
 * DuckDB's async calls and the spool's file operations share libuv's thread pool (4 threads by
 * default); with hundreds of messages in flight, warehouse commits queued behind file I/O and
 * throughput dropped by half. Set before anything uses the pool (it is created on first use).
 */
const DEFAULT_UV_THREADPOOL_SIZE = '16';

async function main(): Promise<void> {
  process.env.UV_THREADPOOL_SIZE ??= DEFAULT_UV_THREADPOOL_SIZE;
  const config = readConfig();
  const root = createLogger({ level: config.logLevel, name: 'analytics-worker' });
  const log = root.child({ component: 'main' });
  log.info(configSummary(config), 'analytics worker starting');

  // Signals are handled from here on, including while the worker is still starting.
  let shuttingDown = false;
  let startup: Promise<Started> | undefined;
  const shutdown = (signal: string, code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info({ signal }, 'shutdown requested');
    // A hard stop just past the deadline, in case something refuses to finish.
    setTimeout(() => {
      log.error({ deadlineMs: config.shutdownDeadlineMs }, 'shutdown deadline passed, exiting');
      process.exit(1);
    }, config.shutdownDeadlineMs + 1000).unref();
    const deadlineMs = Math.max(1, config.shutdownDeadlineMs - 500);
    (startup ?? Promise.reject(new Error('not started')))
      .then(async ({ worker, api }) => {
        await api?.close().catch(() => undefined);
        await worker.stop({ deadlineMs });
      })
      .then(
        () => process.exit(code),
        (err: unknown) => {
          log.error({ err: (err as Error)?.message }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  process.on('SIGINT', () => shutdown('SIGINT', 0));

  startup = (async (): Promise<Started> => {
    const worker = await startWorker(config, { logger: root });
    let api: RunningApiServer | undefined;
    if (config.api.port > 0) {
      api = await startApiServer({
        warehouse: worker.warehouse,
        token: config.api.token,
        log: root,
        metrics: worker.metrics.registry,
        slas: config.slas,
        retention: config.retention ?? undefined,
        alerts: worker.ops.alerts,
        live: worker.ops.live,
        errorThresholds: worker.ops.errorThresholds,
        port: config.api.port,
        ...(config.api.host !== undefined && { host: config.api.host }),
      });
    }
    worker.done.then(
      () => shutdown('consumer_stopped', 0),
      () => shutdown('consumer_crashed', 1),
    );
    return { worker, api };
  })();
  await startup;
}

main().catch((err: unknown) => {
  console.error(`analytics worker failed to start: ${(err as Error)?.message ?? String(err)}`);
  process.exit(1);
});
