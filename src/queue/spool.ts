/**
 * A spool directory: the local driver's queue and the session publisher's outbox.
 *
 *   tmp/<fid>                                  being written (never read)
 *   ready/<fid>.<deliveries>.<count>           published: `count` messages, delivered `deliveries` times
 *   leased/<fid>.<deliveries>.<count>.<expiresAtMs>   claimed by one consumer until `expiresAtMs`
 *   dead/<id>.json + dead/<id>.reason.json     poison messages and why
 *
 * A file holds one or more messages (a *batch file*). Publishing is a group commit: every message
 * handed to `write`/`writeMany` while the previous file is being written goes into the next file,
 * so N concurrent publishers pay for one write + rename + fdatasync + `ready/` fsync together
 * instead of N (the cost of a durable spool is per file, not per byte). A publish resolves once
 * the file holding its message is durable (see `writeFiles`).
 *
 * Every state change of a file is a rename, and a rename of one source succeeds for exactly one
 * caller: that is the lock that keeps two processes from holding the same message. A consumer
 * claims whole files and hands their messages out one by one; it keeps the file's lease alive
 * while any of them is unsettled (`extendHeld`) and deletes the file when the last one is
 * settled. Settling one message of a batch:
 *   - ack: remembered; the file is deleted when all its messages are settled;
 *   - nack / release: the message is written back into `ready/` on its own (with its attempt
 *     count), then counted as settled;
 *   - dead-letter: written to `dead/`, then counted as settled.
 * Delivery stays at least once: a consumer that dies with a half-settled file leaves it in
 * `leased/`; when the lease expires the whole file returns to `ready/` (messages acked before the
 * crash come again). A file that comes back like that is split into one file per message before
 * anything is handed out, so a message that kills its consumer cannot use up the attempts of the
 * messages that shared its file.
 *
 * File format: the line `signalroom-spool 2`, then per message one JSON header line
 * `{"id","n": body bytes,"t": earlier attempts,"a": attributes}` followed by exactly `n` body bytes.
 * Files of the first format (`ready/<id>.<attempts>`, one line of attributes, then the body to the
 * end) are still read.
 *
 * `tmp/` files are never read: one left behind by a crash between write and rename was never
 * acknowledged to its publisher. `cleanStaleTmp` removes them once they are old enough that no
 * live writer can still own them.
 */
import { randomBytes } from 'node:crypto';
import { readFile as readFileCb } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** One message claimed from the spool. */
export interface SpoolEntry {
  readonly id: string;
  /** 1 on first delivery. */
  readonly attempt: number;
  readonly attributes: Readonly<Record<string, string>>;
  /** The body as published (gzip when the `content_encoding` attribute says so). */
  readonly body: Buffer;
  /** The claimed file this message came from (shared by the messages of one batch file). */
  readonly file: HeldFile;
}

/** A file this spool has claimed, until its last message is settled. */
export interface HeldFile {
  readonly fid: string;
  /** Deliveries of the file, this one included. */
  readonly deliveries: number;
  readonly count: number;
  leasedName: string;
  expiresAt: number;
  /** Messages neither acked, released nor dead-lettered yet. */
  unsettled: number;
  /** The lease was lost (expired and reclaimed elsewhere): settling it here changes nothing. */
  lost: boolean;
  extending: Promise<boolean> | undefined;
  finished: Promise<boolean> | undefined;
}

export interface DeadLetterRecord {
  reason: string;
  attempts: number;
  last_error: string | null;
  at: string;
  attributes: Readonly<Record<string, string>>;
}

/** One message for `Spool.writeMany`. */
export interface SpoolWrite {
  readonly attributes: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** Keep this message id (a message written back after a nack); a new one by default. */
  readonly id?: string;
  /** Deliveries already used up (a message written back after a nack); 0 by default. */
  readonly attempts?: number;
}

/** Per-message outcome of `Spool.writeMany`. */
export type SpoolWriteResult = { ok: true; id: string } | { ok: false; error: unknown };

