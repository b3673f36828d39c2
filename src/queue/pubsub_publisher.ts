/** The Pub/Sub driver's publisher: `publishMessage` with attributes; gzip bodies as raw bytes. */
import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { Logger } from '../log.js';
import { BasePublisher, errorText, type SendOutcome } from './base_publisher.js';
import type { PubsubConfig } from './config.js';
import type { EncodedMessage } from './encoding.js';
import { createPubSub, isPermanentPubsubError, PUBSUB_MAX_MESSAGE_BYTES } from './pubsub_client.js';

export interface PubsubPublisherOptions {
  config: PubsubConfig;
  logger: Logger;
  /** Override the size limit (tests). */
  maxMessageBytes?: number;
  /** Client-side batching window (default 5 ms). */
  batchMaxMs?: number;
}

export class PubsubPublisher extends BasePublisher {
  readonly driver = 'pubsub';
  private readonly client: PubSub;
  private readonly topic: Topic;

  constructor(opts: PubsubPublisherOptions) {
    super(opts.logger.child({ component: 'pubsub_publisher' }), {
      maxMessageBytes: opts.maxMessageBytes ?? PUBSUB_MAX_MESSAGE_BYTES,
      wire: 'binary',
    });
    this.client = createPubSub(opts.config);
    this.topic = this.client.topic(opts.config.topic, {
      batching: { maxMessages: 100, maxMilliseconds: opts.batchMaxMs ?? 5 },
    });
  }

  protected async _send(message: EncodedMessage, opts: { signal?: AbortSignal }): Promise<SendOutcome> {
    const signal = opts.signal;
    // The client has no AbortSignal: race it, and leave an abandoned publish to settle alone.
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<SendOutcome>((resolve) => {
      onAbort = () => resolve({ status: 'retryable', error: 'publish aborted' });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    const sent = this.topic
      .publishMessage({ data: message.bytes, attributes: { ...message.attributes } })
      .then(
        (messageId): SendOutcome => ({ status: 'ok', messageId }),
        (err): SendOutcome =>
          isPermanentPubsubError(err)
            ? { status: 'failed', error: errorText(err) }
            : { status: 'retryable', error: errorText(err) },
      );
    try {
      return await Promise.race([sent, aborted]);
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    await this.topic.flush().catch(() => undefined);
    await this.client.close();
  }
}
