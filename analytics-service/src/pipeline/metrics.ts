/**
 * A small in-process metrics registry: counters, gauges and histograms with labels, rendered in
 * the Prometheus text format (0.0.4) by `render()` for the API's `/metrics`.
 */

type Labels = Readonly<Record<string, string>>;

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  return `{${keys.map((k) => `${k}="${esc(labels[k] ?? '')}"`).join(',')}}`;
}

function withLabel(key: string, extra: string): string {
  return key === '' ? `{${extra}}` : `${key.slice(0, -1)},${extra}}`;
}

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  protected abstract lines(): string[];
  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`, ...this.lines()].join(
      '\n',
    );
  }
}

export class Counter extends Metric {
  readonly type = 'counter';
  private readonly values = new Map<string, number>();
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  /** Sum over every label set. */
  total(): number {
    let t = 0;
    for (const v of this.values.values()) t += v;
    return t;
  }
  protected lines(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k} ${v}`);
  }
}

export class Gauge extends Metric {
  readonly type = 'gauge';
  private readonly values = new Map<string, number>();
  set(value: number, labels: Labels = {}): void {
    this.values.set(labelKey(labels), value);
  }
  get(labels: Labels = {}): number | undefined {
    return this.values.get(labelKey(labels));
  }
  protected lines(): string[] {
    return [...this.values].map(([k, v]) => `${this.name}${k} ${v}`);
  }
}

interface HistogramSeries {
  buckets: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric {
  readonly type = 'histogram';
  private readonly series = new Map<string, HistogramSeries>();
  constructor(
    name: string,
    help: string,
    readonly bounds: readonly number[],
  ) {
    super(name, help);
  }
  observe(value: number, labels: Labels = {}): void {
    const k = labelKey(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    this.bounds.forEach((b, i) => {
      if (value <= b) s.buckets[i] = (s.buckets[i] ?? 0) + 1;
    });
    s.sum += value;
    s.count += 1;
  }
  count(labels: Labels = {}): number {
    return this.series.get(labelKey(labels))?.count ?? 0;
  }
  protected lines(): string[] {
    const out: string[] = [];
    for (const [k, s] of this.series) {
      this.bounds.forEach((b, i) => {
        out.push(`${this.name}_bucket${withLabel(k, `le="${b}"`)} ${s.buckets[i] ?? 0}`);
      });
      out.push(`${this.name}_bucket${withLabel(k, 'le="+Inf"')} ${s.count}`);
      out.push(`${this.name}_sum${k} ${s.sum}`);
      out.push(`${this.name}_count${k} ${s.count}`);
    }
    return out;
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  private register<M extends Metric>(metric: M): M {
    const existing = this.metrics.get(metric.name);
    if (existing) {
      if (existing.type !== metric.type)
        throw new Error(`metric ${metric.name} already registered as ${existing.type}`);
      return existing as M;
    }
    this.metrics.set(metric.name, metric);
    return metric;
  }
  counter(name: string, help: string): Counter {
    return this.register(new Counter(name, help));
  }
  gauge(name: string, help: string): Gauge {
    return this.register(new Gauge(name, help));
  }
  histogram(name: string, help: string, bounds: readonly number[]): Histogram {
    return this.register(new Histogram(name, help, bounds));
  }
  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    return `${[...this.metrics.values()].map((m) => m.render()).join('\n')}\n`;
  }
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
}

export function createWorkerMetrics(registry = new MetricsRegistry()): WorkerMetrics {
  return {
    registry,
    consumed: registry.counter(
      'signalroom_worker_messages_consumed_total',
      'Messages received by the worker',
    ),
    failed: registry.counter(
      'signalroom_worker_messages_failed_total',
      'Handler runs that failed and will be retried',
    ),
    deadLettered: registry.counter(
      'signalroom_worker_messages_dead_lettered_total',
      'Messages sent to the dead-letter place by the worker, by reason',
    ),
    unknownKeys: registry.counter(
      'signalroom_worker_payloads_with_unknown_keys_total',
      'Valid payloads with keys this worker does not know (kept in the stored payload)',
    ),
    delivered: registry.counter('signalroom_worker_deliveries_total', 'Deliveries by destination and status'),
    deliveryLatencyMs: registry.histogram(
      'signalroom_worker_delivery_latency_ms',
      'Time to deliver one session per destination, milliseconds',
      LATENCY_BOUNDS_MS,
    ),
    queueLagS: registry.histogram(
      'signalroom_worker_queue_lag_seconds',
      'Time from session end to processing, seconds',
      LAG_BOUNDS_S,
    ),
    queueLagLastS: registry.gauge(
      'signalroom_worker_queue_lag_last_seconds',
      'Queue lag of the last message, seconds',
    ),
    warehouseBatchSize: registry.histogram(
      'signalroom_worker_warehouse_batch_sessions',
      'Sessions written per warehouse transaction',
      [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
    ),
  };
}