export interface SpoolOptions {
  /** fdatasync each file and fsync `ready/` before a write resolves (default true). */
  fsync?: boolean;
  /** Most messages in one file (default 64): also the unit two consumers share work in. */
  maxFileMessages?: number;
  /** Most body bytes in one file (default 4 MiB); a bigger message gets a file of its own. */
  maxFileBytes?: number;
}

/**
 * `fs.readFile` with a callback, as a promise: for small files it is several times cheaper on the
 * event loop than `fs/promises`' `readFile` (which goes through a FileHandle, op by op).
 */
function readSmallFile(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    readFileCb(path, (err, data) => (err ? reject(err) : resolve(data)));
  });
}

/** Default age after which a `tmp/` file is considered abandoned (a write takes milliseconds). */
export const STALE_TMP_MS = 10 * 60_000;

const MAGIC = Buffer.from('signalroom-spool 2\n');

let counter = 0;
// Per process: pid plus random bytes drawn once (a recycled pid gets other bytes); the counter
// keeps ids unique within the process. Ids sort by time first.
const processTag = `${process.pid.toString(36)}-${randomBytes(3).toString('hex')}`;
function newId(): string {
  counter = (counter + 1) % 1_679_616; // 36^4
  return `${Date.now().toString(36).padStart(9, '0')}-${counter.toString(36).padStart(4, '0')}-${processTag}`;
}

function isCode(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}

/** A `ready/` name: `<fid>.<deliveries>.<count>`, or the first format's `<id>.<attempts>`. */
interface ReadyName {
  fid: string;
  deliveries: number;
  count: number;
}

/** A name found in `ready/`, as it is spelled there. */
interface Listed extends ReadyName {
  name: string;
}

/** A count as this spool writes it: plain decimal digits (not '', ' ', '-1', '1e3' or '0x10'). */
function countOf(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,15}$/.test(s)) return undefined;
  return Number(s);
}

function parseReadyName(name: string): Listed | undefined {
  const parts = name.split('.');
  const [fid, d, c] = parts;
  if (!fid || d === undefined || parts.length > 3) return undefined;
  const deliveries = countOf(d);
  const count = c === undefined ? 1 : countOf(c);
  if (deliveries === undefined || count === undefined || count < 1) return undefined;
  return { fid, deliveries, count, name };
}

/** A `leased/` name: `<fid>.<deliveries>.<count>.<expiresAt>`, or the first format's `<id>.<attempt>.<expiresAt>`. */
function parseLeasedName(name: string): (ReadyName & { expiresAt: number }) | undefined {
  const parts = name.split('.');
  if (parts.length === 3) parts.splice(2, 0, '1');
  const [fid, d, c, e] = parts;
  if (!fid || parts.length !== 4) return undefined;
  const [deliveries, count, expiresAt] = [countOf(d), countOf(c), countOf(e)];
  if (deliveries === undefined || count === undefined || expiresAt === undefined) return undefined;
  return { fid, deliveries, count, expiresAt };
}

const readyName = (f: ReadyName) => `${f.fid}.${f.deliveries}.${f.count}`;
const leasedName = (f: ReadyName, expiresAt: number) => `${readyName(f)}.${expiresAt}`;

/** One message as stored in a file. */
export interface SpoolRecord {
  /** Absent in a first-format file (its id is the file's). */
  id: string | undefined;
  attributes: Record<string, string>;
  body: Buffer;
  /** Deliveries used up before the message was written into this file. */
  attempts: number;
}

/** A spool file's contents: the messages read, and the damaged rest when there is one. */
export interface ParsedSpoolFile {
  records: SpoolRecord[];
  corrupt?: { error: string; rest: Buffer };
}

