/**
 * The worker's metrics on a prom-client registry, served by the API's `/metrics` in the Prometheus
 * text format with prom-client's default process, heap, GC and event-loop metrics beside them.
 *
 * Each metric is a prom-client metric behind a small view that adds synchronous reads
 * (`get`, `total`, `count`): the worker's tests and the benchmark poll them without awaiting
 * prom-client's asynchronous `get()`. The metric names and labels are the ones `/metrics` has
 * always served.
 */
import {
  collectDefaultMetrics,
  Counter as PromCounter,
  Gauge as PromGauge,
  Histogram as PromHistogram,
  Registry,
} from 'prom-client';

type Labels = Readonly<Record<string, string>>;

/** One series' key: label values in the metric's declared label order. */
function seriesKey(labelNames: readonly string[], labels: Labels): string {
  return labelNames.map((n) => labels[n] ?? '').join('\u0000');
}

export class Counter {
  readonly #counts = new Map<string, number>();
  constructor(
    private readonly prom: PromCounter<string>,
    private readonly labelNames: readonly string[],
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    this.prom.inc(labels, by);
    const k = seriesKey(this.labelNames, labels);
    this.#counts.set(k, (this.#counts.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.#counts.get(seriesKey(this.labelNames, labels)) ?? 0;
  }
  /** Sum over every label set. */
  total(): number {
    let t = 0;
    for (const v of this.#counts.values()) t += v;
    return t;
  }
}

export class Gauge {
  readonly #values = new Map<string, number>();
  constructor(
    private readonly prom: PromGauge<string>,
    private readonly labelNames: readonly string[],
  ) {}
  set(value: number, labels: Labels = {}): void {
    this.prom.set(labels, value);
    this.#values.set(seriesKey(this.labelNames, labels), value);
  }
  get(labels: Labels = {}): number | undefined {
    return this.#values.get(seriesKey(this.labelNames, labels));
  }
}

export class Histogram {
  readonly #counts = new Map<string, number>();
  constructor(
    private readonly prom: PromHistogram<string>,
    private readonly labelNames: readonly string[],
  ) {}
  observe(value: number, labels: Labels = {}): void {
    this.prom.observe(labels, value);
    const k = seriesKey(this.labelNames, labels);
    this.#counts.set(k, (this.#counts.get(k) ?? 0) + 1);
  }
  /** Observations of one label set. */
  count(labels: Labels = {}): number {
    return this.#counts.get(seriesKey(this.labelNames, labels)) ?? 0;
  }
}

/** A prom-client registry; `metrics()` renders it and `contentType` names its format. */
export type MetricsRegistry = Registry;

/** A new registry with prom-client's default process metrics (CPU, memory, GC, event loop). */
export function createMetricsRegistry(opts: { defaultMetrics?: boolean } = {}): MetricsRegistry {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}

const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000];
const LAG_BOUNDS_S = [1, 5, 15, 60, 300, 900, 3600, 21_600, 86_400];

/** The worker's metrics, created on one registry. */
export interface WorkerMetrics {
  readonly registry: MetricsRegistry;
  /** Messages the handler received. */
  readonly consumed: Counter;
  /** Handler runs that threw a retryable error (the message will be redelivered). */
  readonly failed: Counter;
  /** Messages dead-lettered by the handler, by `reason`. */
  readonly deadLettered: Counter;
  /** Valid payloads that carried keys this worker does not know (kept, not dropped). */
  readonly unknownKeys: Counter;
  /** Deliveries by `destination` and `status` (ok | parked | failed | retrying). */
  readonly delivered: Counter;
  /** Time to deliver one session, by `destination`, in ms (retries included; warehouse: batch commit). */
  readonly deliveryLatencyMs: Histogram;
  /** now − payload `ended_at`, seconds, observed per message. */
  readonly queueLagS: Histogram;
  /** The last queue lag seen, seconds. */
  readonly queueLagLastS: Gauge;
  /** Sessions per warehouse transaction. */
  readonly warehouseBatchSize: Histogram;
  /** Progress snapshots by `status`: applied, ignored (older than the one kept, or the call ended), invalid. */
  readonly snapshots: Counter;
  /** Alert notifications by `notifier` (slack | webhook | …), `event` (fired | resolved) and `status` (ok | failed). */
  readonly notifications: Counter;
}

