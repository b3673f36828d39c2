/**
 * The warehouse: where every scored session lands as rows (see `migrations.ts` for tables and
 * columns). Two backends behind one interface: DuckDB (embedded file, the default) and PostgreSQL.
 * Every write is an upsert keyed on `session_id`, so a redelivered message changes nothing.
 */
import type { PiiMode } from '../../../src/schema/index.js';
import type { PiiHasher } from '../privacy/index.js';
import type { ScoredSession } from '../types.js';

export type WarehouseDriver = 'duckdb' | 'postgres';

export type DeliveryStatusValue = 'ok' | 'parked' | 'failed' | 'retrying';

/** One row of the `deliveries` table. */
export interface DeliveryStatus {
  session_id: string;
  destination: string;
  status: DeliveryStatusValue;
  attempts: number;
  last_error: string | null;
}

export interface MigrationReport {
  /** Versions applied by this call (empty when the schema was already current). */
  applied: number[];
  current: number;
}

export type Row = Record<string, unknown>;

/**
 * The warehouse refused a value in the rows it was given (a number out of its column's range, a
 * time that does not parse, text PostgreSQL cannot store): writing the same rows again fails the
 * same way. Anything else a write throws (connection lost, a conflict) may pass on a retry.
 */
export class WarehouseDataError extends Error {
  override readonly name = 'WarehouseDataError';
}

export interface Warehouse {
  readonly driver: WarehouseDriver;
  /**
   * How many `upsertSessions` calls are worth having in flight at once (default 1): a backend
   * that prepares a batch while the previous one commits says 2 (DuckDB says 3: a transaction on
   * each of its two writers, and a batch being built).
   */
  readonly pipelinedWrites?: number;
  /** Applies pending migrations; safe to call on every start-up and from several processes. */
  migrate(): Promise<MigrationReport>;
  /**
   * Upserts sessions and replaces their child rows (turns, tool calls, signals, lead), all in one
   * transaction. Duplicate session ids in one call: the last one wins. `deliveries` rows given
   * here are written in the same transaction. A value the warehouse cannot store fails the whole
   * call with a {@link WarehouseDataError} that names it.
   */
  upsertSessions(sessions: readonly ScoredSession[], deliveries?: readonly DeliveryStatus[]): Promise<void>;
  /** Upserts delivery status rows on (session_id, destination), in one transaction. */
  recordDeliveries(rows: readonly DeliveryStatus[]): Promise<void>;
  /**
   * Read helper. Parameters are positional `$1`, `$2`… on both backends. Rows come back plain:
   * integers as numbers, timestamps as ISO strings, JSON columns parsed.
   */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * Runs `fn`'s reads on one snapshot: a write that commits while they run is seen by all of them
   * or by none (PostgreSQL: a `REPEATABLE READ READ ONLY` transaction on one client; DuckDB: a
   * transaction on a connection of its own). For a view built from several tables, such as one
   * session's rows, which a redelivery may rewrite between two plain `query` calls.
   */
  snapshot<T>(fn: (reader: WarehouseReader) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The read side of a warehouse, as {@link Warehouse.snapshot} hands it out. */
export type WarehouseReader = Pick<Warehouse, 'query'>;

export interface WarehouseOptions {
  /**
   * How contact fields (lead, contact arguments, participant identity) are stored: `full` as given,
   * `hashed` as `hmac-sha256:<key id>:<hex>` (needs `hasher`), `none` dropped. Default: `hashed`
   * when a hasher is given, else `none`.
   */
  piiMode?: PiiMode;
  /** Keyed hashing (PII_HASH_KEY). */
  hasher?: PiiHasher;
}
