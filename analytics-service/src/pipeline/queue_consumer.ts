/**
 * Opens the configured queue consumer. The local spool driver is imported on its own; the other
 * drivers come through the queue layer's `createConsumer`, loaded only when configured, so a
 * local worker does not pay for the SQS and Pub/Sub SDKs (~40 MB RSS).
 */
import type { Logger } from '../../../src/log.js';
import type { QueueConfig } from '../../../src/queue/config.js';
import type { QueueConsumer } from '../../../src/queue/types.js';

export async function openConsumer(config: QueueConfig, logger: Logger): Promise<QueueConsumer> {
  if (config.driver === 'local') {
    const { localConsumerFromConfig } = await import('../../../src/queue/local_consumer.js');
    return localConsumerFromConfig(config, logger);
  }
  const { createConsumer } = await import('../../../src/queue/factory.js');
  return createConsumer(config, { logger });
}
