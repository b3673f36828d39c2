/**
 * DuckDB backend: one embedded database file. Writes go through one connection, serialized, each
 * batch in one transaction: the old rows of the batch's sessions (if any were written before) are
 * deleted, then each table's rows are inserted by one statement whose one parameter is the batch
 * as JSON, column by column. DuckDB parses and inserts it on its own threads; the appender API
 * (one native call per value, `flushSync` on the event loop) took most of the worker's main
 * thread.
 * Reads use a second connection so they never see a half-written batch.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue, listValue } from '@duckdb/node-api';
import type { PiiMode } from '../../../src/schema/index.js';
import type { ScoredSession } from '../types.js';
import { MIGRATIONS, renderStatement, SCHEMA_MIGRATIONS_DDL } from './migrations.js';
import {
  type ColumnKind,
  DELIVERIES,
  dedupeDeliveries,
  dedupeSessions,
  deliveryRow,
  emptyTableRows,
  SESSION_TABLES,
  sessionRows,
  type TableSpec,
  type Value,
} from './rows.js';
import type { DeliveryStatus, MigrationReport, Row, Warehouse, WarehouseOptions } from './types.js';

/**
 * Database settings: a bounded buffer pool keeps the worker's memory flat however large the file
 * grows (48MB failed 256-session transactions; 96MB holds them with room), and a WAL of 32MB
 * before checkpointing (DuckDB's default is 16MB) halves the checkpoints for little memory.
 */
const DEFAULT_SETTINGS: Record<string, string> = {
  memory_limit: '96MB',
  checkpoint_threshold: '32MB',
};

/** The `json_transform` type of one column's values. */
const JSON_TYPE: Record<ColumnKind, string> = {
  text: '"VARCHAR"',
  int: '"INTEGER"',
  bigint: '"BIGINT"',
  double: '"DOUBLE"',
  bool: '"BOOLEAN"',
  // ISO-8601 text; the insert casts it to TIMESTAMPTZ.
  ts: '"VARCHAR"',
  json: '"JSON"',
  'text[]': '["VARCHAR"]',
};

/** A value as the JSON the column's `json_transform` type reads (null for null or undefined). */
function jsonValue(kind: ColumnKind, v: Value): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'text':
    case 'ts':
      return typeof v === 'string' ? v : String(v);
    case 'int':
    case 'bigint':
      return Math.trunc(Number(v));
    case 'double': {
      const n = Number(v);
      // JSON has no NaN or infinities; they go as text the DOUBLE cast reads.
      return Number.isFinite(n) ? n : String(n);
    }
    case 'bool':
      return Boolean(v);
    case 'json':
    case 'text[]':
      return v;
    default: {
      const never: never = kind;
      throw new Error(`unknown column kind ${String(never)}`);
    }
  }
}

/**
 * `INSERT INTO <table> SELECT …` from one JSON parameter holding the batch column by column
 * (`{"session_id": [...], "turn_index": [...]}`): DuckDB parses it and inserts on its own thread,
 * so the event loop only pays for one `JSON.stringify` per table and batch.
 */
function insertFromJsonSql(spec: TableSpec, target = spec.name): string {
  const cols = spec.columns.map(([n]) => n);
  const structure = `{${spec.columns.map(([n, k]) => `"${n}":[${JSON_TYPE[k]}]`).join(',')}}`;
  return `INSERT INTO ${target} (${cols.join(', ')}) SELECT ${cols.map((c) => `unnest(j.${c})`).join(', ')}
    FROM (SELECT json_transform($1, '${structure}') AS j)`;
}

/** The rows as the JSON text `insertFromJsonSql` reads. */
function columnsJson(spec: TableSpec, rows: readonly Value[][]): string {
  const out: Record<string, unknown[]> = {};
  spec.columns.forEach(([name, kind], i) => {
    const col = new Array<unknown>(rows.length);
    for (let r = 0; r < rows.length; r++) col[r] = jsonValue(kind, rows[r]?.[i]);
    out[name] = col;
  });
  return JSON.stringify(out);
}

const INSERT_SQL = new Map<TableSpec, string>();
function insertSql(spec: TableSpec): string {
  let sql = INSERT_SQL.get(spec);
  if (sql === undefined) {
    sql = insertFromJsonSql(spec);
    INSERT_SQL.set(spec, sql);
  }
  return sql;
}

/** The batch's session ids, from a JSON array parameter. */
const IDS_SQL = `SELECT unnest(json_transform($1, '["VARCHAR"]'))`;

