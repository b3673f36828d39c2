/**
 * The agent process's background duty: nothing a call recorded is lost.
 * - Journals left by a process that died mid-call are rebuilt into payloads (end reason
 *   `recovered`) and published through the session publisher.
 * - Payloads the session publisher had to spool to the outbox (queue down at call end) are
 *   re-sent when the queue answers again.
 * Both run once at start and then on a timer; the timer never keeps the process alive.
 */
import { recoverJournals } from '../analytics/index.js';
import type { Logger } from '../log.js';
import {
  createOutboxDrainer,
  createOutboxPublisher,
  createPublisher,
  createSessionPublisher,
  type QueueConfig,
} from '../queue/index.js';

export interface MaintenanceOptions {
  queue: QueueConfig;
  journalDir: string;
  logger: Logger;
  /** Period of the passes after the first (default 60 s). */
  intervalMs?: number;
  /** A journal counts as orphaned only when untouched this long and its owner pid is gone (default 30 s). */
  journalMinAgeMs?: number;
}

export interface MaintenanceReport {
  recovered: string[];
  recoveryFailed: number;
  outboxSent: number;
  outboxDeadLettered: number;
  queueDown: boolean;
}

export interface Maintenance {
  runOnce(): Promise<MaintenanceReport>;
  start(): void;
  stop(): Promise<void>;
}

export function createMaintenance(opts: MaintenanceOptions): Maintenance {
  const log = opts.logger.child({ component: 'agent_maintenance' });
  const publisher = createPublisher(opts.queue, { logger: opts.logger });
  const sessionPublisher = createSessionPublisher({
    publisher,
    outbox: createOutboxPublisher(opts.queue, { logger: opts.logger }),
    deadlineMs: opts.queue.publishDeadlineMs,
    logger: opts.logger,
  });
  // With the local driver the outbox and the spool are both on disk: draining still moves
  // outbox files onto the queue the worker reads.
  const drainer = createOutboxDrainer({ outboxDir: opts.queue.outboxDir, publisher, logger: opts.logger });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<MaintenanceReport> | undefined;

  async function pass(): Promise<MaintenanceReport> {
    const recovery = await recoverJournals({
      dir: opts.journalDir,
      minAgeMs: opts.journalMinAgeMs ?? 30_000,
      logger: opts.logger,
      publish: async (payload) => {
        const outcome = await sessionPublisher.publish(payload);
        if (outcome.status === 'unconfirmed' || outcome.status === 'rejected')
          throw new Error(outcome.error ?? `recovered payload ${outcome.status}`);
        return outcome;
      },
    });
    const drain = await drainer.drainOnce();
    const report: MaintenanceReport = {
      recovered: recovery.recovered,
      recoveryFailed: recovery.failed.length,
      outboxSent: drain.sent,
      outboxDeadLettered: drain.deadLettered,
      queueDown: drain.remoteDown,
    };
    if (report.recovered.length || report.recoveryFailed || report.outboxSent || report.outboxDeadLettered) {
      log.info(
        { ...report, recovered: report.recovered.length, sessionIds: report.recovered },
        'maintenance pass moved data',
      );
    }
    return report;
  }

  const runOnce = (): Promise<MaintenanceReport> => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    runOnce,
    start() {
      if (timer) return;
      const tick = () =>
        void runOnce().catch((err: unknown) => log.error({ err }, 'maintenance pass failed; will retry'));
      tick();
      timer = setInterval(tick, opts.intervalMs ?? 60_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
      await publisher.close();
    },
  };
}
