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
  DuckDBTypeId,
} from '@duckdb/node-api';
import duckdb, { type Vector } from '@duckdb/node-bindings';
import type { ColumnKind, TableSpec, Value } from './rows.js';

/** DuckDB's vector size: the most rows one data chunk holds. */
const CHUNK_ROWS = 2048;

const FRACTION = /\.(\d+)/;

/** An ISO-8601 time as milliseconds since the epoch and the microseconds below the millisecond. */
function isoParts(iso: string): { ms: number; belowMs: number } {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an ISO-8601 time: ${JSON.stringify(iso)}`);
  const dot = iso.indexOf('.');
  let belowMs = 0;
  if (dot >= 0) {
    const digits = FRACTION.exec(iso)?.[1] ?? '';
    if (digits.length > 3) belowMs = Number(digits.slice(3, 6).padEnd(3, '0'));
  }
  // The digits below the millisecond always count forward, before 1970 too.
  return { ms, belowMs };
}

/**
 * Microseconds since the epoch of an ISO-8601 time, keeping digits below the millisecond. Exact
 * only between about 1685 and 2255 (2^53 µs); `writeColumn` writes times outside that exactly too.
 */
export function isoToMicros(iso: string): number {
  const { ms, belowMs } = isoParts(iso);
  return ms * 1000 + belowMs;
}

/** The DuckDB type each column kind is written as (checked against the table's own types). */
const TYPE_OF_KIND: Record<ColumnKind, DuckDBTypeId> = {
  text: DuckDBTypeId.VARCHAR,
  json: DuckDBTypeId.VARCHAR,
  int: DuckDBTypeId.INTEGER,
  bigint: DuckDBTypeId.BIGINT,
  double: DuckDBTypeId.DOUBLE,
  bool: DuckDBTypeId.BOOLEAN,
  ts: DuckDBTypeId.TIMESTAMP_TZ,
  'text[]': DuckDBTypeId.LIST,
};

/** Throws unless every column of `spec` has the DuckDB type its kind is written as. */
export function checkColumnTypes(spec: TableSpec, types: readonly DuckDBType[]): void {
  if (types.length !== spec.columns.length) {
    throw new Error(`${spec.name}: the table has ${types.length} columns, the writer ${spec.columns.length}`);
  }
  spec.columns.forEach(([name, kind], i) => {
    const type = types[i] as DuckDBType;
    const ok =
      type.typeId === TYPE_OF_KIND[kind] &&
      (kind !== 'text[]' ||
        (type.typeId === DuckDBTypeId.LIST && type.valueType.typeId === DuckDBTypeId.VARCHAR));
    if (!ok)
      throw new Error(`${spec.name}.${name}: written as ${kind}, but the table has ${type.toString()}`);
  });
}

/**
 * Scratch memory a column is written into before it is copied into its vector (one copy per
 * column per chunk; the writes are synchronous, so one set serves every chunk).
 */
const SCRATCH = new ArrayBuffer(CHUNK_ROWS * 16);
const F64 = new Float64Array(SCRATCH);
const I32 = new Int32Array(SCRATCH);
const U8 = new Uint8Array(SCRATCH);
/** A validity mask: bit `r` of byte `r >> 3` set means row `r` is not null. */
const MASK = new Uint8Array(CHUNK_ROWS / 8);

/**
 * Writes a 64-bit integer held exactly in a double as two 32-bit halves (little-endian), so no
 * BigInt is made per value. Past 2^53 a double is no longer exact: refused.
 */
function setInt64(words: Int32Array, index: number, v: number): void {
  if (!Number.isSafeInteger(v)) throw new Error(`not a safe 64-bit integer: ${v}`);
  const hi = Math.floor(v / 4294967296);
  words[2 * index] = v - hi * 4294967296;
  words[2 * index + 1] = hi;
}

/**
 * A time as microseconds: through a double where that is exact, else (years before ~1685 or after
 * ~2255, which payloads may carry: any year 1–9999) through a BigInt.
 */
function setMicros(words: Int32Array, index: number, iso: string): void {
  const { ms, belowMs } = isoParts(iso);
  const micros = ms * 1000 + belowMs;
  if (Number.isSafeInteger(micros)) {
    setInt64(words, index, micros);
    return;
  }
  const v = BigInt(ms) * 1000n + BigInt(belowMs);
  words[2 * index] = Number(BigInt.asIntN(32, v));
  words[2 * index + 1] = Number(BigInt.asIntN(32, v >> 32n));
}

/** Rows `start`..`end` of column `c` written into `vector`, as `kind`. */
function writeColumn(
  vector: Vector,
  kind: ColumnKind,
  rows: readonly Value[][],
  c: number,
  start: number,
  end: number,
): void {
  const n = end - start;
  let nulls = false;
  const isNull = (v: Value, row: number): v is null | undefined => {
    if (v !== null && v !== undefined) return false;
    if (!nulls) {
      nulls = true;
      MASK.fill(0xff);
    }
    MASK[row >> 3] = (MASK[row >> 3] as number) & ~(1 << (row & 7));
    return true;
  };
  // Bytes of the vector's data to copy from SCRATCH (0: the values went in directly).
  let dataBytes = 0;
  switch (kind) {
    case 'text':
    case 'json':
      for (let r = 0; r < n; r++) {
        const v = rows[start + r]?.[c];
        if (isNull(v, r)) continue;
        const text = kind === 'json' ? JSON.stringify(v) : typeof v === 'string' ? v : String(v);
        duckdb.vector_assign_string_element(vector, r, text);
      }
      break;
    case 'double':
      for (let r = 0; r < n; r++) {
        const v = rows[start + r]?.[c];
        F64[r] = isNull(v, r) ? 0 : Number(v);
      }
      dataBytes = n * 8;
      break;
    case 'int':
      for (let r = 0; r < n; r++) {
        const v = rows[start + r]?.[c];
        const value = isNull(v, r) ? 0 : Math.trunc(Number(v));
        // An Int32Array would wrap a larger value silently.
        if (!(value >= -2147483648 && value <= 2147483647)) throw new Error(`not a 32-bit integer: ${v}`);
        I32[r] = value;
      }
      dataBytes = n * 4;
      break;
    case 'bool':
      for (let r = 0; r < n; r++) {
        const v = rows[start + r]?.[c];
        U8[r] = isNull(v, r) ? 0 : v ? 1 : 0;
      }
      dataBytes = n;
      break;
    case 'bigint':
    case 'ts':
      for (let r = 0; r < n; r++) {
        const v = rows[start + r]?.[c];
        if (isNull(v, r)) {
          setInt64(I32, r, 0);
          continue;
        }
        if (kind === 'bigint') setInt64(I32, r, Math.trunc(Number(v)));
        else setMicros(I32, r, v instanceof Date ? v.toISOString() : String(v));
      }
      dataBytes = n * 8;
      break;
    case 'text[]': {
      // A list vector holds (offset, length) pairs of 64-bit integers into one child vector.
      let total = 0;
      for (let r = 0; r < n; r++) {
        const v = rows[start + r]?.[c];
        if (Array.isArray(v)) total += v.length;
      }
      duckdb.list_vector_reserve(vector, total);
      const child = duckdb.list_vector_get_child(vector);
      let offset = 0;
      for (let r = 0; r < n; r++) {
        const v = rows[start + r]?.[c];
        const items = isNull(v, r) ? [] : (v as unknown[]);
        setInt64(I32, 2 * r, offset);
        setInt64(I32, 2 * r + 1, items.length);
        for (const item of items) duckdb.vector_assign_string_element(child, offset++, String(item));
      }
      duckdb.list_vector_set_size(vector, offset);
      dataBytes = n * 16;
      break;
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown column kind ${String(never)}`);
    }
  }
  if (dataBytes > 0) duckdb.copy_data_to_vector(vector, 0, SCRATCH, 0, dataBytes);
  if (nulls) {
    duckdb.vector_ensure_validity_writable(vector);
    duckdb.copy_data_to_vector_validity(vector, 0, MASK.buffer, 0, Math.ceil(n / 64) * 8);
  }
}

