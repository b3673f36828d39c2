/** Builds the configured driver. Nothing connects until the first publish or pull. */
import type { Logger } from '../log.js';
import type { QueueConfig } from './config.js';
import { localConsumerFromConfig } from './local_consumer.js';
import { LocalPublisher } from './local_publisher.js';
import { PubsubConsumer } from './pubsub_consumer.js';
import { PubsubPublisher } from './pubsub_publisher.js';
import { SqsConsumer } from './sqs_consumer.js';
import { SqsPublisher } from './sqs_publisher.js';
import type { QueueConsumer, QueuePublisher } from './types.js';

export interface QueueDeps {
  logger: Logger;
}

function missing(config: QueueConfig, what: string): Error {
  return new Error(`QUEUE_DRIVER=${config.driver} but the ${what} configuration is missing`);
}

export function createPublisher(config: QueueConfig, deps: QueueDeps): QueuePublisher {
  switch (config.driver) {
    case 'local':
      return new LocalPublisher({ dir: config.spoolDir, logger: deps.logger, fsync: config.spoolFsync });
    case 'sqs':
      if (!config.sqs) throw missing(config, 'SQS_*');
      return new SqsPublisher({ config: config.sqs, logger: deps.logger });
    case 'pubsub':
      if (!config.pubsub) throw missing(config, 'PUBSUB_*');
      return new PubsubPublisher({ config: config.pubsub, logger: deps.logger });
    default: {
      const never: never = config.driver;
      throw new Error(`unknown queue driver ${String(never)}`);
    }
  }
}

export function createConsumer(config: QueueConfig, deps: QueueDeps): QueueConsumer {
  switch (config.driver) {
    case 'local':
      return localConsumerFromConfig(config, deps.logger);
    case 'sqs':
      if (!config.sqs) throw missing(config, 'SQS_*');
      return new SqsConsumer({ config: config.sqs, logger: deps.logger, maxAttempts: config.maxAttempts });
    case 'pubsub':
      if (!config.pubsub) throw missing(config, 'PUBSUB_*');
      return new PubsubConsumer({
        config: config.pubsub,
        logger: deps.logger,
        maxAttempts: config.maxAttempts,
        leaseMs: config.leaseMs,
      });
    default: {
      const never: never = config.driver;
      throw new Error(`unknown queue driver ${String(never)}`);
    }
  }
}

/** The session publisher's outbox: a local spool on `QUEUE_OUTBOX_DIR`, always fsynced. */
export function createOutboxPublisher(config: QueueConfig, deps: QueueDeps): LocalPublisher {
  return new LocalPublisher({
    dir: config.outboxDir,
    logger: deps.logger.child({ spool: 'outbox' }),
    fsync: true,
  });
}
