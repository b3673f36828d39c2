/** The analytics worker's public surface: configuration, the worker, its metrics and the warehouse. */
export {
  configSummary,
  type DeliveryConfig,
  type DestinationConfigs,
  loadWorkerConfig,
  type WorkerConfig,
  WorkerConfigError,
} from './config.js';
export {
  createMetricsRegistry,
  createWorkerMetrics,
  type MetricsRegistry,
  startWorker,
  type WorkerHandle,
  type WorkerMetrics,
  type WorkerOverrides,
} from './pipeline/index.js';
export type {
  CostBreakdown,
  DeliveryResult,
  Destination,
  LeadScore,
  ScoredSession,
  SessionAnalysis,
} from './types.js';
export {
  type DeliveryStatus,
  DuckDbWarehouse,
  openWarehouse,
  PostgresWarehouse,
  type Warehouse,
  type WarehouseConfig,
} from './warehouse/index.js';
