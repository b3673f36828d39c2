/**
 * A spool directory: the local driver's queue and the session publisher's outbox.
 *
 *   tmp/<id>                       being written (never read)
 *   ready/<id>.<attempts>          published; `attempts` = deliveries so far
 *   leased/<id>.<attempt>.<expiresAtMs>   claimed by one consumer until `expiresAtMs`
 *   dead/<id>.json + dead/<id>.reason.json   poison messages and why
 *
 * Publish = write `tmp/<id>` + fsync + rename into `ready/` (atomic) + fsync of `ready/` (so the
 * rename itself survives a power loss). Concurrent writers share the directory fsync (group
 * commit: one fsync covers every rename done before it started), and their file fsyncs run in
 * parallel so the filesystem journal can coalesce them. Every state change is a rename, and a
 * rename of one source succeeds for exactly one caller: that is the lock that keeps two processes
 * from holding the same message. A file is one JSON line of attributes, then the body.
 *
 * `tmp/` files are never read: one left behind by a crash between write and rename was never
 * acknowledged to its publisher. `cleanStaleTmp` removes them once they are old enough that no
 * live writer can still own them.
 */
import { randomBytes } from 'node:crypto';
import { readFile as readFileCb } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface SpoolEntry {
  readonly id: string;
  /** 1 on first delivery. */
  readonly attempt: number;
  readonly attributes: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** Current file name under `leased/` (changes when the lease is extended). */
  leasedName: string;
}

export interface DeadLetterRecord {
  reason: string;
  attempts: number;
  last_error: string | null;
  at: string;
  attributes: Readonly<Record<string, string>>;
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

/** One message for `Spool.writeMany`. */
export interface SpoolWrite {
  readonly attributes: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Per-message outcome of `Spool.writeMany`. */
export type SpoolWriteResult = { ok: true; id: string } | { ok: false; error: unknown };

export class Spool {
  /** Names from the last `ready/` listing not yet tried; claims work through it before listing again. */
  private readonly pending: string[] = [];
  private initialized: Promise<void> | undefined;
  private readonly readySync: DirSync;
  private readonly deadSync: DirSync;

  constructor(
    readonly dir: string,
    private readonly opts: { fsync: boolean } = { fsync: true },
  ) {
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

  /** Durably adds a message; returns its id. Resolves once file and rename are on disk (fsync on). */
  async write(attributes: Readonly<Record<string, string>>, body: Buffer): Promise<string> {
    const [r] = await this.writeMany([{ attributes, body }]);
    if (!r?.ok) throw r?.error ?? new Error('spool write produced no result');
    return r.id;
  }

  /**
   * Durably adds several messages: each is written, fsynced and renamed independently (in
   * parallel), then one `ready/` fsync covers all the renames. One message failing does not fail
   * the others; each result says what happened to its message.
   */
  async writeMany(items: readonly SpoolWrite[]): Promise<SpoolWriteResult[]> {
    await this.init();
    const results = await Promise.all(
      items.map(async (item): Promise<SpoolWriteResult> => {
        const id = newId();
        const tmp = this.path('tmp', id);
        try {
          await this.writeFileDurably(tmp, [Buffer.from(`${JSON.stringify(item.attributes)}\n`), item.body]);
          await rename(tmp, this.path('ready', `${id}.0`));
          return { ok: true, id };
        } catch (error) {
          await unlink(tmp).catch(() => undefined);
          return { ok: false, error };
        }
      }),
    );
    if (this.opts.fsync && results.some((r) => r.ok)) {
      try {
        await this.readySync.sync();
      } catch (error) {
        // The files are in ready/ (they will be delivered), but we cannot say they are durable.
        return results.map((r) => (r.ok ? { ok: false, error } : r));
      }
    }
    return results;
  }

  /** Claims up to `max` ready messages for `leaseMs`. Oldest first (ids sort by time). */
  async claim(max: number, leaseMs: number): Promise<SpoolEntry[]> {
    await this.init();
    if (this.pending.length === 0) {
      const names = await readdir(this.path('ready'));
      names.sort();
      this.pending.push(...names);
    }
    const out: SpoolEntry[] = [];
    // Claims run in parallel (each is a rename then a read); a lost rename just yields nothing.
    while (out.length < max && this.pending.length > 0) {
      const batch = this.pending.splice(0, max - out.length);
      const claimed = await Promise.all(batch.map((name) => this.claimOne(name, leaseMs)));
      for (const entry of claimed) if (entry) out.push(entry);
    }
    return out;
  }

  private async claimOne(name: string, leaseMs: number): Promise<SpoolEntry | undefined> {
    const dot = name.lastIndexOf('.');
    if (dot < 0) return undefined;
    const id = name.slice(0, dot);
    const attempt = Number(name.slice(dot + 1)) + 1;
    const leasedName = `${id}.${attempt}.${Date.now() + leaseMs}`;
    try {
      await rename(this.path('ready', name), this.path('leased', leasedName));
    } catch (err) {
      if (isCode(err, 'ENOENT')) return undefined; // another consumer won the rename
      throw err;
    }
    const raw = await readSmallFile(this.path('leased', leasedName));
    const nl = raw.indexOf(10);
    let attributes: Record<string, string> | undefined;
    try {
      const parsed: unknown = nl < 0 ? undefined : JSON.parse(raw.subarray(0, nl).toString('utf8'));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        attributes = parsed as Record<string, string>;
      }
    } catch {
      attributes = undefined;
    }
    const entry: SpoolEntry = { id, attempt, attributes: attributes ?? {}, body: raw, leasedName };
    if (attributes === undefined) {
      // Not a file this spool wrote whole (e.g. a foreign or damaged file): keep it in dead/ with
      // the reason instead of failing every claim that meets it.
      await this.deadLetter(entry, raw, {
        reason: 'corrupt_spool_file',
        attempts: attempt,
        last_error: 'no attribute header line',
        at: new Date().toISOString(),
        attributes: {},
      });
      return undefined;
    }
    return { ...entry, body: raw.subarray(nl + 1) };
  }

