/**
 * PostgreSQL backend. A batch is one transaction: sessions upserted first (ON CONFLICT, ids in
 * sorted order so concurrent workers lock rows in the same order and a duplicate session waits
 * for the other worker's commit), then child rows of the sessions that already existed deleted,
 * and every child row inserted. Every table's rows go
 * in as one JSON array parameter through `json_populate_recordset`, one statement per table.
 *
 * PostgreSQL stores no NUL character in text or JSON; each one becomes U+FFFD on the way in. A value
 * it refuses all the same (class 22, data exception, such as an integer out of range, or a NOT NULL
 * or CHECK violation) fails the batch with a `WarehouseDataError`.
 */
import pg from 'pg';
import type { PiiMode } from '../../../src/schema/index.js';
import type { PiiHasher } from '../privacy/index.js';
import type { ScoredSession } from '../types.js';
import { MIGRATIONS, migrationStatements, renderStatement, SCHEMA_MIGRATIONS_DDL } from './migrations.js';
import { warehousePiiMode } from './pii.js';
import {
  DELIVERIES,
  dedupeDeliveries,
  dedupeSessions,
  deliveryRow,
  emptyTableRows,
  LEADS,
  SESSION_TABLES,
  SESSIONS,
  sessionRows,
  type TableSpec,
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

/** Advisory lock id held while migrating, so two workers starting together do not race. */
const MIGRATION_LOCK_ID = 740_221_001;

const OID = { int8: 20, numeric: 1700, timestamp: 1114, timestamptz: 1184 } as const;

function getTypeParser(oid: number, format?: 'text' | 'binary'): (v: string) => unknown {
  switch (oid) {
    case OID.int8:
    case OID.numeric:
      return (v) => Number(v);
    case OID.timestamptz:
      return (v) => new Date(v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString();
    case OID.timestamp:
      return (v) => new Date(`${v.replace(' ', 'T')}Z`).toISOString();
    default:
      return pg.types.getTypeParser(oid, format ?? 'text') as (v: string) => unknown;
  }
}

/** A `\u0000` escape in JSON text, not itself escaped (preceded by an even run of backslashes). */
const JSON_NUL = /(?<!\\)((?:\\\\)*)\\u0000/g;

/** JSON text with every NUL character replaced by U+FFFD, which PostgreSQL can store. */
function withoutNul(json: string): string {
  return json.includes('\\u0000') ? json.replace(JSON_NUL, '$1\\ufffd') : json;
}

/** SQLSTATEs of a refused value: retrying the same rows fails the same way. */
function isDataError(err: unknown): err is pg.DatabaseError {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('22') || code === '23502' || code === '23514');
}

function objects(spec: TableSpec, rows: readonly Value[][]): string {
  const out = rows.map((row) => {
    const o: Record<string, Value> = {};
    spec.columns.forEach(([name], i) => {
      o[name] = row[i] ?? null;
    });
    return o;
  });
  return withoutNul(JSON.stringify(out));
}

function upsertSql(spec: TableSpec): string {
  const cols = spec.columns.map(([n]) => n);
  const updates = cols.filter((c) => !spec.key.includes(c)).map((c) => `${c} = EXCLUDED.${c}`);
  return `INSERT INTO ${spec.name} (${cols.join(', ')})
    SELECT ${cols.join(', ')} FROM json_populate_recordset(NULL::${spec.name}, $1::json)
    ON CONFLICT (${spec.key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
}

function insertSql(spec: TableSpec): string {
  const cols = spec.columns.map(([n]) => n).join(', ');
  return `INSERT INTO ${spec.name} (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::${spec.name}, $1::json)`;
}

export class PostgresWarehouse implements Warehouse {
  readonly driver = 'postgres' as const;
  private readonly piiMode: PiiMode;
  private readonly hasher: PiiHasher | undefined;

  constructor(
    /** The connection pool, for callers that need a client of their own. */
    readonly pool: pg.Pool,
    opts: WarehouseOptions = {},
  ) {
    this.piiMode = warehousePiiMode(opts);
    this.hasher = opts.hasher;
  }

  static open(url: string, opts: WarehouseOptions & { maxConnections?: number } = {}): PostgresWarehouse {
    const pool = new pg.Pool({
      connectionString: url,
      max: opts.maxConnections ?? 4,
      types: { getTypeParser },
    });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    return new PostgresWarehouse(pool, opts);
  }

  private async inTransaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (isDataError(err)) {
        const where = [err.table && `table ${err.table}`, err.column && `column ${err.column}`].filter(
          Boolean,
        );
        throw new WarehouseDataError(
          `PostgreSQL refused a value (${err.code}): ${err.message}${where.length ? ` (${where.join(', ')})` : ''}`,
          { cause: err },
        );
      }
      throw err;
    } finally {
      client.release();
    }
  }

  migrate(): Promise<MigrationReport> {
    return this.inTransaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
      await c.query(SCHEMA_MIGRATIONS_DDL);
      const res = await c.query<{ version: number }>('SELECT version FROM schema_migrations');
      const done = new Set(res.rows.map((r) => Number(r.version)));
      const applied: number[] = [];
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        for (const sql of migrationStatements(m, 'postgres')) await c.query(renderStatement(sql, 'postgres'));
        await c.query('INSERT INTO schema_migrations VALUES ($1, $2, now())', [m.version, m.name]);
        applied.push(m.version);
      }
      return { applied, current: Math.max(0, ...done, ...applied) };
    });
  }

  async upsertSessions(
    sessions: readonly ScoredSession[],
    deliveries: readonly DeliveryStatus[] = [],
  ): Promise<void> {
    if (sessions.length === 0 && deliveries.length === 0) return;
    const unique = dedupeSessions(sessions);
    const now = new Date().toISOString();
    const rows = emptyTableRows();
    for (const s of unique) sessionRows(s, this.piiMode, now, rows, this.hasher);
    // Writes of the same session run in call order: a write waits for every earlier one in this
    // process that touches one of its sessions (the pool may otherwise hand a later call its
    // connection first). Across processes the sessions' row locks order them.
    const ids = unique.map((s) => s.session_id);
    const earlier = [...new Set(ids.flatMap((id) => this.#writing.get(id) ?? []))];
    const run = Promise.allSettled(earlier).then(() => this.writeBatch(unique.length, rows, deliveries, now));
    for (const id of ids) this.#writing.set(id, run);
    try {
      await run;
    } finally {
      for (const id of ids) if (this.#writing.get(id) === run) this.#writing.delete(id);
    }
  }

  /** The write still running, per session id, that a later write of the same session waits for. */
  readonly #writing = new Map<string, Promise<void>>();

  private async writeBatch(
    sessionCount: number,
    rows: ReturnType<typeof emptyTableRows>,
    deliveries: readonly DeliveryStatus[],
    now: string,
  ): Promise<void> {
    await this.inTransaction(async (c) => {
      if (sessionCount > 0) {
        // `xmax <> 0` marks a row the upsert updated (it existed): only those sessions have child
        // rows to replace, so a batch of new sessions skips the deletes.
        const upserted = await c.query<{ session_id: string; existed: boolean }>(
          `${upsertSql(SESSIONS)} RETURNING session_id, (xmax <> 0) AS existed`,
          [objects(SESSIONS, rows.sessions)],
        );
        const rewritten = upserted.rows.filter((r) => r.existed).map((r) => r.session_id);
        for (const spec of SESSION_TABLES) {
          if (spec === SESSIONS || spec === LEADS) continue;
          if (rewritten.length > 0) {
            await c.query(`DELETE FROM ${spec.name} WHERE session_id = ANY($1::text[])`, [rewritten]);
          }
          if (rows[spec.name].length > 0) await c.query(insertSql(spec), [objects(spec, rows[spec.name])]);
        }
        await c.query(upsertSql(LEADS), [objects(LEADS, rows.leads)]);
      }
      await this.writeDeliveries(c, deliveries, now);
    });
  }

  private async writeDeliveries(
    c: pg.PoolClient,
    rows: readonly DeliveryStatus[],
    now: string,
  ): Promise<void> {
    const unique = dedupeDeliveries(rows);
    if (unique.length === 0) return;
    await c.query(upsertSql(DELIVERIES), [
      objects(
        DELIVERIES,
        unique.map((d) => deliveryRow(d, now)),
      ),
    ]);
  }

  async recordDeliveries(rows: readonly DeliveryStatus[]): Promise<void> {
    if (rows.length === 0) return;
    const now = new Date().toISOString();
    await this.inTransaction((c) => this.writeDeliveries(c, rows, now));
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const res = await this.pool.query(sql, params as unknown[]);
    return res.rows as T[];
  }

  async snapshot<T>(fn: (reader: WarehouseReader) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      // The snapshot is taken at the first query after BEGIN; a pg client runs its queries in turn.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await fn({
        query: async <R extends Row = Row>(sql: string, params: readonly unknown[] = []) =>
          (await client.query(sql, params as unknown[])).rows as R[],
      });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
