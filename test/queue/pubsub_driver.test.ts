import { v1 } from '@google-cloud/pubsub';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import {
  createPubSub,
  DeadLetter,
  ensurePubsubTopology,
  type PubsubConfig,
  PubsubConsumer,
  PubsubPublisher,
  type QueueMessage,
} from '../../src/queue/index.js';
import { parseSessionPayload } from '../../src/schema/index.js';
import {
  type PubsubEmulator,
  pubsubEmulatorMissing,
  startPubsubEmulator,
} from '../support/pubsub_emulator.js';
import { describeWithRealPart } from '../support/real_part.js';
import { bigPayload, consumeUntil, payloads, sessionIdOf, tracker, waitFor } from './helpers.js';

const missing = pubsubEmulatorMissing();

const LEASE_MS = 10_000; // the shortest ack deadline Pub/Sub accepts
let emulator: PubsubEmulator;

async function topology(name: string, maxAttempts = 5): Promise<PubsubConfig> {
  const config: PubsubConfig = {
    projectId: 'signalroom-test',
    topic: `${name}-topic`,
    subscription: `${name}-sub`,
    deadLetterTopic: `${name}-dead`,
    deadLetterSubscription: `${name}-dead-sub`,
    emulatorHost: emulator.host,
  };
  await ensurePubsubTopology({ pubsub: config, maxAttempts, leaseMs: LEASE_MS });
  return config;
}

const consumer = (config: PubsubConfig) =>
  new PubsubConsumer({ config, logger: silentLogger, maxAttempts: 5, leaseMs: LEASE_MS });

/** A consumer on the dead-letter subscription. */
const deadConsumer = (config: PubsubConfig) =>
  consumer({ ...config, subscription: config.deadLetterSubscription });

describeWithRealPart('pubsub driver (emulator)', missing, () => {
  beforeAll(async () => {
    emulator = await startPubsubEmulator();
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('creates the topology idempotently, publishes with attributes, consumes and acks', async () => {
    const config = await topology('basic');
    await ensurePubsubTopology({ pubsub: config, maxAttempts: 5, leaseMs: LEASE_MS }); // second call: no error
    const pub = new PubsubPublisher({ config, logger: silentLogger });
    for (const p of payloads(5)) expect((await pub.publish(p)).status).toBe('ok');
    const got: QueueMessage[] = [];
    await consumeUntil(
      consumer(config),
      async (m) => void got.push(m),
      () => got.length === 5,
      { timeoutMs: 15_000 },
    );
    expect(got[0]?.attributes).toMatchObject({ schema_version: '1', content_encoding: 'identity' });
    expect(got.map((m) => m.attempt)).toEqual([1, 1, 1, 1, 1]);
    await pub.close();
  });

  it('redelivers after the ack deadline when a consumer dies, with deliveryAttempt as attempt', async () => {
    const config = await topology('redeliver');
    const pub = new PubsubPublisher({ config, logger: silentLogger });
    await pub.publish(payloads(1)[0]!);
    // A consumer that pulls and dies: no ack, no deadline extension.
    const client = createPubSub(config);
    const raw = new v1.SubscriberClient(
      (await client.getClientConfig()) as ConstructorParameters<typeof v1.SubscriberClient>[0],
    );
    const subscription = client.subscription(config.subscription).name;
    let pulled = 0;
    while (pulled === 0) {
      const [r] = await raw.pull({ subscription, maxMessages: 1 });
      pulled = r.receivedMessages?.length ?? 0;
    }
    await raw.close();
    await client.close();
    const attempts: number[] = [];
    const startedAt = Date.now();
    await consumeUntil(
      consumer(config),
      async (m) => void attempts.push(m.attempt),
      () => attempts.length === 1,
      {
        timeoutMs: 25_000,
      },
    );
    expect(attempts).toEqual([2]);
    expect(Date.now() - startedAt).toBeGreaterThan(5_000); // not before the 10 s ack deadline ran out
    await pub.close();
  });

  it('moves poison messages to the dead-letter topic with the reason (DeadLetter and max attempts)', async () => {
    const config = await topology('poison', 5);
    const pub = new PubsubPublisher({ config, logger: silentLogger });
    const [retried, rejected] = payloads(2, 'poison');
    await pub.publish(retried!);
    await pub.publish(rejected!);
    const attemptsOf = new Map<string, number[]>();
    await consumeUntil(
      consumer(config),
      async (m) => {
        const id = sessionIdOf(m.body);
        attemptsOf.set(id, [...(attemptsOf.get(id) ?? []), m.attempt]);
        if (id === rejected!.session_id) throw new DeadLetter('lead.email is not an address');
        throw new Error('crm timeout');
      },
      () => (attemptsOf.get(retried!.session_id) ?? []).length >= 5,
      { timeoutMs: 30_000 },
    );
    const dead: QueueMessage[] = [];
    await consumeUntil(
      deadConsumer(config),
      async (m) => void dead.push(m),
      () => dead.length >= 2,
      { timeoutMs: 15_000 },
    );
    const byId = new Map(dead.map((m) => [m.attributes['session_id'], m.attributes]));
    expect(byId.get(rejected!.session_id)).toMatchObject({
      dead_letter_reason: 'handler_dead_letter',
      dead_letter_error: 'lead.email is not an address',
      dead_letter_attempts: '1',
    });
    expect(byId.get(retried!.session_id)).toMatchObject({
      dead_letter_reason: 'max_attempts',
      dead_letter_attempts: '5',
    });
    expect(attemptsOf.get(retried!.session_id)).toEqual([1, 2, 3, 4, 5]);
    expect(parseSessionPayload(dead[0]!.body).ok).toBe(true);
    await pub.close();
  });

  it('shares the load between two consumers with no message handled twice at the same time', async () => {
    const config = await topology('shared');
    const pub = new PubsubPublisher({ config, logger: silentLogger });
    await Promise.all(payloads(60).map((p) => pub.publish(p)));
    const t = tracker();
    const a = consumer(config);
    const b = consumer(config);
    const runs = [
      a.run(t.wrap('a', undefined, 20), { concurrency: 4 }),
      b.run(t.wrap('b', undefined, 20), { concurrency: 4 }),
    ];
    await waitFor(() => t.handled.size === 60, 30_000);
    await Promise.all([a.stop(), b.stop(), ...runs]);
    expect(t.overlaps).toBe(0);
    expect(t.byConsumer.get('a')).toBeGreaterThan(0);
    expect(t.byConsumer.get('b')).toBeGreaterThan(0);
    await pub.close();
  });

  it('takes the gzip and truncation paths (limit lowered to 64 KiB) and the consumer decodes', async () => {
    const config = await topology('big');
    const pub = new PubsubPublisher({ config, logger: silentLogger, maxMessageBytes: 64 * 1024 });
    expect(await pub.publish(bigPayload('gz', 200_000, 'compressible'))).toMatchObject({
      status: 'ok',
      compressed: true,
    });
    expect(await pub.publish(bigPayload('tr', 200_000, 'random'))).toMatchObject({
      status: 'ok',
      truncated: true,
    });
    const got = new Map<string, QueueMessage>();
    await consumeUntil(
      consumer(config),
      async (m) => void got.set(sessionIdOf(m.body), m),
      () => got.size === 2,
      {
        timeoutMs: 15_000,
      },
    );
    expect(got.get('gz')?.attributes['content_encoding']).toBe('gzip');
    const tr = parseSessionPayload(got.get('tr')!.body);
    expect(tr.ok && tr.payload.truncated).toEqual({ dropped: ['transcript'] });
    await pub.close();
  });
});
