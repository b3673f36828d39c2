/** The SQS driver's publisher: `SendMessage` with the payload's attributes; gzip bodies in base64. */
import { type MessageAttributeValue, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '../log.js';
import { BasePublisher, errorText, type SendOutcome } from './base_publisher.js';
import type { SqsConfig } from './config.js';
import type { EncodedMessage } from './encoding.js';
import {
  createSqsClient,
  fifoIds,
  isFifoQueue,
  isPermanentSqsError,
  SQS_MAX_MESSAGE_BYTES,
} from './sqs_client.js';

export interface SqsPublisherOptions {
  config: SqsConfig;
  logger: Logger;
  /** Override the size limit (tests). */
  maxMessageBytes?: number;
  /** SDK-level attempts per publish (default 1: the session publisher owns retries and the deadline). */
  sdkMaxAttempts?: number;
}

export function toSqsAttributes(
  attrs: Readonly<Record<string, string>>,
): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(attrs)) out[k] = { DataType: 'String', StringValue: v };
  return out;
}

export class SqsPublisher extends BasePublisher {
  readonly driver = 'sqs';
  private readonly client: SQSClient;
  private readonly fifo: boolean;

  constructor(private readonly opts: SqsPublisherOptions) {
    super(opts.logger.child({ component: 'sqs_publisher' }), {
      maxMessageBytes: opts.maxMessageBytes ?? SQS_MAX_MESSAGE_BYTES,
      wire: 'base64',
    });
    this.client = createSqsClient(opts.config, { maxAttempts: opts.sdkMaxAttempts ?? 1 });
    this.fifo = isFifoQueue(opts.config.queueUrl);
  }

  protected async _send(message: EncodedMessage, opts: { signal?: AbortSignal }): Promise<SendOutcome> {
    const body = message.compressed ? message.bytes.toString('base64') : message.bytes.toString('utf8');
    try {
      const out = await this.client.send(
        new SendMessageCommand({
          QueueUrl: this.opts.config.queueUrl,
          MessageBody: body,
          MessageAttributes: toSqsAttributes(message.attributes),
          ...(this.fifo && fifoIds(message.sessionId)),
        }),
        opts.signal ? { abortSignal: opts.signal } : {},
      );
      return { status: 'ok', messageId: out.MessageId ?? '' };
    } catch (err) {
      return isPermanentSqsError(err)
        ? { status: 'failed', error: errorText(err) }
        : { status: 'retryable', error: errorText(err) };
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