/** The table an appender writes (a temporary one is `{ name, schema: 'main', catalog: 'temp' }`). */
export interface AppendTarget {
  name: string;
  schema?: string;
  catalog?: string;
}

/**
 * Data chunks kept for reuse, per table. A chunk holds 2,048 rows of every column whatever it is
 * filled with (1.4 MB for `sessions`, 2.4 MB for the five session tables), and a reset keeps that
 * memory: refilling one spares DuckDB's allocator a fresh allocation, and the process the page
 * faults, for every table of every batch. A chunk is given back once the appender has copied it.
 */
export class ChunkPool {
  private readonly free = new Map<string, DuckDBDataChunk[]>();

  /** `perTable`: chunks kept per table at most (enough for the batches in flight). */
  constructor(private readonly perTable = 4) {}

  take(table: string, types: readonly DuckDBType[]): DuckDBDataChunk {
    return this.free.get(table)?.pop() ?? DuckDBDataChunk.create(types);
  }

  /** Resets `chunk` (its string data is freed now) and keeps it, unless enough are kept. */
  give(table: string, chunk: DuckDBDataChunk): void {
    chunk.reset();
    const kept = this.free.get(table) ?? [];
    this.free.set(table, kept);
    if (kept.length < this.perTable) kept.push(chunk);
  }
}