function isAttributes(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJsonLine(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Reads the messages of one spool file (either format). Never throws. */
export function parseSpoolFile(raw: Buffer): ParsedSpoolFile {
  if (!raw.subarray(0, MAGIC.length).equals(MAGIC)) {
    const nl = raw.indexOf(10);
    const attributes = nl < 0 ? undefined : parseJsonLine(raw.subarray(0, nl));
    if (!isAttributes(attributes))
      return { records: [], corrupt: { error: 'no attribute header line', rest: raw } };
    return { records: [{ id: undefined, attributes, body: raw.subarray(nl + 1), attempts: 0 }] };
  }
  const records: SpoolRecord[] = [];
  let at = MAGIC.length;
  while (at < raw.length) {
    const nl = raw.indexOf(10, at);
    const header = nl < 0 ? undefined : parseJsonLine(raw.subarray(at, nl));
    const h = header as { id?: unknown; n?: unknown; t?: unknown; a?: unknown } | undefined;
    const ok =
      typeof h?.id === 'string' &&
      h.id.length > 0 &&
      Number.isInteger(h.n) &&
      Number.isInteger(h.t) &&
      isAttributes(h.a) &&
      nl + 1 + (h.n as number) <= raw.length;
    if (!ok) {
      const error = `damaged message header at byte ${at} of ${raw.length}`;
      return { records, corrupt: { error, rest: raw.subarray(at) } };
    }
    const start = nl + 1;
    const end = start + (h?.n as number);
    records.push({
      id: h?.id as string,
      attributes: h?.a as Record<string, string>,
      body: raw.subarray(start, end),
      attempts: h?.t as number,
    });
    at = end;
  }
  return { records };
}

/** The bytes of one batch file holding `items` (with their ids). */
function encodeFile(items: readonly (SpoolWrite & { id: string })[]): Buffer[] {
  const chunks: Buffer[] = [MAGIC];
  for (const item of items) {
    const header = { id: item.id, n: item.body.length, t: item.attempts ?? 0, a: item.attributes };
    chunks.push(Buffer.from(`${JSON.stringify(header)}\n`), item.body);
  }
  return chunks;
}

/** Filesystems that cannot fsync a directory answer one of these; there is nothing more to do. */
const DIR_SYNC_UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EISDIR', 'EPERM', 'EBADF']);

/**
 * Group commit of one directory's fsync: `sync()` resolves after an fsync that *started* after
 * the call, so it covers the caller's earlier renames. Callers arriving while one fsync runs share
 * the next one.
 */
class DirSync {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly path: string) {}

  sync(): Promise<void> {
    if (this.next) return this.next;
    if (!this.running) return this.start();
    const next = this.running
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.start();
      });
    this.next = next;
    return next;
  }

  private start(): Promise<void> {
    const run = this.fsyncOnce().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private async fsyncOnce(): Promise<void> {
    let fh: Awaited<ReturnType<typeof open>> | undefined;
    try {
      fh = await open(this.path, 'r');
      await fh.sync();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (code === undefined || !DIR_SYNC_UNSUPPORTED.has(code)) throw err;
    } finally {
      await fh?.close();
    }
  }
}

interface QueuedWrite {
  item: SpoolWrite & { id: string };
  resolve: (r: SpoolWriteResult) => void;
}

export class Spool {
  /** Names from the last `ready/` listing not yet tried; claims work through it before listing again. */
  private readonly pending: Listed[] = [];
  /** Messages of claimed files not handed out yet (a file can hold more than a claim asked for). */
  private readonly buffered: SpoolEntry[] = [];
  private readonly held = new Set<HeldFile>();
  private initialized: Promise<void> | undefined;
  private readonly readySync: DirSync;
  private readonly deadSync: DirSync;
  private readonly fsync: boolean;
  private readonly maxFileMessages: number;
  private readonly maxFileBytes: number;
  private readonly queued: QueuedWrite[] = [];
  /** A group commit is running (one at a time: what arrives meanwhile forms the next one). */
  private flushing = false;
  private pumpScheduled = false;
  private readonly settled = new WeakSet<SpoolEntry>();