const UPSERT_DELIVERIES_SQL = `${insertFromJsonSql(DELIVERIES)}
  ON CONFLICT (session_id, destination) DO UPDATE SET status = excluded.status,
  attempts = excluded.attempts, last_error = excluded.last_error, updated_at = excluded.updated_at`;

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

export class DuckDbWarehouse implements Warehouse {
  readonly driver = 'duckdb' as const;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly piiMode: PiiMode;

  private constructor(
    /** The database instance, for callers that want their own connection (`instance.connect()`). */
    readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    /** A read-only-by-convention connection for queries. */
    readonly connection: DuckDBConnection,
    opts: WarehouseOptions,
  ) {
    this.piiMode = opts.piiMode ?? 'hashed';
  }

  /** Opens (creating when missing) the file at `path`; `:memory:` for an in-memory database. */
  static async open(
    path: string,
    opts: WarehouseOptions & { settings?: Record<string, string> } = {},
  ): Promise<DuckDbWarehouse> {
    if (path !== ':memory:') await mkdir(dirname(path), { recursive: true });
    const instance = await DuckDBInstance.create(path, { ...DEFAULT_SETTINGS, ...opts.settings });
    const writer = await instance.connect();
    const reader = await instance.connect();
    return new DuckDbWarehouse(instance, writer, reader, opts);
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async inTransaction(fn: () => Promise<void>): Promise<void> {
    await this.writer.run('BEGIN TRANSACTION');
    try {
      await fn();
      await this.writer.run('COMMIT');
    } catch (err) {
      await this.writer.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  migrate(): Promise<MigrationReport> {
    return this.serialized(async () => {
      await this.writer.run(SCHEMA_MIGRATIONS_DDL);
      const reader = await this.writer.runAndReadAll('SELECT version FROM schema_migrations');
      const done = new Set(reader.getRowsJS().map((r) => Number(r[0])));
      const applied: number[] = [];
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        await this.inTransaction(async () => {
          for (const sql of m.statements) await this.writer.run(renderStatement(sql, 'duckdb'));
          await this.writer.run('INSERT INTO schema_migrations VALUES ($1, $2, now())', [m.version, m.name]);
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
    const rows = emptyTableRows();
    for (const s of unique) sessionRows(s, this.piiMode, now, rows);
    const ids = JSON.stringify(unique.map((s) => s.session_id));
    const tables = SESSION_TABLES.map((spec) => ({
      spec,
      json: rows[spec.name].length > 0 ? columnsJson(spec, rows[spec.name]) : undefined,
    }));
    const deliveriesJson = this.deliveriesJson(deliveries, now);
    return this.serialized(() =>
      this.inTransaction(async () => {
        if (unique.length > 0) {
          // Old rows exist only for sessions written before: find those first (one indexed lookup)
          // so the common case, all new, skips the child-table deletes and their scans.
          const existing = await this.writer.runAndReadAll(
            `SELECT count(*) FROM sessions WHERE session_id IN (${IDS_SQL})`,
            [ids],
          );
          const rewrites = Number(existing.getRowsJS()[0]?.[0] ?? 0);
          for (const { spec, json } of tables) {
            if (rewrites > 0) {
              await this.writer.run(`DELETE FROM ${spec.name} WHERE session_id IN (${IDS_SQL})`, [ids]);
            }
            if (json !== undefined) await this.writer.run(insertSql(spec), [json]);
          }
        }
        if (deliveriesJson !== undefined) await this.writer.run(UPSERT_DELIVERIES_SQL, [deliveriesJson]);
      }),
    );
  }

  private deliveriesJson(deliveries: readonly DeliveryStatus[], now: string): string | undefined {
    const unique = dedupeDeliveries(deliveries);
    if (unique.length === 0) return undefined;
    return columnsJson(
      DELIVERIES,
      unique.map((d) => deliveryRow(d, now)),
    );
  }

  recordDeliveries(rows: readonly DeliveryStatus[]): Promise<void> {
    const json = this.deliveriesJson(rows, new Date().toISOString());
    if (json === undefined) return Promise.resolve();
    return this.serialized(() =>
      this.inTransaction(async () => {
        await this.writer.run(UPSERT_DELIVERIES_SQL, [json]);
      }),
    );
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params.map(toDuckValue));
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

  async close(): Promise<void> {
    await this.chain;
    this.writer.closeSync();
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
