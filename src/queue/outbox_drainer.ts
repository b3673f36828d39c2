/**
 * Re-sends what the session publisher spooled to the outbox once the remote queue answers.
 * At least once: a file is deleted only after the remote publish returned ok. A retryable
 * failure ends the pass (the queue is still down) and puts the message back without counting an
 * attempt; a non-retryable failure moves it to the outbox's `dead/` with the reason.
 */
import type { Logger } from '../log.js';
import { parseSessionPayload } from '../schema/index.js';
import { errorText } from './base_publisher.js';
import { decodeBody, UndecodableBody } from './encoding.js';
import { Spool, type SpoolEntry } from './spool.js';
import type { QueuePublisher } from './types.js';
import { markValidated } from './validated.js';

export interface OutboxDrainerOptions {
  outboxDir: string;
  publisher: QueuePublisher;
  /** Period of `start()`'s passes (default 5000 ms). */
  intervalMs?: number;
  logger: Logger;
  /** Messages sent in parallel per batch (default 16). */
  batchSize?: number;
  /** Per-send bound so a hung remote cannot stall a pass (default 10 s). */
  sendTimeoutMs?: number;
  /** How long a claimed outbox file stays invisible to other drainers (default 60 s). */
  leaseMs?: number;
  /** `tmp/` files older than this are removed at the first pass (default 10 min). */
  staleTmpMs?: number;
}

export interface DrainReport {
  sent: number;
  /** Moved to the outbox's `dead/` (invalid, or rejected as non-retryable). */
  deadLettered: number;
  /** True when a pass stopped early because the remote is still failing. */
  remoteDown: boolean;
  lastError?: string;
}

export interface OutboxDrainer {
  drainOnce(): Promise<DrainReport>;
  start(): void;
  stop(): Promise<void>;
}

export function createOutboxDrainer(opts: OutboxDrainerOptions): OutboxDrainer {
  const log = opts.logger.child({ component: 'outbox_drainer' });
  const spool = new Spool(opts.outboxDir);
  const batchSize = opts.batchSize ?? 16;
  const sendTimeoutMs = opts.sendTimeoutMs ?? 10_000;
  const leaseMs = opts.leaseMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<DrainReport> | undefined;
  let stopped = true;
  let tmpCleaned = false;

  type One = { kind: 'sent' } | { kind: 'dead' } | { kind: 'retry'; error: string };

  async function sendOne(entry: SpoolEntry): Promise<One> {
    const dead = async (reason: string, error: string, body: Buffer): Promise<One> => {
      await spool.deadLetter(entry, body, {
        reason,
        attempts: entry.attempt,
        last_error: error,
        at: new Date().toISOString(),
        attributes: entry.attributes,
      });
      log.error({ messageId: entry.id, reason, err: error }, 'outbox message dead-lettered');
      return { kind: 'dead' };
    };
    let text: string;
    try {
      text = await decodeBody(entry.body, entry.attributes);
    } catch (err) {
      const undecodable = err instanceof UndecodableBody ? err : undefined;
      return dead(
        undecodable?.reason ?? 'undecodable_body',
        errorText(err),
        undecodable?.bytes ?? entry.body,
      );
    }
    const parsed = parseSessionPayload(text);
    if (!parsed.ok) return dead(parsed.reason, parsed.error, Buffer.from(text));
    // Parsed just now: the publisher does not parse it a second time.
    const r = await opts.publisher.publish(markValidated(parsed.payload), {
      signal: AbortSignal.timeout(sendTimeoutMs),
    });
    switch (r.status) {
      case 'ok':
        await spool.ack(entry);
        return { kind: 'sent' };
      case 'failed':
        return dead('publish_failed', r.error, Buffer.from(text));
      case 'retryable':
        await spool.release(entry, { countAttempt: false });
        return { kind: 'retry', error: r.error };
      default: {
        const never: never = r;
        throw new Error(`unreachable ${String(never)}`);
      }
    }
  }

  async function pass(): Promise<DrainReport> {
    const report: DrainReport = { sent: 0, deadLettered: 0, remoteDown: false };
    if (!tmpCleaned) {
      tmpCleaned = true;
      const removed = await spool.cleanStaleTmp(opts.staleTmpMs);
      if (removed > 0) log.warn({ count: removed }, 'stale outbox tmp files removed');
    }
    await spool.reapExpired();
    while (!report.remoteDown) {
      const entries = await spool.claim(batchSize, leaseMs);
      if (entries.length === 0) break;
      const results = await Promise.all(
        entries.map((e) =>
          sendOne(e).catch(async (err): Promise<One> => {
            await spool.release(e, { countAttempt: false }).catch(() => false);
            return { kind: 'retry', error: errorText(err) };
          }),
        ),
      );
      for (const r of results) {
        if (r.kind === 'sent') report.sent += 1;
        else if (r.kind === 'dead') report.deadLettered += 1;
        else {
          report.remoteDown = true;
          report.lastError = r.error;
        }
      }
    }
    // Messages claimed with a file but not tried in this pass go back for the next one.
    await spool.releaseBuffered();
    if (report.sent > 0 || report.remoteDown) {
      log.info(
        { sent: report.sent, deadLettered: report.deadLettered, remoteDown: report.remoteDown },
        'outbox pass',
      );
    }
    return report;
  }

  function drainOnce(): Promise<DrainReport> {
    // One pass at a time per drainer; a concurrent call joins the running pass.
    current ??= pass().finally(() => {
      current = undefined;
    });
    return current;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      drainOnce()
        .catch((err) => log.error({ err: errorText(err) }, 'outbox pass failed'))
        .finally(schedule);
    }, opts.intervalMs ?? 5000);
    timer.unref();
  }

  return {
    drainOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current?.catch(() => undefined);
    },
  };
}
