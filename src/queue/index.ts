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
  ATTR_KIND,
  ATTR_SCHEMA_VERSION,
  ATTR_SESSION_ID,
  ATTR_TRUNCATED,
  decodeBody,
  type EncodedMessage,
  encodeMessage,
  encodeProgress,
  KEEP_FIRST_TURNS,
  KIND_PROGRESS,
  MAX_DECODED_BODY_BYTES,
  UndecodableBody,
  type UndecodableReason,
  utf8Text,
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
  createPubSub,
  ensurePubsubTopology,
  PUBSUB_MAX_MESSAGE_BYTES,
  pubsubAckDeadlineS,
  pubsubMaxDeliveryAttempts,
} from './pubsub_client.js';
export { PubsubConsumer, type PubsubConsumerOptions } from './pubsub_consumer.js';
export { PubsubPublisher, type PubsubPublisherOptions } from './pubsub_publisher.js';
export {
  createSessionPublisher,
  type SessionPublisher,
  type SessionPublisherOptions,
  type SessionPublishOutcome,
  type SessionPublishStatus,
} from './session_publisher.js';
export {
  type DeadLetterRecord,
  type HeldFile,
  type ParsedSpoolFile,
  parseSpoolFile,
  Spool,
  type SpoolEntry,
  type SpoolOptions,
  type SpoolRecord,
  type SpoolWrite,
  type SpoolWriteResult,
  STALE_TMP_MS,
} from './spool.js';
export { createSqsClient, SQS_MAX_MESSAGE_BYTES } from './sqs_client.js';
export { SqsConsumer, type SqsConsumerOptions } from './sqs_consumer.js';
export { SqsPublisher, type SqsPublisherOptions } from './sqs_publisher.js';
export {
  DeadLetter,
  type HandlerContext,
  type MessageHandler,
  type PublishResult,
  type QueueConsumer,
  type QueueMessage,
  type QueuePublisher,
} from './types.js';
