/**
 * DuckDB backend: one embedded database file. Writes go through one connection, serialized, each
 * batch in one transaction: the batch's session ids go to a temp staging table, their old rows
 * are deleted, and new rows are appended with DuckDB appenders (the fast path for bulk rows).
 * Reads use a second connection so they never see a half-written batch.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBValue,
  LIST,
  listValue,
  VARCHAR,
} from '@duckdb/node-api';
import type { PiiMode } from '../../../src/schema/index.js';
import type { ScoredSession } from '../types.js';
import { MIGRATIONS, renderStatement, SCHEMA_MIGRATIONS_DDL } from './migrations.js';
import {
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

const TEXT_LIST = LIST(VARCHAR);

/**
 * Database settings: a bounded buffer pool keeps the worker's memory flat however large the file
 * grows (48MB failed 256-session transactions; 96MB holds them with room), and a WAL of 32MB
 * before checkpointing (DuckDB's default is 16MB) halves the checkpoints for little memory.
 */
const DEFAULT_SETTINGS: Record<string, string> = {
  memory_limit: '96MB',
  checkpoint_threshold: '32MB',
};
const SAFE_LIST_ITEM = /^[A-Za-z0-9_.:-]+$/;

function appendValue(a: DuckDBAppender, kind: TableSpec['columns'][number][1], v: Value): void {
  if (v === null || v === undefined) {
    a.appendNull();
    return;
  }
  switch (kind) {
    case 'text':
      a.appendVarchar(String(v));
      return;
    case 'int':
      a.appendInteger(Number(v));
      return;
    case 'bigint':
      a.appendBigInt(BigInt(Math.trunc(Number(v))));
      return;
    case 'double':
      a.appendDouble(Number(v));
      return;
    case 'bool':
      a.appendBoolean(Boolean(v));
      return;
    case 'ts':
      // ISO-8601 text; the appender casts it (several times faster than building a timestamp value).
      a.appendVarchar(String(v));
      return;
    case 'json':
      a.appendVarchar(JSON.stringify(v));
      return;
    case 'text[]': {
      const items = v as string[];
      // Plain ids go as a list literal the appender casts; anything needing quotes as a list value.
      if (items.every((x) => SAFE_LIST_ITEM.test(x))) a.appendVarchar(`[${items.join(', ')}]`);
      else a.appendList(items, TEXT_LIST);
      return;
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown column kind ${String(never)}`);
    }
  }
}

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
      await this.createStaging();
      return { applied, current };
    });
  }

  private staging = false;
  private async createStaging(): Promise<void> {
    await this.writer.run('CREATE TEMP TABLE IF NOT EXISTS stage_session_ids (session_id VARCHAR)');
    await this.writer.run(
      'CREATE TEMP TABLE IF NOT EXISTS stage_deliveries AS SELECT * FROM deliveries LIMIT 0',
    );
    this.staging = true;
  }

  private async append(spec: TableSpec, rows: readonly Value[][], stagingTable?: string): Promise<void> {
    if (rows.length === 0) return;
    const a = stagingTable
      ? await this.writer.createAppender(stagingTable, 'main', 'temp')
      : await this.writer.createAppender(spec.name);
    try {
      for (const row of rows) {
        spec.columns.forEach(([, kind], i) => {
          appendValue(a, kind, row[i]);
        });
        a.endRow();
      }
      a.flushSync();
    } finally {
      a.closeSync();
    }
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
    return this.serialized(() =>
      this.inTransaction(async () => {
        if (unique.length > 0) {
          if (!this.staging) await this.createStaging();
          await this.writer.run('DELETE FROM stage_session_ids');
          const a = await this.writer.createAppender('stage_session_ids', 'main', 'temp');
          try {
            for (const s of unique) {
              a.appendVarchar(s.session_id);
              a.endRow();
            }
            a.flushSync();
          } finally {
            a.closeSync();
          }
          // Old rows exist only for sessions written before: find those first (one indexed lookup)
          // so the common case, all new, skips the child-table deletes and their scans.
          const existing = await this.writer.runAndReadAll(
            'SELECT count(*) FROM sessions WHERE session_id IN (SELECT session_id FROM temp.main.stage_session_ids)',
          );
          const rewrites = Number(existing.getRowsJS()[0]?.[0] ?? 0);
          for (const spec of SESSION_TABLES) {
            if (rewrites > 0) {
              await this.writer.run(
                `DELETE FROM ${spec.name} WHERE session_id IN (SELECT session_id FROM temp.main.stage_session_ids)`,
              );
            }
            await this.append(spec, rows[spec.name]);
          }
        }
        await this.writeDeliveries(deliveries, now);
      }),
    );
  }

  private async writeDeliveries(deliveries: readonly DeliveryStatus[], now: string): Promise<void> {
    const unique = dedupeDeliveries(deliveries);
    if (unique.length === 0) return;
    if (!this.staging) await this.createStaging();
    await this.writer.run('DELETE FROM stage_deliveries');
    await this.append(
      DELIVERIES,
      unique.map((d) => deliveryRow(d, now)),
      'stage_deliveries',
    );
    await this.writer.run(
      `INSERT INTO deliveries SELECT * FROM temp.main.stage_deliveries
       ON CONFLICT (session_id, destination) DO UPDATE SET status = excluded.status,
       attempts = excluded.attempts, last_error = excluded.last_error, updated_at = excluded.updated_at`,
    );
  }

  recordDeliveries(rows: readonly DeliveryStatus[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    const now = new Date().toISOString();
    return this.serialized(() => this.inTransaction(() => this.writeDeliveries(rows, now)));
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