/**
 * The data chunks holding `rows` (in `spec`'s column order) for a table of column `types` (as
 * `checkColumnTypes` accepts them). Values are written straight into each vector's memory
 * (numbers and times into its data, nulls into its validity mask, text one native call per
 * value): no DuckDB value object, BigInt or per-value array is made on the way. A value its
 * column cannot hold (a time that does not parse, an integer past its column's range) throws,
 * naming the table and column.
 */
export function buildChunks(
  types: DuckDBType[],
  spec: TableSpec,
  rows: readonly Value[][],
  pool?: ChunkPool,
): DuckDBDataChunk[] {
  const chunks: DuckDBDataChunk[] = [];
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    const end = Math.min(rows.length, start + CHUNK_ROWS);
    const chunk = pool ? pool.take(spec.name, types) : DuckDBDataChunk.create(types);
    chunk.rowCount = end - start;
    // (Column writes share scratch memory: each is copied into its vector before the next.)
    try {
      spec.columns.forEach(([name, kind], c) => {
        try {
          writeColumn(duckdb.data_chunk_get_vector(chunk.chunk, c), kind, rows, c, start, end);
        } catch (err) {
          throw new Error(`${spec.name}.${name}: ${(err as Error).message}`, { cause: err });
        }
      });
    } catch (err) {
      chunk.reset();
      throw err;
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
function appendChunks(
  appender: DuckDBAppender,
  chunks: readonly DuckDBDataChunk[],
  giveBack: (chunk: DuckDBDataChunk) => void = (chunk) => chunk.reset(),
): void {
  let i = 0;
  try {
    for (; i < chunks.length; i++) {
      const chunk = chunks[i] as DuckDBDataChunk;
      appender.appendDataChunk(chunk);
      giveBack(chunk);
    }
  } catch (err) {
    // The ones not copied yet are freed now too.
    for (const chunk of chunks.slice(i)) giveBack(chunk);
    throw err;
  }
  appender.flushSync();
}

function columnTypes(appender: DuckDBAppender, spec: TableSpec): DuckDBType[] {
  const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
  checkColumnTypes(spec, types);
  return types;
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

  constructor(
    private readonly connection: DuckDBConnection,
    /** Where appended chunks go back to (built with the same pool). */
    private readonly pool?: ChunkPool,
  ) {}

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
    const chunks = buildChunks(await this.columnTypes(spec, target), spec, rows, this.pool);
    await this.appendChunks(spec, chunks, target);
  }

  /** Appends data chunks built for the table (`buildChunks` with its `columnTypes`), likewise. */
  async appendChunks(
    spec: TableSpec,
    chunks: readonly DuckDBDataChunk[],
    target: AppendTarget = { name: spec.name },
  ): Promise<void> {
    if (chunks.length === 0) return;
    let appender: DuckDBAppender;
    try {
      appender = await this.appender(spec, target);
    } catch (err) {
      this.discard(spec, chunks);
      throw err;
    }
    appendChunks(appender, chunks, (c) => this.discard(spec, [c]));
  }

  /**
   * Appends each table's chunks, in order, into the open transaction. When one table fails, the
   * chunks no appender has copied (the rest of that table's and every later table's) are given back
   * at once: their native memory would otherwise wait until V8 collects them.
   */
  async appendTables(tables: readonly (readonly [TableSpec, readonly DuckDBDataChunk[]])[]): Promise<void> {
    for (const [k, [spec, chunks]] of tables.entries()) {
      try {
        await this.appendChunks(spec, chunks);
      } catch (err) {
        for (const [later, laterChunks] of tables.slice(k + 1)) this.discard(later, laterChunks);
        throw err;
      }
    }
  }

  /** Frees chunks built for `spec`: back to the pool, reset, or just reset without one. */
  private discard(spec: TableSpec, chunks: readonly DuckDBDataChunk[]): void {
    for (const chunk of chunks) {
      if (this.pool) this.pool.give(spec.name, chunk);
      else chunk.reset();
    }
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
