/**
 * Collects items from concurrent handlers and writes them in one call (one transaction), so a
 * handler's `add()` resolves only after its item is committed (ack after commit keeps delivery
 * at least once). A batch is written when it holds `maxItems` or when `maxWaitMs` has passed
 * since its first item. One write at a time; items arriving meanwhile form the next batch, written
 * as soon as the previous one commits.
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
  /** Called after each write with the batch size and how long it took. */
  onFlush?: (size: number, ms: number) => void;
}

export class MicroBatcher<T> {
  private pending: Pending<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
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
    while (this.pending.length > 0 || this.writing) {
      if (this.writing) await this.writing;
      else this.kick();
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
    if (this.writing || this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.opts.maxItems);
    const started = performance.now();
    this.writing = this.write(batch.map((p) => p.item)).then(
      () => {
        this.opts.onFlush?.(batch.length, performance.now() - started);
        for (const p of batch) p.resolve();
      },
      (err: unknown) => {
        for (const p of batch) p.reject(err);
      },
    );
    void this.writing.finally(() => {
      this.writing = undefined;
      // Whatever arrived during the write has already waited: write it now.
      if (this.pending.length > 0) this.kick();
    });
  }
}
