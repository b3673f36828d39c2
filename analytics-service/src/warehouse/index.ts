export { openWarehouse, type WarehouseConfig } from './create_warehouse.js';
export { DuckDbWarehouse } from './duckdb_warehouse.js';
export { MIGRATIONS, type Migration } from './migrations.js';
export { applyPiiToLead, WarehousePiiKeyMissing, warehousePiiMode } from './pii.js';
export { PostgresWarehouse } from './postgres_warehouse.js';
export { restorePayload, type StoredPayload, storedPayload } from './stored_payload.js';
export type {
  DeliveryStatus,
  DeliveryStatusValue,
  MigrationReport,
  Row,
  Warehouse,
  WarehouseDriver,
  WarehouseOptions,
  WarehouseReader,
} from './types.js';
export { WarehouseDataError } from './types.js';