  constructor(
    readonly dir: string,
    opts: SpoolOptions = {},
  ) {
    this.fsync = opts.fsync ?? true;
    this.maxFileMessages = Math.max(1, opts.maxFileMessages ?? 64);
    this.maxFileBytes = Math.max(1, opts.maxFileBytes ?? 4 * 1024 * 1024);
    this.readySync = new DirSync(this.path('ready'));
    this.deadSync = new DirSync(this.path('dead'));
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  init(): Promise<void> {
    this.initialized ??= Promise.all(
      ['tmp', 'ready', 'leased', 'dead'].map((d) => mkdir(this.path(d), { recursive: true })),
    ).then(() => undefined);
    return this.initialized;
  }

  /** Durably adds a message; returns its id. Resolves once its file and rename are on disk (fsync on). */
  async write(attributes: Readonly<Record<string, string>>, body: Buffer): Promise<string> {
    const [r] = await this.writeMany([{ attributes, body }]);
    if (!r?.ok) throw r?.error ?? new Error('spool write produced no result');
    return r.id;
  }

  /**
   * Durably adds several messages. They join the next group commit with whatever else is being
   * published; each result says what happened to its message (a file that fails fails only the
   * messages in it).
   */
  async writeMany(items: readonly SpoolWrite[]): Promise<SpoolWriteResult[]> {
    await this.init();
    const results = items.map(
      (item) =>
        new Promise<SpoolWriteResult>((resolve) => {
          this.queued.push({ item: { ...item, id: item.id ?? newId() }, resolve });
        }),
    );
    this.schedulePump();
    return Promise.all(results);
  }

  /**
   * The next group commit starts on `setImmediate`: publishers woken by the last commit run their
   * continuations (validate, encode, `writeMany`) as microtasks first and all join it.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Starts a group commit unless one is running; it takes everything queued so far. */
  private pump(): void {
    if (this.flushing || this.queued.length === 0) return;
    this.flushing = true;
    const all = this.queued.splice(0, this.queued.length);
    const groups: QueuedWrite[][] = [];
    let group: QueuedWrite[] = [];
    let bytes = 0;
    for (const q of all) {
      if (
        group.length > 0 &&
        (group.length >= this.maxFileMessages || bytes + q.item.body.length > this.maxFileBytes)
      ) {
        groups.push(group);
        group = [];
        bytes = 0;
      }
      group.push(q);
      bytes += q.item.body.length;
    }
    groups.push(group);
    void this.writeFiles(groups.map((g) => g.map((q) => q.item))).then((outcomes) => {
      groups.forEach((g, i) => {
        const outcome = outcomes[i] ?? { ok: false, error: new Error('no result for spool file') };
        for (const q of g) q.resolve(outcome.ok ? { ok: true, id: q.item.id } : outcome);
      });
      this.flushing = false;
      if (this.queued.length > 0) this.schedulePump();
    });
  }

  /**
   * Writes each group as one file: written whole under `tmp/` and fdatasynced there, then renamed
   * into `ready/` (so no reader ever sees part of a file, and no crash can leave a file in `ready/`
   * whose data never reached the disk); then one `ready/` fsync makes every rename of the batch
   * durable. One outcome per group, ok only once both syncs are done; never rejects.
   */
  private async writeFiles(
    groups: readonly (readonly (SpoolWrite & { id: string })[])[],
  ): Promise<({ ok: true } | { ok: false; error: unknown })[]> {
    type Written = { ok: true; fh: FileHandle } | { ok: false; error: unknown };
    const written = await Promise.all(
      groups.map(async (items): Promise<Written> => {
        const name: ReadyName = { fid: newId(), deliveries: 0, count: items.length };
        const tmp = this.path('tmp', name.fid);
        let fh: FileHandle | undefined;
        try {
          fh = await open(tmp, 'wx');
          const chunks = encodeFile(items);
          // One writev stays within the kernel's iovec limit (IOV_MAX, 1024 on Linux).
          await fh.writev(chunks.length > 256 ? [Buffer.concat(chunks)] : chunks);
          // fdatasync: the data and the metadata needed to read it back (size, blocks) of a new file.
          if (this.fsync) await fh.datasync();
          await rename(tmp, this.path('ready', readyName(name)));
          return { ok: true, fh };
        } catch (error) {
          await fh?.close().catch(() => undefined);
          await unlink(tmp).catch(() => undefined);
          return { ok: false, error };
        }
      }),
    );
    const handles = written.flatMap((w) => (w.ok ? [w.fh] : []));
    let syncError: { error: unknown } | undefined;
    if (this.fsync && handles.length > 0) {
      try {
        await this.readySync.sync();
      } catch (error) {
        syncError = { error };
      }
    }
    await Promise.all(handles.map((fh) => fh.close().catch(() => undefined)));
    // A failed sync: the files are in ready/ (they will be delivered) but not known to be durable,
    // so the publishers hear it failed and may send again (at least once).
    return written.map((w) => (!w.ok ? w : syncError ? { ok: false, error: syncError.error } : { ok: true }));
  }

  /**
   * Claims up to `max` messages for `leaseMs`, oldest first (ids sort by time). Messages of a
   * claimed file beyond `max` wait in this spool for the next claim (their file stays leased).
   */
  async claim(max: number, leaseMs: number): Promise<SpoolEntry[]> {
    await this.init();
    await this.keepBufferedLeases(leaseMs);
    const out = this.buffered.splice(0, max);
    let listed = false;
    while (out.length < max) {
      if (this.pending.length === 0) {
        if (listed) break;
        listed = true;
        const names: Listed[] = [];
        for (const n of (await readdir(this.path('ready'))).sort()) {
          const parsed = parseReadyName(n);
          if (parsed) names.push(parsed);
          else await this.deadLetterStray(n);
        }
        this.pending.push(...names);
        if (names.length === 0) break;
      }
      // Enough files to fill the claim, claimed in parallel (each a rename then a read); a lost
      // rename just yields nothing.
      const take: Listed[] = [];
      let messages = 0;
      while (this.pending.length > 0 && out.length + messages < max) {
        const next = this.pending.shift() as Listed;
        take.push(next);
        messages += next.count;
      }
      const claimed = await Promise.all(take.map((name) => this.claimFile(name, leaseMs)));
      for (const entries of claimed) {
        const room = max - out.length;
        out.push(...entries.slice(0, room));
        this.buffered.push(...entries.slice(room));
      }
    }
    return out;
  }

  private async claimFile(name: Listed, leaseMs: number): Promise<SpoolEntry[]> {
    const expiresAt = Date.now() + leaseMs;
    const file: HeldFile = {
      fid: name.fid,
      deliveries: name.deliveries + 1,
      count: name.count,
      leasedName: leasedName({ ...name, deliveries: name.deliveries + 1 }, expiresAt),
      expiresAt,
      unsettled: 0,
      lost: false,
      extending: undefined,
      finished: undefined,
    };
    try {
      await rename(this.path('ready', name.name), this.path('leased', file.leasedName));
    } catch (err) {
      if (isCode(err, 'ENOENT')) return []; // another consumer won the rename
      throw err;
    }
    const raw = await readSmallFile(this.path('leased', file.leasedName));
    const parsed = parseSpoolFile(raw);
    const at = new Date().toISOString();
    if (parsed.corrupt) {
      // Not a file this spool wrote whole (a foreign or damaged file): its rest goes to dead/
      // with the reason instead of failing every claim that meets it.
      const id = parsed.records.length === 0 ? name.fid : `${name.fid}-rest`;
      await this.writeDead(id, parsed.corrupt.rest, {
        reason: 'corrupt_spool_file',
        attempts: file.deliveries,
        last_error: parsed.corrupt.error,
        at,
        attributes: {},
      });
    }
    if (parsed.records.length > 1 && name.deliveries > 0) {
      // Back after an expired lease: one file per message from now on (see the header).
      const singles = parsed.records.map((r) => [
        {
          id: r.id ?? newId(),
          attributes: r.attributes,
          body: r.body,
          attempts: r.attempts + name.deliveries,
        },
      ]);
      const outcomes = await this.writeFiles(singles);
      const failed = outcomes.find((o) => !o.ok);
      if (failed && !failed.ok) throw failed.error;
      parsed.records.length = 0;
    }
    file.unsettled = parsed.records.length;
    if (file.unsettled === 0) {
      await unlink(this.path('leased', file.leasedName)).catch(() => undefined);
      return [];
    }
    this.held.add(file);
    return parsed.records.map((r) => ({
      id: r.id ?? name.fid,
      attempt: r.attempts + file.deliveries,
      attributes: r.attributes,
      body: r.body,
      file,
    }));
  }

  /** A `ready/` name this spool never writes: moved to `dead/` so it is seen, not skipped forever. */
  private async deadLetterStray(name: string): Promise<void> {
    let raw: Buffer;
    try {
      raw = await readSmallFile(this.path('ready', name));
      await unlink(this.path('ready', name));
    } catch (err) {
      if (isCode(err, 'ENOENT')) return;
      throw err;
    }
    await this.writeDead(name.replaceAll('.', '_'), raw, {
      reason: 'corrupt_spool_file',
      attempts: 0,
      last_error: `unexpected file name ${JSON.stringify(name)} in ready/`,
      at: new Date().toISOString(),
      attributes: {},
    });
  }

  /** Buffered messages of a file whose lease was lost belong to someone else now: drop them. */
  private async keepBufferedLeases(leaseMs: number): Promise<void> {
    if (this.buffered.length === 0) return;
    const files = new Set(this.buffered.map((e) => e.file));
    await Promise.all([...files].map((f) => this.extendFile(f, leaseMs)));
    for (let i = this.buffered.length - 1; i >= 0; i--) {
      const e = this.buffered[i] as SpoolEntry;
      if (e.file.lost) {
        this.buffered.splice(i, 1);
        e.file.unsettled -= 1;
        if (e.file.unsettled === 0) this.held.delete(e.file);
      }
    }
  }

  /**
   * Pushes the lease expiry of every file this spool holds forward where less than half of it is
   * left (a consumer's heartbeat; it covers messages not handed out yet too).
   */
  async extendHeld(leaseMs: number): Promise<void> {
    await Promise.all([...this.held].map((f) => this.extendFile(f, leaseMs)));
  }

  private extendFile(file: HeldFile, leaseMs: number): Promise<boolean> {
    if (file.lost) return Promise.resolve(false);
    if (file.extending) return file.extending;
    if (file.finished || file.expiresAt - Date.now() > leaseMs / 2) return Promise.resolve(true);
    const run = (async () => {
      const expiresAt = Date.now() + leaseMs;
      const next = leasedName(file, expiresAt);
      try {
        await rename(this.path('leased', file.leasedName), this.path('leased', next));
        file.leasedName = next;
        file.expiresAt = expiresAt;
        return true;
      } catch (err) {
        if (!isCode(err, 'ENOENT')) throw err;
        file.lost = true;
        return false;
      }
    })().finally(() => {
      file.extending = undefined;
    });
    file.extending = run;
    return run;
  }

  /**
   * Counts one message of its file as settled; the last one deletes the file, or renames it back
   * into `ready/` as `backTo` (a one-message file given back). Resolves false when the lease had
   * been lost (the file was reclaimed elsewhere).
   */
  private async settle(entry: SpoolEntry, backTo?: string): Promise<boolean> {
    if (this.settled.has(entry)) return false;
    this.settled.add(entry);
    const file = entry.file;
    file.unsettled -= 1;
    if (file.unsettled > 0) return !file.lost;
    this.held.delete(file);
    file.finished ??= (async () => {
      if (file.lost) return false;
      await file.extending?.catch(() => undefined);
      const leased = this.path('leased', file.leasedName);
      try {
        await (backTo === undefined ? unlink(leased) : rename(leased, this.path('ready', backTo)));
        return true;
      } catch (err) {
        if (isCode(err, 'ENOENT')) return false;
        throw err;
      }
    })();
    return file.finished;
  }

  /** Done with the message. False when the lease had been lost. */
  ack(entry: SpoolEntry): Promise<boolean> {
    return this.settle(entry);
  }

  /**
   * Makes the message visible again. `countAttempt: false` forgets this delivery (the outbox
   * drainer's retry, or a message handed out but never handled). A one-message file goes back by
   * rename; a message of a batch file is written back on its own first.
   */
  async release(
    entry: SpoolEntry,
    opts: { countAttempt: boolean } = { countAttempt: true },
  ): Promise<boolean> {
    const file = entry.file;
    if (file.lost || this.settled.has(entry)) return this.settle(entry);
    if (file.count === 1) {
      const deliveries = opts.countAttempt ? file.deliveries : file.deliveries - 1;
      return this.settle(entry, readyName({ ...file, deliveries }));
    }
    const [written] = await this.writeMany([
      {
        id: entry.id,
        attributes: entry.attributes,
        body: entry.body,
        attempts: opts.countAttempt ? entry.attempt : entry.attempt - 1,
      },
    ]);
    if (!written?.ok) throw written?.error ?? new Error('writing the message back failed');
    return this.settle(entry);
  }

  /** Gives back every claimed message not handed out yet (a consumer stopping), attempt not counted. */
  async releaseBuffered(): Promise<void> {
    const entries = this.buffered.splice(0, this.buffered.length);
    await Promise.all(entries.map((e) => this.release(e, { countAttempt: false })));
  }

  /** Moves a claimed message to `dead/` with a reason file. The body is written decoded. */
  async deadLetter(entry: SpoolEntry, decodedBody: Buffer, record: DeadLetterRecord): Promise<void> {
    await this.writeDead(entry.id, decodedBody, record);
    await this.settle(entry);
  }

  /** Writes `dead/<id>.json` and `dead/<id>.reason.json` (fsynced, with the `dead/` directory). */
  async writeDead(id: string, body: Buffer, record: DeadLetterRecord): Promise<void> {
    await this.init();
    await Promise.all([
      this.writeDurably(this.path('dead', `${id}.json`), body),
      this.writeDurably(this.path('dead', `${id}.reason.json`), Buffer.from(JSON.stringify(record, null, 2))),
    ]);
    if (this.fsync) await this.deadSync.sync();
  }

  /**
   * Deletes `tmp/` files older than `maxAgeMs` (left by a process that died between write and
   * rename; their publish never resolved ok, so nothing acknowledged is lost). Returns how many.
   */
  async cleanStaleTmp(maxAgeMs = STALE_TMP_MS, now = Date.now()): Promise<number> {
    await this.init();
    let n = 0;
    for (const name of await readdir(this.path('tmp'))) {
      const path = this.path('tmp', name);
      try {
        const st = await stat(path);
        if (now - st.mtimeMs < maxAgeMs) continue;
        await unlink(path);
        n += 1;
      } catch (err) {
        if (!isCode(err, 'ENOENT')) throw err; // renamed or removed meanwhile
      }
    }
    return n;
  }

  /** Returns expired leases to `ready/` (their delivery stays counted). Returns how many files. */
  async reapExpired(now = Date.now()): Promise<number> {
    await this.init();
    let n = 0;
    for (const name of await readdir(this.path('leased'))) {
      const f = parseLeasedName(name);
      if (f === undefined || f.expiresAt > now) continue;
      try {
        await rename(this.path('leased', name), this.path('ready', readyName(f)));
        n += 1;
      } catch (err) {
        if (!isCode(err, 'ENOENT')) throw err;
      }
    }
    return n;
  }

  /** Counts messages per state (from the file names), for tests, metrics and the drainer. */
  async counts(): Promise<{ ready: number; leased: number; dead: number }> {
    await this.init();
    const [ready, leased, dead] = await Promise.all(
      ['ready', 'leased', 'dead'].map((d) => readdir(this.path(d))),
    );
    const sum = (names: string[] | undefined, parse: (n: string) => { count: number } | undefined) =>
      (names ?? []).reduce((acc, n) => acc + (parse(n)?.count ?? 1), 0);
    return {
      ready: sum(ready, parseReadyName),
      leased: sum(leased, parseLeasedName),
      dead: Math.floor((dead?.length ?? 0) / 2),
    };
  }

  /** Creates `path` with `data` by way of `tmp/` (written, fdatasynced when the spool fsyncs, renamed). */
  private async writeDurably(path: string, data: Buffer): Promise<void> {
    const tmp = this.path('tmp', `${newId()}.dead`);
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      // fdatasync: the data and the metadata needed to read it back (size, blocks) of a new file.
      if (this.fsync) await fh.datasync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  }
}
