/**
 * DuckDB backend: one embedded database file. Each batch is written in one transaction: each
 * table's rows are appended a data chunk at a time (`duckdb_append.ts`), with the delivery rows.
 * When some of the batch was written before (a redelivery), the append fails on a key and the
 * batch is written again: the old rows of its sessions deleted, the new ones appended, and the
 * delivery rows merged. Reads use a connection of their own, so they never see a half-written
 * batch.
 *
 * Writes go through two writer connections. A write waits for a free one, and for every write
 * before it that touches one of its sessions: so writes of the same session run in call order, one
 * at a time, and two transactions side by side never hold the same key (a duplicate across them
 * would fail the second commit). Migrations run alone.
 *
 * A batch's data chunks are built as soon as `upsertSessions` is called, before its turn on a
 * writer: with three calls in flight (`pipelinedWrites`), the next batch is converted while the
 * two before it run their transactions.
 */
import { access, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type DuckDBConnection,
  type DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBType,
  type DuckDBValue,
  listValue,
} from '@duckdb/node-api';
import type { PiiMode } from '../../../src/schema/index.js';
import type { PiiHasher } from '../privacy/index.js';
import type { ScoredSession } from '../types.js';
import { Appenders, buildChunks, ChunkPool } from './duckdb_append.js';
import { MIGRATIONS, migrationStatements, renderStatement, SCHEMA_MIGRATIONS_DDL } from './migrations.js';
import { warehousePiiMode } from './pii.js';
import {
  DELIVERIES,
  dedupeDeliveries,
  dedupeSessions,
  deliveryRow,
  emptyTableRows,
  SESSION_TABLES,
  sessionRows,
  type Value,
} from './rows.js';
import {
  type DeliveryStatus,
  type MigrationReport,
  type Row,
  type Warehouse,
  WarehouseDataError,
  type WarehouseOptions,
  type WarehouseReader,
} from './types.js';

/**
 * Rows per row group for new data. A checkpoint rewrites every column of each row group that
 * received rows since the last one, so with DuckDB's default (122,880) each checkpoint recompressed
 * all sessions written so far (payloads included) and the cost per batch grew with the file:
 * 14 → 80 ms per 256-row batch of 4.6 KB rows from 13k to 100k rows; at 8,192 it stays ~15 ms.
 */
const ROW_GROUP_SIZE = '8192';
/**
 * Block size of a new database file (DuckDB's default is 256 KiB). Data not yet checkpointed
 * stays in memory a block per column segment, and the session tables have about a hundred
 * columns, so smaller blocks keep less memory for the same rows: 20–45 MB less peak RSS for the
 * worker at the same throughput. A file keeps the block size it was created with.
 */
const BLOCK_SIZE = '32768';
/** The alias the database file is attached under (every connection `USE`s it). */
const DB_ALIAS = 'warehouse';
/**
 * Writer connections. Two let the next batch run its appends while the one before commits
 * (DuckDB commits one at a time): 10–30% more sessions per second at 30k, runs alternated, when
 * each batch also looked for its old rows first. A third did not help.
 */
