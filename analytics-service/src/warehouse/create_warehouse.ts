/**
 * Opens the configured warehouse backend and brings its schema up to date. Only the configured
 * backend is loaded: a DuckDB worker never loads `pg`, nor a PostgreSQL one DuckDB's native library.
 */
import type { PiiMode } from '../../../src/schema/index.js';
import type { PiiHasher } from '../privacy/index.js';
import type { Warehouse, WarehouseDriver } from './types.js';

export interface WarehouseConfig {
  driver: WarehouseDriver;
  /** DuckDB file (driver `duckdb`). */
  duckdbPath: string;
  /** `postgres://…` (driver `postgres`). */
  url?: string;
  piiMode?: PiiMode;
  /** Keyed hashing (PII_HASH_KEY); required when `piiMode` is `hashed`. */
  hasher?: PiiHasher;
  /** DuckDB `memory_limit` (e.g. `96MB`); bounds its buffer pool, and so the worker's RSS. */
  duckdbMemoryLimit?: string;
}

export async function openWarehouse(config: WarehouseConfig): Promise<Warehouse> {
  const opts = { piiMode: config.piiMode ?? 'hashed', hasher: config.hasher };
  let warehouse: Warehouse;
  if (config.driver === 'postgres') {
    if (!config.url) throw new Error('WAREHOUSE_URL is required when WAREHOUSE_DRIVER=postgres');
    const { PostgresWarehouse } = await import('./postgres_warehouse.js');
    warehouse = PostgresWarehouse.open(config.url, opts);
  } else {
    const { DuckDbWarehouse } = await import('./duckdb_warehouse.js');
    warehouse = await DuckDbWarehouse.open(config.duckdbPath, {
      ...opts,
      ...(config.duckdbMemoryLimit !== undefined && { settings: { memory_limit: config.duckdbMemoryLimit } }),
    });
  }
  try {
    await warehouse.migrate();
  } catch (err) {
    await warehouse.close().catch(() => undefined);
    throw err;
  }
  return warehouse;
}
