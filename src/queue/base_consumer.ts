/**
 * The shared half of every consumer: a pull loop bounded by `concurrency`, body decoding, the
 * attempt policy, lease heartbeats and a graceful stop. A backend implements only `_pull`, which
 * returns leased messages with their own ack/nack/dead-letter/extend operations.
 *
 * Policy: handler resolves → ack. Throws `DeadLetter` → dead-letter with its reason. Throws
 * anything else → nack (redeliver), or dead-letter once `attempt >= maxAttempts`. A message that
 * arrives with `attempt > maxAttempts` (its consumer died or lost the lease each time) is
 * dead-lettered without running the handler.
 */
import type { Logger } from '../log.js';
import { errorText } from './base_publisher.js';
import { decodeBody, UndecodableBody } from './encoding.js';
import { DeadLetter, type MessageHandler, type QueueConsumer } from './types.js';

export interface DeadLetterInfo {
  /**
   * `handler_dead_letter` | `max_attempts` | `max_attempts_exceeded`, or why the body is not text:
   * `invalid_utf8` | `invalid_gzip` | `unknown_content_encoding`.
   */
  reason: string;
  attempts: number;
  lastError: string | null;
  /**
   * The decoded body when it could be decoded, else the bytes as far as they could be decoded
   * (gunzipped when the gzip layer was sound), byte for byte.
   */
  body: Buffer;
}

/** One message a backend has claimed for this consumer. */
export interface Lease {
  readonly id: string;
  /** Bytes as the producer encoded them (gzip when `content_encoding=gzip`). */
  readonly bytes: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
  /** 1 on first delivery; null when the backend cannot tell (treated as 1). */
  readonly attempt: number | null;
  ack(): Promise<void>;
  nack(): Promise<void>;
  deadLetter(info: DeadLetterInfo): Promise<void>;
  /** Keeps the message invisible to others for another lease period. */
  extend?(): Promise<void>;
}

export interface ConsumerOptions {
  logger: Logger;
  maxAttempts: number;
  /** Heartbeat period for `extend`; normally half the lease. */
  heartbeatMs: number;
  /** Pause after a failed pull before trying again. */
  pullErrorBackoffMs?: number;
}

export abstract class BaseConsumer implements QueueConsumer {
  abstract readonly driver: string;
  protected readonly log: Logger;
  private stopping = false;
  private running: Promise<void> | undefined;
  private readonly pullAbort = new AbortController();
  private readonly handlerAbort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly inFlightLeases = new Set<Lease>();
  private readonly released = new WeakSet<Lease>();
  /** A backend may replace it with the queue's own policy (SQS `maxReceiveCount`). */
  protected maxAttempts: number;

  constructor(protected readonly opts: ConsumerOptions) {
    this.log = opts.logger;
    this.maxAttempts = opts.maxAttempts;
  }

  /** Claims up to `max` messages; waits (long poll) when none are ready, returns early on `signal`. */
  protected abstract _pull(max: number, signal: AbortSignal): Promise<Lease[]>;

  /** Called once after the loop ends; close clients here. */
  protected async _close(): Promise<void> {}

  run(handler: MessageHandler, opts: { concurrency?: number } = {}): Promise<void> {
    if (this.running) throw new Error('consumer already running');
    this.running = this.loop(handler, Math.max(1, opts.concurrency ?? 1));
    return this.running;
  }