const WRITERS = 2;

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * Database settings: a bounded buffer pool keeps the worker's memory flat however large the file
 * grows (96MB holds a backlog's batches with room; the README's balanced and low-memory settings
 * set 48MB, which costs little rate once the event loop has time to spare, see `bench:worker`), and a
 * WAL of 32MB before checkpointing (DuckDB's default is 16MB) halves the checkpoints for little
 * memory.
 */
const DEFAULT_SETTINGS: Record<string, string> = {
  memory_limit: '96MB',
  checkpoint_threshold: '32MB',
};

/**
 * Deliveries are upserted (a row per session and destination, written by several calls), which the
 * appender cannot do: they are appended to a temporary table of the writer's, then merged and the
 * staging table emptied, in the statement before COMMIT.
 */
const DELIVERIES_STAGE = { name: 'deliveries_stage', schema: 'main', catalog: 'temp' };
const STAGE = `temp.main.${DELIVERIES_STAGE.name}`;
const CREATE_DELIVERIES_STAGE_SQL = `CREATE TEMP TABLE IF NOT EXISTS ${DELIVERIES_STAGE.name} AS SELECT * FROM deliveries LIMIT 0`;
const MERGE_DELIVERIES_SQL = `INSERT INTO deliveries SELECT * FROM ${STAGE}
  ON CONFLICT (session_id, destination) DO UPDATE SET status = excluded.status,
  attempts = excluded.attempts, last_error = excluded.last_error, updated_at = excluded.updated_at;
  DELETE FROM ${STAGE}`;

/**
 * A write that writes nothing, run with BEGIN. A transaction's first write can wait for the other
 * writer's commit (most likely for the checkpoint lock, which a commit that checkpoints holds for a
 * few hundred ms). Without this, the first write was the first append, a synchronous call, and the
 * event loop stood still for the wait. Here the wait happens on a DuckDB thread. Instrumented 100k
 * drains, alternated: the `sessions` appends took 9.0 s, 2.1 s of it on the CPU, and with this
 * statement 3.0 s and 1.9 s; the event loop's delay fell from p50 27 / p99 310 ms to 8 / 130 ms
 * (what the API and the lease heartbeats, in the same process, wait). The drain rate did not
 * change: the writers still wait, off the event loop.
 */
const START_WRITING_SQL = 'DELETE FROM sessions WHERE false';

/** DuckDB's error for a row whose key is already in the table (or twice in what is appended). */
const DUPLICATE_KEY = /Duplicate key .* violates (primary key|unique) constraint/;

/** DuckDB's errors for a value it refuses: retrying the same rows fails the same way. */
const DUCKDB_DATA_ERROR =
  /^(Conversion Error|Invalid Input Error|Out of Range Error|Constraint Error: NOT NULL)/;

function toDuckValue(v: unknown): DuckDBValue {
  if (v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return listValue(v.map(toDuckValue));
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return v as DuckDBValue;
}

function plain(v: unknown, isJson: boolean): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (isJson && typeof v === 'string') return JSON.parse(v);
  if (Array.isArray(v)) return v.map((x) => plain(x, false));
  return v;
}

/** A writer connection with what belongs to it: its appenders and its temporary staging table. */
interface Writer {
  readonly connection: DuckDBConnection;
  readonly appenders: Appenders;
  /** Whether the writer's staging table exists (created on first use: it copies `deliveries`). */
  staged: boolean;
}

/** A job for a writer: `keys` are the session ids it writes (`undefined`: it needs the database alone). */
interface Job {
  keys: ReadonlySet<string> | undefined;
  run: (w: Writer) => Promise<void>;
}

function sharesKeys(a: Job, b: Job): boolean {
  if (a.keys === undefined || b.keys === undefined) return true;
  const [small, large] = a.keys.size <= b.keys.size ? [a.keys, b.keys] : [b.keys, a.keys];
  for (const k of small) if (large.has(k)) return true;
  return false;
}

export class DuckDbWarehouse implements Warehouse {
  /** The database file's alias: a connection of one's own from `instance` must `USE` it. */
  static readonly ALIAS = DB_ALIAS;
  readonly driver = 'duckdb' as const;
  /** Upserts worth having in flight: one per writer, and one more whose chunks are being built. */
  readonly pipelinedWrites: number;
  private readonly piiMode: PiiMode;
  private readonly hasher: PiiHasher | undefined;
  private readonly idle: Writer[];
  private readonly queued: Job[] = [];
  private readonly running = new Set<Job>();
  /** Batches that met rows written before and were rewritten (`replace`): redeliveries, mostly. */
  rewrites = 0;
  /** Data chunks reused across batches and writers. */
  private readonly chunkPool = new ChunkPool();
  /** The session tables' column types, learned once on the writer (in turn), for building chunks. */
  private sessionTypes: Promise<DuckDBType[][]> | undefined;

  private constructor(
    /** The database instance, for callers that want their own connection (then `USE` {@link ALIAS}). */
    readonly instance: DuckDBInstance,
    private readonly writers: readonly DuckDBConnection[],
    /** A read-only-by-convention connection for queries. */
    readonly connection: DuckDBConnection,
    opts: WarehouseOptions,
    /** The database is a file ATTACHed to an in-memory instance: a new connection must `USE` it. */
    private readonly attached = false,
  ) {
    this.piiMode = warehousePiiMode(opts);
    this.hasher = opts.hasher;
    this.idle = writers.map((connection) => ({
      connection,
      appenders: new Appenders(connection, this.chunkPool),
      staged: false,
    }));
    this.pipelinedWrites = writers.length + 1;
  }

  /** Opens (creating when missing) the file at `path`; `:memory:` for an in-memory database. */
  static async open(
    path: string,
    opts: WarehouseOptions & { settings?: Record<string, string>; writers?: number } = {},
  ): Promise<DuckDbWarehouse> {
    const writerCount = Math.max(1, opts.writers ?? WRITERS);
    const {
      row_group_size: rowGroupSize = ROW_GROUP_SIZE,
      block_size: blockSize = BLOCK_SIZE,
      ...settings
    } = {
      ...DEFAULT_SETTINGS,
      ...opts.settings,
    };
    if (path === ':memory:') {
      const instance = await DuckDBInstance.create(path, settings);
      const writers = [];
      for (let i = 0; i < writerCount; i++) writers.push(await instance.connect());
      return new DuckDbWarehouse(instance, writers, await instance.connect(), opts);
    }
    await mkdir(dirname(path), { recursive: true });
    const isNew = await access(path).then(
      () => false,
      () => true,
    );
    // The file is attached to an in-memory instance because only ATTACH takes a row group size
    // (and a block size, which only a new file may be given: an existing one keeps its own).
    // Spills go beside the file, as they would for a database opened directly (not to `./.tmp`).
    const instance = await DuckDBInstance.create(':memory:', { temp_directory: `${path}.tmp`, ...settings });
    const options = [
      `ROW_GROUP_SIZE ${Number(rowGroupSize)}`,
      ...(isNew ? [`BLOCK_SIZE ${Number(blockSize)}`] : []),
    ];
    const connections = [];
    for (let i = 0; i <= writerCount; i++) connections.push(await instance.connect());
    const [reader, ...writers] = connections as [DuckDBConnection, ...DuckDBConnection[]];
    await reader.run(`ATTACH ${sqlString(path)} AS ${DB_ALIAS} (${options.join(', ')})`);
    for (const c of connections) await c.run(`USE ${DB_ALIAS}`);
    return new DuckDbWarehouse(instance, writers, reader, opts, true);
  }

  /**
   * Runs `fn` on a writer once one is free and no job running or queued before it shares a key
   * with it (`keys` undefined: alone).
   */
  private onWriter<T>(keys: ReadonlySet<string> | undefined, fn: (w: Writer) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ keys, run: (w) => fn(w).then(resolve, reject) });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (let i = 0; i < this.queued.length && this.idle.length > 0; i++) {
      const job = this.queued[i] as Job;
      const blocked =
        [...this.running].some((r) => sharesKeys(r, job)) ||
        this.queued.slice(0, i).some((q) => sharesKeys(q, job));
      if (blocked) continue;
      this.queued.splice(i--, 1);
      const w = this.idle.pop() as Writer;
      this.running.add(job);
      void job.run(w).finally(() => {
        this.running.delete(job);
        this.idle.push(w);
        this.dispatch();
      });
    }
  }

  /**
   * Runs `fn` as one transaction: `fn` starts it with the statement it is given (alone or with the
   * first statements of its own) and may return SQL to run just before COMMIT, in the same call.
   * On failure the transaction is rolled back and the appenders dropped.
   */
  private async inTransaction(w: Writer, fn: (begin: string) => Promise<string | undefined>): Promise<void> {
    try {
      const last = await fn('BEGIN TRANSACTION');
      await w.connection.run(last ? `${last};\nCOMMIT` : 'COMMIT');
    } catch (err) {
      w.appenders.reset();
      // The staging table may have been created by the transaction being rolled back.
      w.staged = false;
      await w.connection.run('ROLLBACK').catch(() => undefined);
      if (!(err instanceof WarehouseDataError) && DUCKDB_DATA_ERROR.test((err as Error)?.message ?? ''))
        throw new WarehouseDataError(`DuckDB refused a value: ${(err as Error).message}`, { cause: err });
      throw err;
    }
  }

  migrate(): Promise<MigrationReport> {
    return this.onWriter(undefined, async (w) => {
      const writer = w.connection;
      await writer.run(SCHEMA_MIGRATIONS_DDL);
      const reader = await writer.runAndReadAll('SELECT version FROM schema_migrations');
      const done = new Set(reader.getRowsJS().map((r) => Number(r[0])));
      const applied: number[] = [];
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        await this.inTransaction(w, async (begin) => {
          await writer.run(begin);
          for (const sql of migrationStatements(m, 'duckdb'))
            await writer.run(renderStatement(sql, 'duckdb'));
          await writer.run('INSERT INTO schema_migrations VALUES ($1, $2, now())', [m.version, m.name]);
          return undefined;
        });
        applied.push(m.version);
      }
      const current = Math.max(0, ...done, ...applied);
      return { applied, current };
    });
  }

  upsertSessions(
    sessions: readonly ScoredSession[],
    deliveries: readonly DeliveryStatus[] = [],
  ): Promise<void> {
    if (sessions.length === 0 && deliveries.length === 0) return Promise.resolve();
    const unique = dedupeSessions(sessions);
    const now = new Date().toISOString();
    const deliveryRows = this.deliveryRows(deliveries, now);
    const keys = new Set([...unique.map((s) => s.session_id), ...deliveries.map((d) => d.session_id)]);
    if (unique.length === 0) {
      return this.onWriter(keys, (w) =>
        this.inTransaction(w, async (begin) => {
          await w.connection.run(begin);
          return this.stageDeliveries(w, deliveryRows);
        }),
      );
    }
    // Built now, while the connection may still be busy with an earlier batch.
    const chunks = this.buildSessionChunks(unique, now);
    // Its failure surfaces in the transaction below; until then it is not an unhandled rejection.
    chunks.catch(() => undefined);
    return this.onWriter(keys, async (w) => {
      try {
        await this.appendNew(w, chunks, deliveryRows);
      } catch (err) {
        if (!DUPLICATE_KEY.test((err as Error)?.message ?? '')) throw err;
        // Some of the batch was written before (a redelivery): replace it, rows built afresh (the
        // first attempt's chunks went to the appenders).
        this.rewrites++;
        await this.replace(w, unique, this.buildSessionChunks(unique, now), deliveries, deliveryRows);
      }
    });
  }

  /**
   * Appends the batch as new rows, and its delivery rows straight to `deliveries`: the common case,
   * where nothing of it was written before. A row whose key is already there fails the append
   * (every session table and `deliveries` has a primary key), and the transaction is rolled back.
   *
   * Looking first, with `SELECT count(*) … WHERE session_id IN (…)`, cost a scan of the key column
   * per batch, and on a busy writer far more than it did alone: 11 s of DuckDB's CPU over a
   * 100k drain (threads other than the event loop: 46 → 35 s; sessions per CPU-second
   * 1,200 → 1,380–1,490; runs alternated).
   */
  private appendNew(
    w: Writer,
    chunks: Promise<DuckDBDataChunk[][]>,
    deliveryRows: readonly Value[][],
  ): Promise<void> {
    return this.inTransaction(w, async (begin) => {
      const tables = await chunks;
      await w.connection.run(`${begin}; ${START_WRITING_SQL}`);
      await this.appendSessionTables(w, tables);
      await w.appenders.append(DELIVERIES, deliveryRows);
      return undefined;
    });
  }

  /**
   * Writes a batch some of which is already there: the old rows of its sessions are deleted and
   * the new ones appended, and its delivery rows merged (through the staging table) when any of
   * them exists, else appended.
   */
  private replace(
    w: Writer,
    sessions: readonly ScoredSession[],
    chunks: Promise<DuckDBDataChunk[][]>,
    deliveries: readonly DeliveryStatus[],
    deliveryRows: readonly Value[][],
  ): Promise<void> {
    const ids = sessions.map((s) => sqlString(s.session_id)).join(', ');
    const deliveryIds = [...new Set(deliveries.map((d) => sqlString(d.session_id)))].join(', ');
    return this.inTransaction(w, async (begin) => {
      const tables = await chunks;
      const existing = await w.connection.runAndReadAll(
        `${begin}; SELECT ${deliveryIds ? `(SELECT count(*) FROM deliveries WHERE session_id IN (${deliveryIds}))` : '0'}`,
      );
      const oldDeliveries = Number(existing.getRowsJS()[0]?.[0] ?? 0);
      await w.connection.run(
        SESSION_TABLES.map((spec) => `DELETE FROM ${spec.name} WHERE session_id IN (${ids})`).join(';\n'),
      );
      await this.appendSessionTables(w, tables);
      if (oldDeliveries > 0) return this.stageDeliveries(w, deliveryRows);
      await w.appenders.append(DELIVERIES, deliveryRows);
      return undefined;
    });
  }

  /** Appends each session table's chunks (`buildSessionChunks`) into the writer's open transaction. */
  private async appendSessionTables(w: Writer, tables: readonly DuckDBDataChunk[][]): Promise<void> {
    await w.appenders.appendTables(SESSION_TABLES.map((spec, i) => [spec, tables[i] ?? []] as const));
  }

  /** Each session table's rows of `sessions` as data chunks, in `SESSION_TABLES` order. */
  private async buildSessionChunks(
    sessions: readonly ScoredSession[],
    now: string,
  ): Promise<DuckDBDataChunk[][]> {
    if (!this.sessionTypes) {
      const types = this.onWriter(undefined, (w) =>
        Promise.all(SESSION_TABLES.map((spec) => w.appenders.columnTypes(spec))),
      );
      this.sessionTypes = types;
      // A failure (no tables yet, say) is not remembered: the next batch asks again.
      types.catch(() => {
        if (this.sessionTypes === types) this.sessionTypes = undefined;
      });
    }
    const types = await this.sessionTypes;
    try {
      const rows = emptyTableRows();
      for (const s of sessions) sessionRows(s, this.piiMode, now, rows, this.hasher);
      return SESSION_TABLES.map((spec, i) =>
        buildChunks(types[i] as DuckDBType[], spec, rows[spec.name], this.chunkPool),
      );
    } catch (err) {
      throw new WarehouseDataError(`DuckDB cannot hold a value: ${(err as Error).message}`, { cause: err });
    }
  }

  private deliveryRows(deliveries: readonly DeliveryStatus[], now: string): Value[][] {
    return dedupeDeliveries(deliveries).map((d) => deliveryRow(d, now));
  }

  /** Appends delivery rows to the staging table; returns the SQL that merges them (run before COMMIT). */
  private async stageDeliveries(w: Writer, rows: readonly Value[][]): Promise<string | undefined> {
    if (rows.length === 0) return undefined;
    if (!w.staged) {
      await w.connection.run(CREATE_DELIVERIES_STAGE_SQL);
      w.staged = true;
    }
    await w.appenders.append(DELIVERIES, rows, DELIVERIES_STAGE);
    return MERGE_DELIVERIES_SQL;
  }

  recordDeliveries(rows: readonly DeliveryStatus[]): Promise<void> {
    const deliveryRows = this.deliveryRows(rows, new Date().toISOString());
    if (deliveryRows.length === 0) return Promise.resolve();
    const keys = new Set(rows.map((r) => r.session_id));
    return this.onWriter(keys, (w) =>
      this.inTransaction(w, async (begin) => {
        await w.connection.run(begin);
        return this.stageDeliveries(w, deliveryRows);
      }),
    );
  }

  query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return readRows<T>(this.connection, sql, params);
  }

  async snapshot<T>(fn: (reader: WarehouseReader) => Promise<T>): Promise<T> {
    // A connection of its own: a transaction on the shared reader would take in other requests' reads.
    const c = await this.instance.connect();
    try {
      if (this.attached) await c.run(`USE ${DB_ALIAS}`);
      await c.run('BEGIN TRANSACTION');
      const result = await fn({ query: (sql, params = []) => readRows(c, sql, params) });
      await c.run('COMMIT');
      return result;
    } catch (err) {
      await c.run('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.closeSync();
    }
  }

  async close(): Promise<void> {
    await this.onWriter(undefined, async () => undefined);
    for (const w of this.writers) w.closeSync();
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

async function readRows<T extends Row>(
  connection: DuckDBConnection,
  sql: string,
  params: readonly unknown[],
): Promise<T[]> {
  const reader = await connection.runAndReadAll(sql, params.map(toDuckValue));
  const names = reader.deduplicatedColumnNames();
  const isJson = names.map((_, i) => reader.columnType(i).alias === 'JSON');
  return reader.getRowsJS().map((r) => {
    const o: Row = {};
    names.forEach((n, i) => {
      o[n] = plain(r[i], isJson[i] ?? false);
    });
    return o as T;
  });
}
