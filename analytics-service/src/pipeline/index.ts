export { createDestinations, type RetryPolicy, withRetryAll } from './destinations.js';
export {
  Counter,
  createMetricsRegistry,
  createWorkerMetrics,
  Gauge,
  Histogram,
  type MetricsRegistry,
  type WorkerMetrics,
} from './metrics.js';
export { MicroBatcher, type MicroBatcherOptions } from './micro_batcher.js';
export { openConsumer } from './queue_consumer.js';
export {
  createSessionHandler,
  DeliveryIncomplete,
  type ReportingDestination,
  type SessionHandlerDeps,
  WAREHOUSE_DESTINATION,
  type WarehouseItem,
} from './session_handler.js';
export { startWorker, type WorkerHandle, type WorkerOverrides } from './worker.js';
