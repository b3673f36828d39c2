/**
 * `startWorker`: wires queue consumer → session handler → warehouse (micro-batched) and the
 * configured destinations, and returns a handle whose `stop()` stops pulling, lets in-flight
 * messages finish (or releases them back to the queue) and closes everything within the
 * shutdown deadline.
 */
import { createLogger, type Logger } from '../../../src/log.js';
import type { QueueConsumer } from '../../../src/queue/index.js';
import type { SessionPayload } from '../../../src/schema/index.js';
import type { AlertConfig } from '../alerts/alert_config.js';
import type { AlertNotifier } from '../alerts/notifiers.js';
import type { WorkerConfig } from '../config.js';
import { FileParkedStore, type ParkedStore } from '../delivery/index.js';
import { CallAnalyser } from '../intelligence/analyse_call.js';
import { type AnalysisConfig, loadAnalysisConfig } from '../intelligence/analysis_config.js';
import { warehouseAnalysisCache } from '../intelligence/warehouse_cache.js';
import { loadPriceBook } from '../pricing/index.js';
import { buildScoredSession, loadScoringConfig, type ScoringDeps } from '../scoring/index.js';
import { checkScorecard } from '../scoring/scorecard.js';
import type { Destination, ScoredSession } from '../types.js';
// From the files, not the warehouse index: the index loads both backends (see `create_warehouse.ts`).
import { openWarehouse } from '../warehouse/create_warehouse.js';
import type { DeliveryStatus, Warehouse } from '../warehouse/types.js';
import { createDestinations, withRetryAll } from './destinations.js';
import { writeIsolatingRefused } from './isolate_refused.js';
import { createWorkerMetrics, type WorkerMetrics } from './metrics.js';
import { MicroBatcher } from './micro_batcher.js';
import { openOps, type WorkerOps } from './ops.js';
import { openConsumer } from './queue_consumer.js';
import { createSessionHandler, type WarehouseItem } from './session_handler.js';

export interface WorkerOverrides {
  logger?: Logger;
  /** Use this consumer instead of opening the configured one (it is stopped, not owned). */
  consumer?: QueueConsumer;
  /** Use this warehouse instead of opening the configured one (left open on stop). */
  warehouse?: Warehouse;
  /** Use these destinations instead of the configured ones (they get retry and parking). */
  destinations?: readonly Destination[];
  parked?: ParkedStore;
  metrics?: WorkerMetrics;
  /** Replaces pricing + scoring (tests). */
  score?: (payload: SessionPayload) => ScoredSession;
  /** Alert rules instead of the configured file; `false` turns alerts off. */
  alerts?: AlertConfig | false;
  /** Alert notifiers instead of the configured Slack / webhook ones. */
  alertNotifiers?: readonly AlertNotifier[];
}

export type ScoreFunction = (
  payload: SessionPayload,
  ctx?: { signal?: AbortSignal },
) => ScoredSession | Promise<ScoredSession>;

export interface WorkerHandle {
  readonly metrics: WorkerMetrics;
  readonly warehouse: Warehouse;
  readonly consumer: QueueConsumer;
  /** Alerts, live calls and dead-letter counts (for `/api/alerts`, `/api/live`). */
  readonly ops: WorkerOps;
  /** Resolves when the consumer loop ends (after `stop()`), rejects if it crashed. */
  readonly done: Promise<void>;
  /** Stop pulling, finish or release in-flight messages, flush, close; bounded by the deadline. */
  stop(opts?: { deadlineMs?: number }): Promise<void>;
}

/** Loads and cross-checks the price book, scoring model and analysis config (a bad one stops start-up). */
export async function loadScoringDeps(
  config: WorkerConfig,
): Promise<{ deps: ScoringDeps; analysisConfig: AnalysisConfig }> {
  const [priceBook, scoring, analysis] = await Promise.all([
    loadPriceBook(config.priceBookPath),
    loadScoringConfig(config.scoringConfigPath),
    loadAnalysisConfig(config.analysis?.configPath),
  ]);
  if (!priceBook.ok) throw new Error(priceBook.error);
  if (!scoring.ok) throw new Error(scoring.error);
  if (!analysis.ok) throw new Error(analysis.error);
  const problem = checkScorecard(scoring.value.scorecard, analysis.value);
  if (problem) throw new Error(`scoring config: ${problem}`);
  return {
    deps: { priceBook: priceBook.value, scoring: scoring.value, slas: config.slas },
    analysisConfig: analysis.value,
  };
}

/**
 * The handler's scoring step. With an analysis model configured, the post-call analysis runs
 * first, bounded by ANALYSIS_TIMEOUT_MS (every attempt included) and never failing: the session is
 * then priced, scored and delivered once, with the analysis or with its failure status.
 */
