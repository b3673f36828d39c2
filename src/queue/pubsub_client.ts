/** Building Pub/Sub clients and the topology our driver expects; shared by publisher and consumer. */
import { PubSub } from '@google-cloud/pubsub';
import type { PubsubConfig, QueueConfig } from './config.js';

/** Pub/Sub's limit on message data (10 MB). */
export const PUBSUB_MAX_MESSAGE_BYTES = 10_000_000;

/** Pub/Sub accepts 5..100 delivery attempts in a dead-letter policy. */
export function pubsubMaxDeliveryAttempts(maxAttempts: number): number {
  return Math.min(100, Math.max(5, maxAttempts));
}

/** Ack deadline in seconds from the lease (Pub/Sub accepts 10..600). */
export function pubsubAckDeadlineS(leaseMs: number): number {
  return Math.min(600, Math.max(10, Math.ceil(leaseMs / 1000)));
}

export function createPubSub(config: PubsubConfig): PubSub {
  return new PubSub({
    projectId: config.projectId,
    ...(config.emulatorHost !== undefined && { apiEndpoint: config.emulatorHost, emulatorMode: true }),
  });
}

const ALREADY_EXISTS = 6;

function ignoreExists(err: unknown): void {
  if ((err as { code?: number } | null)?.code !== ALREADY_EXISTS) throw err;
}

/**
 * Creates what is missing: the topic, the dead-letter topic with a subscription that keeps its
 * messages, and the subscription with a dead-letter policy (`maxDeliveryAttempts` from
 * `QUEUE_MAX_ATTEMPTS`, clamped to 5..100) and an ack deadline from `QUEUE_LEASE_MS`.
 * Existing resources are left as they are. On real GCP the Pub/Sub service agent also needs
 * publisher rights on the dead-letter topic and subscriber rights on the subscription.
 */
export async function ensurePubsubTopology(
  config: Pick<QueueConfig, 'pubsub' | 'maxAttempts' | 'leaseMs'>,
): Promise<void> {
  const ps = config.pubsub;
  if (!ps) throw new Error('ensurePubsubTopology needs the PUBSUB_* configuration');
  const client = createPubSub(ps);
  try {
    await client.createTopic(ps.topic).catch(ignoreExists);
    await client.createTopic(ps.deadLetterTopic).catch(ignoreExists);
    await client.topic(ps.deadLetterTopic).createSubscription(ps.deadLetterSubscription).catch(ignoreExists);
    await client
      .topic(ps.topic)
      .createSubscription(ps.subscription, {
        ackDeadlineSeconds: pubsubAckDeadlineS(config.leaseMs),
        deadLetterPolicy: {
          deadLetterTopic: client.topic(ps.deadLetterTopic).name,
          maxDeliveryAttempts: pubsubMaxDeliveryAttempts(config.maxAttempts),
        },
      })
      .catch(ignoreExists);
  } finally {
    await client.close();
  }
}

const PERMANENT_CODES = new Set([3 /* INVALID_ARGUMENT */, 11 /* OUT_OF_RANGE */]);

export function isPermanentPubsubError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && PERMANENT_CODES.has(code);
}
