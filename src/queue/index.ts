export { BaseConsumer, type ConsumerOptions, type DeadLetterInfo, type Lease } from './base_consumer.js';
export { BasePublisher, type PublisherStats, type SendOutcome } from './base_publisher.js';
export {
  loadQueueConfig,
  type PubsubConfig,
  type QueueConfig,
  QueueConfigError,
  type QueueDriver,
  type SqsConfig,
} from './config.js';
export {
  ATTR_CONTENT_ENCODING,
  ATTR_SCHEMA_VERSION,
  ATTR_SESSION_ID,
  ATTR_TRUNCATED,
  decodeBody,
  type EncodedMessage,
  encodeMessage,
  KEEP_FIRST_TURNS,
  type WireFormat,
} from './encoding.js';
export { createConsumer, createOutboxPublisher, createPublisher, type QueueDeps } from './factory.js';
export { LocalConsumer, type LocalConsumerOptions } from './local_consumer.js';
export { LocalPublisher, type LocalPublisherOptions } from './local_publisher.js';
export {
  createOutboxDrainer,
  type DrainReport,
  type OutboxDrainer,
  type OutboxDrainerOptions,
} from './outbox_drainer.js';
export {
  createSessionPublisher,
  type SessionPublisher,
  type SessionPublisherOptions,
  type SessionPublishOutcome,
  type SessionPublishStatus,
} from './session_publisher.js';
export { type DeadLetterRecord, Spool, type SpoolEntry } from './spool.js';
export {
  DeadLetter,
  type HandlerContext,
  type MessageHandler,
  type PublishResult,
  type QueueConsumer,
  type QueueMessage,
  type QueuePublisher,
} from './types.js';
