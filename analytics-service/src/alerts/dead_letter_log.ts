/**
 * The dead letters this worker process sent, by time, for the `dead_letter_growth` rule: the
 * handler counts each message it dead-letters (a `DeadLetter` it throws, or a failure on the last
 * allowed attempt). Kept in memory: after a restart the count starts again from zero; dead letters
 * of other workers, and messages the queue itself dead-letters without calling the handler, are
 * not seen here (the queue's own DLQ metrics cover them).
 */
import type { DeadLetterCounter } from './rules.js';

const MAX_KEPT = 100_000;

export class DeadLetterLog implements DeadLetterCounter {
  readonly #times: number[] = [];
  total = 0;

  record(atMs: number): void {
    this.total += 1;
    this.#times.push(atMs);
    if (this.#times.length > MAX_KEPT) this.#times.splice(0, this.#times.length - MAX_KEPT);
  }

  countBetween(from: number, to: number): number {
    let n = 0;
    for (const t of this.#times) if (t >= from && t < to) n += 1;
    return n;
  }
}
