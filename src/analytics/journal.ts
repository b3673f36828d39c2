/**
 * The crash-safe journal: while a call runs, each recorded event is one JSON line in
 * `<dir>/<session_id>.journal.jsonl` (first line: a header naming the owner pid). Appends never
 * block the caller: lines are buffered and written in order by a background chain, at least every
 * `flushIntervalMs` and at once for tool calls, so a SIGKILL loses at most the last moments.
 * Lines are serialised when flushed (off the event handler), so events must not be mutated
 * after they are appended; the plugin appends fresh objects and agents-js's metrics objects,
 * which it does not change after emitting them. A normal end publishes and removes the journal; `recoverJournals` (journal_recovery.ts)
 * rebuilds and publishes the payloads of journals whose owner died.
 */
import { appendFile, mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { SessionPayload } from '../schema/session_payload.js';
import type { JournalHeader, RecordedEvent } from './events.js';

export const JOURNAL_SUFFIX = '.journal.jsonl';
export const DEFAULT_FLUSH_INTERVAL_MS = 200;

/** A journal line written when publishing failed: recovery sends this payload as is. */
export interface JournalEnd {
  k: 'end';
  payload: SessionPayload;
}

export type JournalLine = JournalHeader | RecordedEvent | JournalEnd;

export function journalPath(dir: string, sessionId: string): string {
  return join(dir, `${sessionId.replace(/[^A-Za-z0-9._-]/g, '_')}${JOURNAL_SUFFIX}`);
}

export interface JournalWriterOptions {
  flushIntervalMs?: number;
  /** Called (once per failure) when a write fails; the journal keeps trying later writes. */
  onError?: (err: unknown) => void;
}

export class JournalWriter {
  readonly path: string;
  #buffer: (RecordedEvent | JournalEnd)[] = [];
  #chain: Promise<void>;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #onError: (err: unknown) => void;

  constructor(dir: string, header: JournalHeader, opts: JournalWriterOptions = {}) {
    this.path = journalPath(dir, header.session_id);
    this.#onError = opts.onError ?? (() => {});
    const first = `${JSON.stringify(header)}\n`;
    this.#chain = mkdir(dir, { recursive: true })
      .then(() => appendFile(this.path, first))
      .catch((err) => this.#onError(err));
    this.#timer = setInterval(() => this.flush(), opts.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Buffers one line; it is serialised at the next flush. */
  append(line: RecordedEvent | JournalEnd, flushNow = false): void {
    if (this.#closed) return;
    this.#buffer.push(line);
    if (flushNow) this.flush();
  }

  /** Starts writing what is buffered; does not wait. */
  flush(): void {
    if (this.#buffer.length === 0) return;
    let data = '';
    for (const line of this.#buffer) {
      try {
        data += `${JSON.stringify(line)}\n`;
      } catch (err) {
        this.#onError(err); // one unserialisable event is skipped, not the batch
      }
    }
    this.#buffer = [];
    if (data === '') return;
    this.#chain = this.#chain.then(() => appendFile(this.path, data)).catch((err) => this.#onError(err));
  }

  /** Resolves when everything appended so far is on disk (or failed). */
  drained(): Promise<void> {
    this.flush();
    return this.#chain;
  }

  /** Stops the timer and writes what is left. Further appends are ignored. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.drained();
    this.#closed = true;
  }

  /** Closes and deletes the journal (after a successful publish). */
  async remove(): Promise<void> {
    await this.close();
    await unlink(this.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') this.#onError(err);
    });
  }
}
