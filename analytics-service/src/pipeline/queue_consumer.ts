/**
 * Opens the configured queue consumer. Uses the queue layer's `createConsumer` (local spool, SQS,
 * Pub/Sub) when it is available, and the local spool driver directly otherwise.
 */
import type { Logger } from '../../../src/log.js';
import * as queue from '../../../src/queue/index.js';

type CreateConsumer = (
  config: queue.QueueConfig,
  deps: { logger: Logger },
) => queue.QueueConsumer | Promise<queue.QueueConsumer>;

export async function openConsumer(config: queue.QueueConfig, logger: Logger): Promise<queue.QueueConsumer> {
  const create = (queue as unknown as { createConsumer?: CreateConsumer }).createConsumer;
  if (typeof create === 'function') return await create(config, { logger });
  if (config.driver !== 'local') {
    throw new Error(
      `queue driver ${config.driver} needs createConsumer from src/queue, which is not available`,
    );
  }
  return new queue.LocalConsumer({
    dir: config.spoolDir,
    logger,
    maxAttempts: config.maxAttempts,
    leaseMs: config.leaseMs,
    fsync: config.spoolFsync,
  });
}
