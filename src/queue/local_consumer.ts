/**
 * The local driver's consumer: claims spool files by rename (the lock across processes), hands
 * their messages out one by one, keeps the leases of the files it holds alive with a heartbeat,
 * and returns expired leases of crashed consumers to `ready/`.
 */
import type { Logger } from '../log.js';
import { BaseConsumer, type DeadLetterInfo, type Lease, sleep } from './base_consumer.js';
import type { QueueConfig } from './config.js';
import { Spool, type SpoolEntry } from './spool.js';

export interface LocalConsumerOptions {
  dir: string;
  logger: Logger;
  maxAttempts: number;
  leaseMs: number;
  fsync?: boolean;
  /** Longest idle wait between looks at an empty spool (default 200 ms). */
  maxIdlePollMs?: number;
  /** `tmp/` files older than this are removed when the consumer starts (default 10 min). */
  staleTmpMs?: number;
}

export class LocalConsumer extends BaseConsumer {
  readonly driver = 'local';
  readonly spool: Spool;
  private idleMs = 5;
  private lastReapAt = 0;
  private tmpCleaned = false;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly local: LocalConsumerOptions) {
    super({
      logger: local.logger.child({ component: 'local_consumer' }),
      maxAttempts: local.maxAttempts,
      heartbeatMs: Math.max(50, Math.floor(local.leaseMs / 2)),
    });
    this.spool = new Spool(local.dir, { fsync: local.fsync ?? true });
  }

  protected async _pull(max: number, signal: AbortSignal): Promise<Lease[]> {
    const maxIdle = this.local.maxIdlePollMs ?? 200;
    if (!this.heartbeat) {
      // Files hold messages not handed out yet too: their leases are kept here, not per message.
      this.heartbeat = setInterval(
        () => {
          this.spool
            .extendHeld(this.local.leaseMs)
            .catch((err: unknown) => this.log.warn({ err: String(err) }, 'lease extension failed'));
        },
        Math.max(20, Math.floor(this.local.leaseMs / 3)),
      );
      this.heartbeat.unref();
    }
    if (!this.tmpCleaned) {
      this.tmpCleaned = true;
      const removed = await this.spool.cleanStaleTmp(this.local.staleTmpMs);
      if (removed > 0) this.log.warn({ count: removed }, 'stale tmp files removed');
    }
    while (!signal.aborted) {
      const now = Date.now();
      if (now - this.lastReapAt >= Math.min(1000, this.local.leaseMs / 2)) {
        this.lastReapAt = now;
        const reaped = await this.spool.reapExpired(now);
        if (reaped > 0) this.log.warn({ count: reaped }, 'expired leases returned to ready');
      }
      const entries = await this.spool.claim(max, this.local.leaseMs);
      if (entries.length > 0) {
        this.idleMs = 5;
        return entries.map((e) => this.toLease(e));
      }
      await sleep(this.idleMs, signal);
      this.idleMs = Math.min(maxIdle, this.idleMs * 2);
    }
    return [];
  }

  /** Messages claimed but never handed out go back without counting a delivery. */
  protected override async _close(): Promise<void> {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    await this.spool.releaseBuffered();
  }

  private toLease(entry: SpoolEntry): Lease {
    const spool = this.spool;
    const log = this.log;
    return {
      id: entry.id,
      bytes: entry.body,
      attributes: entry.attributes,
      attempt: entry.attempt,
      async ack() {
        if (!(await spool.ack(entry))) log.warn({ messageId: entry.id }, 'ack after lease was lost');
      },
      async nack() {
        if (!(await spool.release(entry))) log.warn({ messageId: entry.id }, 'nack after lease was lost');
      },
      async deadLetter(info: DeadLetterInfo) {
        await spool.deadLetter(entry, info.body, {
          reason: info.reason,
          attempts: info.attempts,
          last_error: info.lastError,
          at: new Date().toISOString(),
          attributes: entry.attributes,
        });
      },
      // No per-message `extend`: the consumer's heartbeat keeps every held file's lease alive.
    };
  }
}

/** The local driver's consumer for `config` (the factory's `local` case, importable without the cloud SDKs). */
export function localConsumerFromConfig(config: QueueConfig, logger: Logger): LocalConsumer {
  return new LocalConsumer({
    dir: config.spoolDir,
    logger,
    maxAttempts: config.maxAttempts,
    leaseMs: config.leaseMs,
    fsync: config.spoolFsync,
  });
}
