/**
 * The Pub/Sub driver's consumer: synchronous pull through `v1.SubscriberClient` (built from
 * `await pubsub.getClientConfig()`, which honours the emulator host; `new v1.SubscriberClient()`
 * does not), at most `concurrency` messages leased at once (flow control), `modifyAckDeadline` as
 * heartbeat and as nack (0), `acknowledge` on ack. `deliveryAttempt` is the attempt; the
 * subscription's dead-letter policy (which the emulator honours) sets the limit and catches
 * consumers that died. A message dead-lettered by us is published to the dead-letter topic with
 * `dead_letter_*` attributes, then acked.
 */
import { type PubSub, type Topic, v1 } from '@google-cloud/pubsub';
import type { Logger } from '../log.js';
import { BaseConsumer, type DeadLetterInfo, type Lease } from './base_consumer.js';
import type { PubsubConfig } from './config.js';
import { createPubSub, pubsubAckDeadlineS } from './pubsub_client.js';

export interface PubsubConsumerOptions {
  config: PubsubConfig;
  logger: Logger;
  /** Used when the subscription has no dead-letter policy. */
  maxAttempts: number;
  leaseMs: number;
  /** Longest single pull (default 30 s; the emulator answers an empty pull after ~2 s). */
  pullTimeoutMs?: number;
}

/** The parts of a pulled message we read (`google.pubsub.v1.IReceivedMessage`). */
interface Received {
  ackId?: string | null;
  deliveryAttempt?: number | null;
  message?: {
    messageId?: string | null;
    data?: Uint8Array | string | null;
    attributes?: Record<string, string> | null;
  } | null;
}

type SubscriberOptions = ConstructorParameters<typeof v1.SubscriberClient>[0];

export class PubsubConsumer extends BaseConsumer {
  readonly driver = 'pubsub';
  private readonly pubsub: PubSub;
  private readonly deadLetterTopic: Topic;
  private subscriber: Promise<v1.SubscriberClient> | undefined;
  private readonly subscription: string;
  private readonly ackDeadlineS: number;

  constructor(private readonly ps: PubsubConsumerOptions) {
    const ackDeadlineS = pubsubAckDeadlineS(ps.leaseMs);
    super({
      logger: ps.logger.child({ component: 'pubsub_consumer' }),
      maxAttempts: ps.maxAttempts,
      heartbeatMs: (ackDeadlineS * 1000) / 2,
    });
    this.ackDeadlineS = ackDeadlineS;
    this.pubsub = createPubSub(ps.config);
    this.subscription = this.pubsub.subscription(ps.config.subscription).name;
    this.deadLetterTopic = this.pubsub.topic(ps.config.deadLetterTopic, {
      batching: { maxMessages: 1, maxMilliseconds: 0 },
    });
  }

  private client(): Promise<v1.SubscriberClient> {
    this.subscriber ??= (async () => {
      const client = new v1.SubscriberClient((await this.pubsub.getClientConfig()) as SubscriberOptions);
      const [sub] = await client.getSubscription({ subscription: this.subscription });
      const max = sub.deadLetterPolicy?.maxDeliveryAttempts;
      if (max) this.maxAttempts = max;
      else
        this.log.warn({}, 'subscription has no dead-letter policy: attempts are not counted by the server');
      return client;
    })().catch((err) => {
      this.subscriber = undefined;
      throw err;
    });
    return this.subscriber;
  }

  protected async _pull(max: number, signal: AbortSignal): Promise<Lease[]> {
    const client = await this.client();
    const pull = client
      .pull(
        { subscription: this.subscription, maxMessages: max },
        { timeout: this.ps.pullTimeoutMs ?? 30_000 },
      )
      .then(([r]): Received[] => r.receivedMessages ?? []);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<null>((resolve) => {
      onAbort = () => resolve(null);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const got = await Promise.race([pull, aborted]);
      if (got === null) {
        // Stopped mid-pull: give back whatever that pull still brings.
        pull
          .then((late) => this.release(client, late))
          .catch((err) => this.log.debug({ err: String(err) }, 'abandoned pull failed'));
        return [];
      }
      return got.map((m) => this.toLease(client, m));
    } catch (err) {
      if (isDeadlineExceeded(err)) return [];
      throw err;
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  private async release(client: v1.SubscriberClient, messages: Received[]): Promise<void> {
    const ackIds = messages.map((m) => m.ackId).filter((id): id is string => !!id);
    if (ackIds.length === 0) return;
    await client.modifyAckDeadline({ subscription: this.subscription, ackIds, ackDeadlineSeconds: 0 });
  }

  private toLease(client: v1.SubscriberClient, m: Received): Lease {
    const subscription = this.subscription;
    const ackIds = [m.ackId ?? ''];
    const msg = m.message ?? {};
    const attributes: Record<string, string> = { ...(msg.attributes ?? {}) };
    const data = msg.data;
    const bytes =
      typeof data === 'string' ? Buffer.from(data, 'base64') : Buffer.from(data ?? new Uint8Array());
    const setDeadline = (ackDeadlineSeconds: number) =>
      client.modifyAckDeadline({ subscription, ackIds, ackDeadlineSeconds });
    return {
      id: msg.messageId ?? '',
      bytes,
      attributes,
      attempt: m.deliveryAttempt && m.deliveryAttempt > 0 ? m.deliveryAttempt : null,
      ack: async () => {
        await client.acknowledge({ subscription, ackIds });
      },
      nack: async () => {
        await setDeadline(0);
      },
      extend: async () => {
        await setDeadline(this.ackDeadlineS);
      },
      deadLetter: async (info: DeadLetterInfo) => {
        await this.deadLetterTopic.publishMessage({
          data: bytes,
          attributes: {
            ...attributes,
            dead_letter_reason: info.reason,
            dead_letter_attempts: String(info.attempts),
            dead_letter_at: new Date().toISOString(),
            ...(info.lastError && { dead_letter_error: info.lastError.slice(0, 1024) }),
          },
        });
        await client.acknowledge({ subscription, ackIds });
      },
    };
  }

  protected override async _close(): Promise<void> {
    const client = await this.subscriber?.catch(() => undefined);
    await client?.close();
    await this.pubsub.close();
  }
}

function isDeadlineExceeded(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 4;
}