  async stop(opts: { deadlineMs?: number } = {}): Promise<void> {
    this.stopping = true;
    this.pullAbort.abort();
    if (!this.running) return;
    const deadlineMs = opts.deadlineMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.allSettled([...this.inFlight]).then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), deadlineMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.handlerAbort.abort();
      const left = [...this.inFlightLeases];
      this.log.warn({ count: left.length }, 'stop deadline passed, releasing in-flight messages');
      await Promise.allSettled(
        left.map((lease) => {
          this.released.add(lease);
          return lease.nack();
        }),
      );
    }
    await this.running.catch(() => undefined);
  }

  private async loop(handler: MessageHandler, concurrency: number): Promise<void> {
    const backoffMs = this.opts.pullErrorBackoffMs ?? 1000;
    try {
      while (!this.stopping) {
        const free = concurrency - this.inFlight.size;
        if (free <= 0) {
          await Promise.race(this.inFlight);
          continue;
        }
        let leases: Lease[];
        try {
          leases = await this._pull(free, this.pullAbort.signal);
        } catch (err) {
          if (this.stopping) break;
          this.log.error({ err: errorText(err) }, 'pull failed');
          await sleep(backoffMs, this.pullAbort.signal);
          continue;
        }
        for (const lease of leases) {
          const p = this.handle(lease, handler).finally(() => {
            this.inFlight.delete(p);
            this.inFlightLeases.delete(lease);
          });
          this.inFlight.add(p);
          this.inFlightLeases.add(lease);
        }
      }
      await Promise.allSettled([...this.inFlight]);
    } finally {
      await this._close().catch((err) => this.log.warn({ err: errorText(err) }, 'close failed'));
    }
  }

  private async handle(lease: Lease, handler: MessageHandler): Promise<void> {
    const attempt = lease.attempt ?? 1;
    // The per-message child logger is made on first use: most messages never log, and a pino
    // child costs more than the rest of the settling.
    let child: Logger | undefined;
    const parent = this.log;
    const logger = (): Logger => {
      child ??= parent.child({ messageId: lease.id, attempt });
      return child;
    };
    const max = this.maxAttempts;
    try {
      if (attempt > max) {
        const decoded = await decodeBody(lease.bytes, lease.attributes).then(
          (text) => Buffer.from(text),
          (err: unknown) => (err instanceof UndecodableBody ? err.bytes : lease.bytes),
        );
        await lease.deadLetter({
          reason: 'max_attempts_exceeded',
          attempts: attempt,
          lastError: null,
          body: decoded,
        });
        logger().warn({ maxAttempts: max }, 'message dead-lettered: too many deliveries');
        return;
      }
      let body: string;
      try {
        body = await decodeBody(lease.bytes, lease.attributes);
      } catch (err) {
        const undecodable = err instanceof UndecodableBody ? err : undefined;
        await lease.deadLetter({
          reason: undecodable?.reason ?? 'undecodable_body',
          attempts: attempt,
          lastError: errorText(err),
          body: undecodable?.bytes ?? lease.bytes,
        });
        logger().warn(
          { reason: undecodable?.reason, err: errorText(err) },
          'message dead-lettered: body cannot be decoded',
        );
        return;
      }
      const heartbeat = lease.extend ? this.startHeartbeat(lease, logger) : undefined;
      let outcome: { kind: 'ok' } | { kind: 'dead'; error: string } | { kind: 'error'; error: string };
      try {
        await handler(
          { id: lease.id, body, attributes: lease.attributes, attempt },
          {
            get log() {
              return logger();
            },
            attempt,
            signal: this.handlerAbort.signal,
          },
        );
        outcome = { kind: 'ok' };
      } catch (err) {
        outcome =
          err instanceof DeadLetter
            ? { kind: 'dead', error: err.message }
            : { kind: 'error', error: errorText(err) };
      } finally {
        if (heartbeat) clearInterval(heartbeat);
      }
      if (this.released.has(lease)) return; // stop() already gave it back
      const decoded = () => Buffer.from(body); // only the dead-letter paths need bytes
      switch (outcome.kind) {
        case 'ok':
          await lease.ack();
          return;
        case 'dead':
          await lease.deadLetter({
            reason: 'handler_dead_letter',
            attempts: attempt,
            lastError: outcome.error,
            body: decoded(),
          });
          logger().warn({ err: outcome.error }, 'message dead-lettered by handler');
          return;
        case 'error':
          if (attempt >= max) {
            await lease.deadLetter({
              reason: 'max_attempts',
              attempts: attempt,
              lastError: outcome.error,
              body: decoded(),
            });
            logger().warn(
              { err: outcome.error, maxAttempts: max },
              'message dead-lettered after last attempt',
            );
          } else {
            logger().info({ err: outcome.error }, 'handler failed, message will be redelivered');
            await lease.nack();
          }
          return;
        default: {
          const never: never = outcome;
          throw new Error(`unreachable ${String(never)}`);
        }
      }
    } catch (err) {
      // A failed ack/nack/dead-letter: the lease expires and the message comes back (at least once).
      logger().error({ err: errorText(err) }, 'settling message failed');
    }
  }

  private startHeartbeat(lease: Lease, log: () => Logger): NodeJS.Timeout {
    const timer = setInterval(() => {
      lease.extend?.().catch((err) => log().warn({ err: errorText(err) }, 'lease extension failed'));
    }, this.opts.heartbeatMs);
    timer.unref();
    return timer;
  }
}

/** Resolves after `ms`, or early when `signal` aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
