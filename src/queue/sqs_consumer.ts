/**
 * The SQS driver's consumer: long-poll `ReceiveMessage`, `DeleteMessage` on ack,
 * `ChangeMessageVisibility` as heartbeat (extend) and as nack (0). The queue's RedrivePolicy
 * decides the attempt limit (`maxReceiveCount`) and the dead-letter queue; `ApproximateReceiveCount`
 * is the attempt. A message dead-lettered by us is sent to that DLQ with `dead_letter_*`
 * attributes saying why, then deleted; SQS's own redrive catches consumers that died.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Logger } from '../log.js';
import { BaseConsumer, type DeadLetterInfo, type Lease } from './base_consumer.js';
import type { SqsConfig } from './config.js';
import { ATTR_CONTENT_ENCODING, ATTR_SESSION_ID } from './encoding.js';
import { createSqsClient, fifoIds, isFifoQueue } from './sqs_client.js';
import { toSqsAttributes } from './sqs_publisher.js';

export interface SqsConsumerOptions {
  config: SqsConfig;
  logger: Logger;
  /** Used when the queue has no RedrivePolicy. */
  maxAttempts: number;
}

interface Redrive {
  maxReceiveCount: number;
  deadLetterQueueUrl: string;
}

export class SqsConsumer extends BaseConsumer {
  readonly driver = 'sqs';
  private readonly client: SQSClient;
  private redrive: Promise<Redrive | null> | undefined;

  constructor(private readonly sqs: SqsConsumerOptions) {
    super({
      logger: sqs.logger.child({ component: 'sqs_consumer' }),
      maxAttempts: sqs.maxAttempts,
      heartbeatMs: Math.max(500, (sqs.config.visibilityTimeoutS * 1000) / 2),
    });
    this.client = createSqsClient(sqs.config);
    if (sqs.config.visibilityTimeoutS <= sqs.config.waitTimeSeconds) {
      this.log.warn(
        { visibilityTimeoutS: sqs.config.visibilityTimeoutS, waitTimeSeconds: sqs.config.waitTimeSeconds },
        'visibility timeout not longer than the long-poll wait; some servers redeliver within one poll',
      );
    }
  }

  /** Reads the queue's RedrivePolicy once; null when it has none. */
  loadRedrive(): Promise<Redrive | null> {
    this.redrive ??= (async () => {
      const attrs = await this.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.sqs.config.queueUrl,
          AttributeNames: ['RedrivePolicy'],
        }),
      );
      const raw = attrs.Attributes?.RedrivePolicy;
      if (!raw) {
        this.log.warn({}, 'queue has no RedrivePolicy: poison messages cannot be dead-lettered');
        return null;
      }
      const policy = JSON.parse(raw) as { maxReceiveCount: number | string; deadLetterTargetArn: string };
      // arn:aws:sqs:<region>:<account>:<name>
      const [, , , , account, name] = policy.deadLetterTargetArn.split(':');
      const url = await this.client.send(
        new GetQueueUrlCommand({ QueueName: name, ...(account && { QueueOwnerAWSAccountId: account }) }),
      );
      if (!url.QueueUrl) throw new Error(`dead-letter queue ${policy.deadLetterTargetArn} has no URL`);
      const redrive = { maxReceiveCount: Number(policy.maxReceiveCount), deadLetterQueueUrl: url.QueueUrl };
      this.maxAttempts = redrive.maxReceiveCount;
      return redrive;
    })().catch((err) => {
      this.redrive = undefined; // try again on the next pull
      throw err;
    });
    return this.redrive;
  }

  protected async _pull(max: number, signal: AbortSignal): Promise<Lease[]> {
    await this.loadRedrive();
    const cfg = this.sqs.config;
    try {
      const out = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: cfg.queueUrl,
          MaxNumberOfMessages: Math.min(10, max),
          WaitTimeSeconds: cfg.waitTimeSeconds,
          VisibilityTimeout: cfg.visibilityTimeoutS,
          MessageSystemAttributeNames: ['All'],
          // The deprecated spelling too: some SQS-compatible servers only read this one.
          AttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: signal },
      );
      return (out.Messages ?? []).map((m) => this.toLease(m));
    } catch (err) {
      if (signal.aborted) return [];
      throw err;
    }
  }

  private toLease(m: Message): Lease {
    const client = this.client;
    const queueUrl = this.sqs.config.queueUrl;
    const visibility = this.sqs.config.visibilityTimeoutS;
    const receiptHandle = m.ReceiptHandle ?? '';
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
      if (v.StringValue !== undefined) attributes[k] = v.StringValue;
    }
    const body = m.Body ?? '';
    const gzip = attributes[ATTR_CONTENT_ENCODING] === 'gzip';
    const count = Number(m.Attributes?.ApproximateReceiveCount);
    const setVisibility = (seconds: number) =>
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    const del = () =>
      client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
    return {
      id: m.MessageId ?? '',
      bytes: gzip ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8'),
      attributes,
      attempt: Number.isFinite(count) && count > 0 ? count : null,
      ack: async () => {
        await del();
      },
      nack: async () => {
        await setVisibility(0);
      },
      extend: async () => {
        await setVisibility(visibility);
      },
      deadLetter: async (info: DeadLetterInfo) => {
        const redrive = await this.loadRedrive();
        if (!redrive) {
          this.log.error(
            { messageId: m.MessageId, reason: info.reason },
            'no dead-letter queue; message left on the queue',
          );
          return;
        }
        await client.send(
          new SendMessageCommand({
            QueueUrl: redrive.deadLetterQueueUrl,
            MessageBody: body,
            MessageAttributes: toSqsAttributes({
              ...attributes,
              dead_letter_reason: info.reason,
              dead_letter_attempts: String(info.attempts),
              dead_letter_at: new Date().toISOString(),
              ...(info.lastError && { dead_letter_error: info.lastError.slice(0, 1024) }),
            }),
            ...(isFifoQueue(redrive.deadLetterQueueUrl) &&
              fifoIds(attributes[ATTR_SESSION_ID] ?? m.MessageId ?? 'unknown')),
          }),
        );
        await del();
      },
    };
  }

  protected override async _close(): Promise<void> {
    this.client.destroy();
  }
}
