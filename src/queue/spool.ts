/**
 * A spool directory: the local driver's queue and the session publisher's outbox.
 *
 *   tmp/<id>                       being written (never read)
 *   ready/<id>.<attempts>          published; `attempts` = deliveries so far
 *   leased/<id>.<attempt>.<expiresAtMs>   claimed by one consumer until `expiresAtMs`
 *   dead/<id>.json + dead/<id>.reason.json   poison messages and why
 *
 * Publish = write `tmp/<id>` + fsync + rename into `ready/` (atomic). Every state change is a
 * rename, and a rename of one source succeeds for exactly one caller: that is the lock that keeps
 * two processes from holding the same message. A file is one JSON line of attributes, then the body.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
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

let counter = 0;
function newId(): string {
  counter = (counter + 1) % 1_679_616; // 36^4
  return [
    Date.now().toString(36).padStart(9, '0'),
    counter.toString(36).padStart(4, '0'),
    process.pid.toString(36),
    randomBytes(3).toString('hex'),
  ].join('-');
}

function isCode(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === code;
}

export class Spool {
  private readonly pending: string[] = [];
  private initialized: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    private readonly opts: { fsync: boolean } = { fsync: true },
  ) {}

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  init(): Promise<void> {
    this.initialized ??= Promise.all(
      ['tmp', 'ready', 'leased', 'dead'].map((d) => mkdir(this.path(d), { recursive: true })),
    ).then(() => undefined);
    return this.initialized;
  }

  /** Durably adds a message; returns its id. */
  async write(attributes: Readonly<Record<string, string>>, body: Buffer): Promise<string> {
    await this.init();
    const id = newId();
    const tmp = this.path('tmp', id);
    const fh = await open(tmp, 'wx');
    try {
      await fh.writev([Buffer.from(`${JSON.stringify(attributes)}\n`), body]);
      if (this.opts.fsync) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path('ready', `${id}.0`));
    return id;
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
    const raw = await readFile(this.path('leased', leasedName));
    const nl = raw.indexOf(10);
    const attributes = JSON.parse(raw.subarray(0, nl).toString('utf8')) as Record<string, string>;
    return { id, attempt, attributes, body: raw.subarray(nl + 1), leasedName };
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

  /** Writes `dead/<id>.json` and `dead/<id>.reason.json` (fsynced). */
  async writeDead(id: string, body: Buffer, record: DeadLetterRecord): Promise<void> {
    await this.init();
    await this.writeDurably(this.path('dead', `${id}.json`), body);
    await this.writeDurably(
      this.path('dead', `${id}.reason.json`),
      Buffer.from(JSON.stringify(record, null, 2)),
    );
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
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      if (this.opts.fsync) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  }
}
