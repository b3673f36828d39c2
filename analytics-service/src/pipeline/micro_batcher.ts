/**
 * Collects items from concurrent handlers and writes them in one call (one transaction), so a
 * handler's `add()` resolves only after its item is committed (ack after commit keeps delivery
 * at least once). A batch is written when it holds `maxItems` or when `maxWaitMs` has passed
 * since its first item. At most `maxConcurrentWrites` writes at a time (default one); items
 * arriving meanwhile form the next batch, written as soon as a write finishes. A second write in
 * flight lets a writer prepare a batch while the previous one commits (the DuckDB warehouse
 * builds its data chunks then, and takes three: two transactions side by side, on two writer
 * connections, and one batch being built).
 *
 * The write may answer item by item: an array of errors in the batch's order (`undefined` for an
 * item written) rejects only the items that failed.
 *
 * (An "everyone is waiting, write now" shortcut was tried and removed: consumers refill freed
 * slots one message at a time, so it wrote a batch of one before every full batch, doubling the
 * transactions for no gain.)
 */

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface MicroBatcherOptions {
  maxItems: number;
  maxWaitMs: number;
  /** Writes in flight at once (default 1): more only helps a writer that pipelines them. */
  maxConcurrentWrites?: number;
  /** Called after each write with the batch size and how long it took. */
  onFlush?: (size: number, ms: number) => void;
}

export class MicroBatcher<T> {
  private pending: Pending<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Writes in flight. */
  private readonly writing = new Set<Promise<void>>();

  constructor(
    /** Resolves when the batch is written; to an array, when it answers item by item (see above). */
    private readonly write: (items: T[]) => Promise<unknown>,
    private readonly opts: MicroBatcherOptions,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Writes everything pending and waits for it. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.writing.size > 0) {
      this.kick();
      if (this.writing.size > 0) await Promise.race(this.writing);
    }
  }

  private schedule(): void {
    if (this.pending.length >= this.opts.maxItems) {
      this.kick();
      return;
    }
    if (!this.timer) this.timer = setTimeout(() => this.kick(), this.opts.maxWaitMs);
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const limit = this.opts.maxConcurrentWrites ?? 1;
    while (this.writing.size < limit && this.pending.length > 0) {
      // Beside a write in flight, only a full batch: a partial one grows until a write finishes.
      if (this.writing.size > 0 && this.pending.length < this.opts.maxItems) return;
      this.startWrite(this.pending.splice(0, this.opts.maxItems));
    }
  }

  private startWrite(batch: Pending<T>[]): void {
    const started = performance.now();
    const items = batch.map((p) => p.item);
    // Only the callbacks are kept while the write runs: the items are the writer's to hold or drop.
    const settle = batch.map(({ resolve, reject }) => ({ resolve, reject }));
    const writing: Promise<void> = this.write(items).then(
      (answer) => {
        this.opts.onFlush?.(settle.length, performance.now() - started);
        const failures: readonly unknown[] = Array.isArray(answer) ? answer : [];
        settle.forEach((p, i) => {
          const err = failures[i];
          if (err === undefined) p.resolve();
          else p.reject(err);
        });
      },
      (err: unknown) => {
        for (const p of settle) p.reject(err);
      },
    );
    this.writing.add(writing);
    void writing.finally(() => {
      this.writing.delete(writing);
      // Whatever arrived during the write has already waited: write it now.
      if (this.pending.length > 0) this.kick();
    });
  }
}