async function scorer(config: WorkerConfig, warehouse: Warehouse, log: Logger): Promise<ScoreFunction> {
  const { deps, analysisConfig } = await loadScoringDeps(config);
  if (!config.analysis) return (payload) => buildScoredSession(payload, deps);
  const analyser = new CallAnalyser({
    env: config.analysis,
    config: analysisConfig,
    cache: warehouseAnalysisCache(warehouse),
    log,
  });
  return async (payload, ctx) =>
    buildScoredSession(
      payload,
      deps,
      await analyser.analyse(payload, ctx?.signal ? { signal: ctx.signal } : {}),
    );
}

export async function startWorker(
  config: WorkerConfig,
  overrides: WorkerOverrides = {},
): Promise<WorkerHandle> {
  const root = overrides.logger ?? createLogger({ level: config.logLevel, name: 'analytics-worker' });
  const log = root.child({ component: 'worker' });
  const metrics = overrides.metrics ?? createWorkerMetrics();
  const parked = overrides.parked ?? new FileParkedStore(config.delivery.parkedDir);
  const rawDestinations =
    overrides.destinations ?? createDestinations(config.destinations, root, config.piiHasher);
  const destinations = withRetryAll(rawDestinations, config.delivery, parked, root);

  const ownsWarehouse = !overrides.warehouse;
  const warehouse = overrides.warehouse ?? (await openWarehouse(config.warehouse));
  let consumer: QueueConsumer;
  let score: ScoreFunction;
  try {
    score = overrides.score ?? (await scorer(config, warehouse, root));
    consumer = overrides.consumer ?? (await openConsumer(config.queue, root));
  } catch (err) {
    if (ownsWarehouse) await warehouse.close().catch(() => undefined);
    throw err;
  }

  const maxItems = Math.max(1, Math.min(config.batchSize, config.concurrency));
  const sessions = new MicroBatcher<WarehouseItem>(
    (items) =>
      writeIsolatingRefused(items, (part) =>
        warehouse.upsertSessions(
          part.map((i) => i.session),
          part.map((i) => i.delivery),
        ),
      ),
    {
      maxItems,
      maxWaitMs: config.batchMaxWaitMs,
      maxConcurrentWrites: warehouse.pipelinedWrites ?? 1,
      onFlush: (size) => metrics.warehouseBatchSize.observe(size),
    },
  );
  const statusRows = new MicroBatcher<DeliveryStatus[]>(
    (batches) => warehouse.recordDeliveries(batches.flat()),
    {
      maxItems,
      maxWaitMs: config.batchMaxWaitMs,
    },
  );

  let ops: WorkerOps;
  try {
    ops = await openOps(config, warehouse, root, overrides, metrics);
  } catch (err) {
    if (ownsWarehouse) await warehouse.close().catch(() => undefined);
    throw err;
  }

  const sessionHandler = createSessionHandler({
    score,
    writeWarehouse: (item) => sessions.add(item),
    recordDeliveries: (rows) => statusRows.add(rows),
    destinations,
    metrics,
  });
  const handler = ops.route(sessionHandler);

  const done = consumer.run(handler, { concurrency: config.concurrency });
  ops.alerts?.start();
  done.catch((err: unknown) => log.error({ err: (err as Error)?.message }, 'consumer loop crashed'));
  log.info(
    {
      queue: consumer.driver,
      warehouse: warehouse.driver,
      destinations: destinations.map((d) => d.name),
      analysis: config.analysis
        ? `${config.analysis.model} (timeout ${config.analysis.timeoutMs} ms)`
        : 'off (no ANALYSIS_MODEL)',
    },
    'worker started',
  );

  let stopping: Promise<void> | undefined;
  async function stop(opts: { deadlineMs?: number } = {}): Promise<void> {
    stopping ??= (async () => {
      const deadlineMs = opts.deadlineMs ?? config.shutdownDeadlineMs;
      const started = Date.now();
      log.info({ deadlineMs }, 'worker stopping');
      // Most of the budget goes to in-flight messages; the rest to flushing and closing.
      // The alert timer stops at once; an evaluation already running is awaited only after the
      // in-flight messages had their share of the deadline (it must not eat into it).
      const alertsStopped = ops.alerts?.stop();
      await consumer.stop({ deadlineMs: Math.max(1, Math.floor(deadlineMs * 0.8)) });
      await done.catch(() => undefined);
      await alertsStopped;
      await Promise.all([sessions.drain(), statusRows.drain()]).catch((err: unknown) =>
        log.warn({ err: (err as Error)?.message }, 'final flush failed'),
      );
      await Promise.allSettled(destinations.map((d) => d.close?.()));
      if (ownsWarehouse) await warehouse.close().catch(() => undefined);
      log.info({ tookMs: Date.now() - started }, 'worker stopped');
    })();
    return stopping;
  }

  return { metrics, warehouse, consumer, ops, done, stop };
}