  /** Pushes the lease expiry forward. False when the lease was lost (expired and reclaimed). */
  async extend(entry: SpoolEntry, leaseMs: number): Promise<boolean> {
    const next = `${entry.id}.${entry.attempt}.${Date.now() + leaseMs}`;
    try {
      await rename(this.path('leased', entry.leasedName), this.path('leased', next));
      entry.leasedName = next;
      return true;
    } catch (err) {
      if (isCode(err, 'ENOENT')) return false;
      throw err;
    }
  }

  /** Done: deletes the message. False when the lease had been lost. */
  async ack(entry: SpoolEntry): Promise<boolean> {
    try {
      await unlink(this.path('leased', entry.leasedName));
      return true;
    } catch (err) {
      if (isCode(err, 'ENOENT')) return false;
      throw err;
    }
  }

  /** Back to `ready/`. `countAttempt: false` forgets this delivery (the outbox drainer's retry). */
  async release(
    entry: SpoolEntry,
    opts: { countAttempt: boolean } = { countAttempt: true },
  ): Promise<boolean> {
    const attempts = opts.countAttempt ? entry.attempt : entry.attempt - 1;
    try {
      await rename(this.path('leased', entry.leasedName), this.path('ready', `${entry.id}.${attempts}`));
      return true;
    } catch (err) {
      if (isCode(err, 'ENOENT')) return false;
      throw err;
    }
  }

  /** Moves a claimed message to `dead/` with a reason file. The body is written decoded. */
  async deadLetter(entry: SpoolEntry, decodedBody: Buffer, record: DeadLetterRecord): Promise<void> {
    await this.writeDead(entry.id, decodedBody, record);
    try {
      await unlink(this.path('leased', entry.leasedName));
    } catch (err) {
      if (!isCode(err, 'ENOENT')) throw err;
    }
  }

  /** Writes `dead/<id>.json` and `dead/<id>.reason.json` (fsynced, with the `dead/` directory). */
  async writeDead(id: string, body: Buffer, record: DeadLetterRecord): Promise<void> {
    await this.init();
    await Promise.all([
      this.writeDurably(this.path('dead', `${id}.json`), body),
      this.writeDurably(this.path('dead', `${id}.reason.json`), Buffer.from(JSON.stringify(record, null, 2))),
    ]);
    if (this.opts.fsync) await this.deadSync.sync();
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

  /** Returns expired leases to `ready/` (their attempt stays counted). Returns how many. */
  async reapExpired(now = Date.now()): Promise<number> {
    await this.init();
    let n = 0;
    for (const name of await readdir(this.path('leased'))) {
      const [id, attempt, expiresAt] = name.split('.');
      if (id === undefined || attempt === undefined || Number(expiresAt) > now) continue;
      try {
        await rename(this.path('leased', name), this.path('ready', `${id}.${attempt}`));
        n += 1;
      } catch (err) {
        if (!isCode(err, 'ENOENT')) throw err;
      }
    }
    return n;
  }

  /** Counts files per state, for tests, metrics and the drainer. */
  async counts(): Promise<{ ready: number; leased: number; dead: number }> {
    await this.init();
    const [ready, leased, dead] = await Promise.all(
      ['ready', 'leased', 'dead'].map((d) => readdir(this.path(d)).then((n) => n.length)),
    );
    return { ready: ready ?? 0, leased: leased ?? 0, dead: Math.floor((dead ?? 0) / 2) };
  }

  private async writeDurably(path: string, data: Buffer): Promise<void> {
    const tmp = this.path('tmp', `${newId()}.dead`);
    await this.writeFileDurably(tmp, [data]);
    await rename(tmp, path);
  }

  /** Creates `path` (must not exist) with `chunks`, fsynced when the spool fsyncs. */
  private async writeFileDurably(path: string, chunks: Buffer[]): Promise<void> {
    const fh = await open(path, 'wx');
    try {
      await fh.writev(chunks);
      // fdatasync: the data and the metadata needed to read it back (size, blocks) of a new file.
      if (this.opts.fsync) await fh.datasync();
    } finally {
      await fh.close();
    }
  }
}