/** What the scrape-time gauges read: the alerts firing now and the calls in progress. */
export interface OpsView {
  firing(): ReadonlyArray<{ rule_id: string }>;
  liveCalls(): number;
}

/**
 * Gauges read at scrape time: `signalroom_alerts_firing{rule}` (alerts firing now, per rule) and
 * `signalroom_live_calls` (calls sending progress snapshots and not yet ended or expired).
 */
export function registerOpsGauges(registry: MetricsRegistry, view: OpsView): void {
  new PromGauge({
    name: 'signalroom_alerts_firing',
    help: 'Alerts firing now, by rule',
    labelNames: ['rule'],
    registers: [registry],
    collect() {
      this.reset();
      const byRule = new Map<string, number>();
      for (const a of view.firing()) byRule.set(a.rule_id, (byRule.get(a.rule_id) ?? 0) + 1);
      for (const [rule, n] of byRule) this.set({ rule }, n);
    },
  });
  new PromGauge({
    name: 'signalroom_live_calls',
    help: 'Calls in progress (sending progress snapshots, not yet ended or expired)',
    registers: [registry],
    collect() {
      this.set(view.liveCalls());
    },
  });
}

export function createWorkerMetrics(registry: MetricsRegistry = createMetricsRegistry()): WorkerMetrics {
  const counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter(new PromCounter({ name, help, labelNames, registers: [registry] }), labelNames);
  const histogram = (name: string, help: string, buckets: number[], labelNames: string[] = []) =>
    new Histogram(new PromHistogram({ name, help, buckets, labelNames, registers: [registry] }), labelNames);
  return {
    registry,
    consumed: counter('signalroom_worker_messages_consumed_total', 'Messages received by the worker'),
    failed: counter(
      'signalroom_worker_messages_failed_total',
      'Handler runs that failed and will be retried',
    ),
    deadLettered: counter(
      'signalroom_worker_messages_dead_lettered_total',
      'Messages sent to the dead-letter place by the worker, by reason',
      ['reason'],
    ),
    unknownKeys: counter(
      'signalroom_worker_payloads_with_unknown_keys_total',
      'Valid payloads with keys this worker does not know (kept in the stored payload)',
    ),
    delivered: counter('signalroom_worker_deliveries_total', 'Deliveries by destination and status', [
      'destination',
      'status',
    ]),
    deliveryLatencyMs: histogram(
      'signalroom_worker_delivery_latency_ms',
      'Time to deliver one session per destination, milliseconds',
      LATENCY_BOUNDS_MS,
      ['destination'],
    ),
    queueLagS: histogram(
      'signalroom_worker_queue_lag_seconds',
      'Time from session end to processing, seconds',
      LAG_BOUNDS_S,
    ),
    queueLagLastS: new Gauge(
      new PromGauge({
        name: 'signalroom_worker_queue_lag_last_seconds',
        help: 'Queue lag of the last message, seconds',
        registers: [registry],
      }),
      [],
    ),
    warehouseBatchSize: histogram(
      'signalroom_worker_warehouse_batch_sessions',
      'Sessions written per warehouse transaction',
      [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
    ),
    snapshots: counter(
      'signalroom_worker_progress_snapshots_total',
      'Progress snapshots received, by status (applied | ignored | invalid)',
      ['status'],
    ),
    notifications: counter(
      'signalroom_alert_notifications_total',
      'Alert notifications sent, by notifier, event (fired | resolved) and status (ok | failed)',
      ['notifier', 'event', 'status'],
    ),
  };
}
