/**
 * Rows into a DuckDB table through its appender, a data chunk (up to 2,048 rows) at a time: each
 * column is filled in one pass (numbers and timestamps straight into the vector's typed array, text
 * one native call per value) and handed over with one native call per chunk. DuckDB's share of a
 * 256-session batch is about a third of the `INSERT … SELECT unnest(json_transform($1, …))` it
 * replaces (which also paid a `JSON.stringify` of every table per batch on the event loop).
 */
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBType,
  type DuckDBValue,
  listValue,
  timestampTZValue,
} from '@duckdb/node-api';
import type { ColumnKind, TableSpec, Value } from './rows.js';

/** DuckDB's vector size: the most rows one data chunk holds. */
const CHUNK_ROWS = 2048;

const FRACTION = /\.(\d+)/;

/** Microseconds since the epoch of an ISO-8601 time, keeping digits below the millisecond. */
export function isoToMicros(iso: string): bigint {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an ISO-8601 time: ${JSON.stringify(iso)}`);
  const digits = FRACTION.exec(iso)?.[1];
  const belowMs = digits && digits.length > 3 ? Number(digits.slice(3, 6).padEnd(3, '0')) : 0;
  return BigInt(ms) * 1000n + BigInt(ms < 0 ? -belowMs : belowMs);
}

/** One non-null value as the column's vector takes it. */
function duckValue(kind: ColumnKind, v: NonNullable<Value>): DuckDBValue {
  switch (kind) {
    case 'text':
      return typeof v === 'string' ? v : String(v);
    case 'int':
      return Math.trunc(Number(v));
    case 'bigint':
      return BigInt(Math.trunc(Number(v)));
    case 'double':
      return Number(v);
    case 'bool':
      return Boolean(v);
    case 'ts':
      return timestampTZValue(isoToMicros(v instanceof Date ? v.toISOString() : String(v)));
    case 'json':
      return JSON.stringify(v);
    case 'text[]':
      return listValue((v as unknown[]).map(String));
    default: {
      const never: never = kind;
      throw new Error(`unknown column kind ${String(never)}`);
    }
  }
}

/** The table an appender writes (a temporary one is `{ name, schema: 'main', catalog: 'temp' }`). */
export interface AppendTarget {
  name: string;
  schema?: string;
  catalog?: string;
}

/** The data chunks holding `rows` (in `spec`'s column order) for a table of column `types`. */
export function buildChunks(
  types: DuckDBType[],
  spec: TableSpec,
  rows: readonly Value[][],
): DuckDBDataChunk[] {
  const kinds = spec.columns.map(([, kind]) => kind);
  const column: DuckDBValue[] = [];
  const chunks: DuckDBDataChunk[] = [];
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    const end = Math.min(rows.length, start + CHUNK_ROWS);
    const chunk = DuckDBDataChunk.create(types, end - start);
    for (let c = 0; c < kinds.length; c++) {
      const kind = kinds[c] as ColumnKind;
      column.length = end - start;
      for (let r = start; r < end; r++) {
        const v = rows[r]?.[c];
        column[r - start] = v === null || v === undefined ? null : duckValue(kind, v);
      }
      chunk.setColumnValues(c, column);
    }
    chunks.push(chunk);
  }
  return chunks;
}

/**
 * Hands `chunks` to the appender (which copies them) and flushes them into the open transaction.
 * Each chunk is reset once copied: that frees its string data now rather than whenever V8 collects
 * the chunk object, which it does not hurry to do because it cannot see native memory.
 */
function appendChunks(appender: DuckDBAppender, chunks: readonly DuckDBDataChunk[]): void {
  for (const chunk of chunks) {
    appender.appendDataChunk(chunk);
    chunk.reset();
  }
  appender.flushSync();
}

function columnTypes(appender: DuckDBAppender, spec: TableSpec): DuckDBType[] {
  return spec.columns.map((_, i) => appender.columnType(i));
}

function keyOf(target: AppendTarget): string {
  return `${target.catalog ?? ''}.${target.schema ?? ''}.${target.name}`;
}

/**
 * One appender per table, kept open on one connection across its transactions: creating one is a
 * round trip through DuckDB's threads, six per batch. Rows are flushed by each `append`, so they
 * belong to whatever transaction is open then. After a failed write, `reset()` drops every
 * appender so none can carry half a batch into the next.
 *
 * Column types are remembered past a reset, so data chunks can be built (`buildChunks`) away from
 * the connection, while it is busy with another transaction; only `append` touches it.
 */
export class Appenders {
  private readonly open = new Map<string, DuckDBAppender>();
  private readonly types = new Map<string, DuckDBType[]>();

  constructor(private readonly connection: DuckDBConnection) {}

  private async appender(spec: TableSpec, target: AppendTarget): Promise<DuckDBAppender> {
    const key = keyOf(target);
    let appender = this.open.get(key);
    if (appender === undefined) {
      appender = await this.connection.createAppender(target.name, target.schema, target.catalog);
      this.open.set(key, appender);
      if (!this.types.has(key)) this.types.set(key, columnTypes(appender, spec));
    }
    return appender;
  }

  /** The table's column types, asking its appender the first time (on the connection). */
  async columnTypes(spec: TableSpec, target: AppendTarget = { name: spec.name }): Promise<DuckDBType[]> {
    const known = this.types.get(keyOf(target));
    if (known) return known;
    await this.appender(spec, target);
    return this.types.get(keyOf(target)) as DuckDBType[];
  }

  /** Appends rows into the connection's open transaction. */
  async append(
    spec: TableSpec,
    rows: readonly Value[][],
    target: AppendTarget = { name: spec.name },
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.appendChunks(spec, buildChunks(await this.columnTypes(spec, target), spec, rows), target);
  }

  /** Appends data chunks built for the table (`buildChunks` with its `columnTypes`), likewise. */
  async appendChunks(
    spec: TableSpec,
    chunks: readonly DuckDBDataChunk[],
    target: AppendTarget = { name: spec.name },
  ): Promise<void> {
    if (chunks.length === 0) return;
    appendChunks(await this.appender(spec, target), chunks);
  }

  reset(): void {
    for (const appender of this.open.values()) {
      try {
        appender.clear();
        appender.closeSync();
      } catch {
        // Already unusable: dropping it is all that is left to do.
      }
    }
    this.open.clear();
  }
}

/** Appends `rows` to `target` through an appender of its own (created and closed here). */
export async function appendRows(
  connection: DuckDBConnection,
  spec: TableSpec,
  rows: readonly Value[][],
  target: AppendTarget = { name: spec.name },
): Promise<void> {
  if (rows.length === 0) return;
  const appender = await connection.createAppender(target.name, target.schema, target.catalog);
  try {
    appendChunks(appender, buildChunks(columnTypes(appender, spec), spec, rows));
  } finally {
    appender.closeSync();
  }
}
