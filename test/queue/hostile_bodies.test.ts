/**
 * Bodies that are not text, on every driver: invalid UTF-8 (plain or inside gzip) never reaches the
 * handler; it goes to the dead-letter place with a reason that names it, and its bytes are kept
 * as far as the driver can keep bytes (local: the raw bytes; Pub/Sub: the message data as
 * received; SQS: the message body string as received, i.e. the base64 of the gzip).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { v1 } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import {
  createPubSub,
  createSqsClient,
  decodeBody,
  ensurePubsubTopology,
  LocalConsumer,
  type PubsubConfig,
  PubsubConsumer,
  type QueueMessage,
  Spool,
  SqsConsumer,
  UndecodableBody,
} from '../../src/queue/index.js';
import { samplePayload } from '../../src/schema/testing/index.js';
import {
  type PubsubEmulator,
  pubsubEmulatorMissing,
  startPubsubEmulator,
} from '../support/pubsub_emulator.js';
import { queueWithDlq, type SqsTestServer, startSqsServer } from '../support/sqs_server.js';
import { waitFor } from './helpers.js';

/** Two payloads whose session ids differ only in one invalid byte (0xFF vs 0xFE). */
function collidingBodies(): Buffer[] {
  return [
    ['\xFF', 'meeting_booked'],
    ['\xFE', 'not_interested'],
  ].map(([bad, outcome]) => {
    const json = JSON.stringify(
      samplePayload({ session_id: 'collide-@@-x', outcome: outcome as 'completed' }),
    );
    const [head, tail] = json.split('@@') as [string, string];
    return Buffer.concat([Buffer.from(head), Buffer.from(bad as string, 'latin1'), Buffer.from(tail)]);
  });
}

describe('decodeBody (strict)', () => {
  it('refuses invalid UTF-8 with the reason and the bytes, plain and gzipped', async () => {
    const [a] = collidingBodies();
    for (const [bytes, attrs] of [
      [a as Buffer, {}],
      [gzipSync(a as Buffer), { content_encoding: 'gzip' }],
    ] as const) {
      const err = await decodeBody(bytes, attrs).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UndecodableBody);
      expect((err as UndecodableBody).reason).toBe('invalid_utf8');
      expect((err as UndecodableBody).message).toMatch(/not valid UTF-8.*offset \d+/);
      expect((err as UndecodableBody).bytes.equals(a as Buffer)).toBe(true);
    }
  });

  it('names a broken gzip layer and an unknown encoding', async () => {
    const bad = Buffer.from('not gzip');
    await expect(decodeBody(bad, { content_encoding: 'gzip' })).rejects.toMatchObject({
      reason: 'invalid_gzip',
    });
    await expect(decodeBody(bad, { content_encoding: 'br' })).rejects.toMatchObject({
      reason: 'unknown_content_encoding',
    });
  });

  it('keeps valid text exactly, a BOM and U+FFFD written by the sender included', async () => {
    const text = '\uFEFF{"a":"\uFFFD é 𝄞"}';
    expect(await decodeBody(Buffer.from(text), {})).toBe(text);
    expect(await decodeBody(gzipSync(Buffer.from(text)), { content_encoding: 'gzip' })).toBe(text);
  });
});

describe('local driver: invalid UTF-8', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sr-hostile-local-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('dead-letters collide-\\xFF-x and collide-\\xFE-x as invalid_utf8 with their raw bytes, handler never called', async () => {
    const spool = new Spool(dir, { fsync: false });
    const bodies = collidingBodies();
    const ids = [
      await spool.write({ content_encoding: 'identity' }, bodies[0] as Buffer),
      await spool.write({ content_encoding: 'gzip' }, gzipSync(bodies[1] as Buffer)),
    ];
    const consumer = new LocalConsumer({
      dir,
      logger: silentLogger,
      maxAttempts: 3,
      leaseMs: 5000,
      fsync: false,
    });
    const handled: QueueMessage[] = [];
    const run = consumer.run(async (m) => void handled.push(m));
    await waitFor(async () => (await spool.counts()).dead === 2, 10_000, 'two dead letters');
    await consumer.stop();
    await run;
    expect(handled).toEqual([]);
    for (const [i, id] of ids.entries()) {
      const body = await readFile(join(dir, 'dead', `${id}.json`));
      expect(body.equals(bodies[i] as Buffer), `dead body ${i} byte for byte`).toBe(true);
      const reason = JSON.parse(await readFile(join(dir, 'dead', `${id}.reason.json`), 'utf8'));
      expect(reason).toMatchObject({ reason: 'invalid_utf8', attempts: 1 });
      expect(reason.last_error).toMatch(/not valid UTF-8/);
    }
    expect((await readdir(join(dir, 'dead'))).length).toBe(4);
  });
});

describe('sqs driver: invalid UTF-8 inside a gzip body', () => {
  let sqs: SqsTestServer;
  beforeAll(async () => {
    sqs = await startSqsServer({ queues: queueWithDlq('hostile', 5) });
  });
  afterAll(async () => {
    await sqs?.stop();
  });

  it('sends it to the DLQ as invalid_utf8 with the body string as received (base64 of the gzip)', async () => {
    // SQS refuses characters outside XML's set at send, so a plain body is always text; a gzip
    // body travels as base64 text and can hide any bytes.
    const config = sqs.config('hostile', { visibilityTimeoutS: 3 });
    const client = createSqsClient(config);
    const raw = collidingBodies()[0] as Buffer;
    const body = gzipSync(raw).toString('base64');
    await client.send(
      new SendMessageCommand({
        QueueUrl: config.queueUrl,
        MessageBody: body,
        MessageAttributes: { content_encoding: { DataType: 'String', StringValue: 'gzip' } },
      }),
    );
    const consumer = new SqsConsumer({ config, logger: silentLogger, maxAttempts: 5 });
    const handled: QueueMessage[] = [];
    const run = consumer.run(async (m) => void handled.push(m));
    const dlqUrl = sqs.queueUrl('hostile-dlq');
    let dead: { Body?: string; MessageAttributes?: Record<string, { StringValue?: string }> } | undefined;
    await waitFor(
      async () => {
        const out = await client.send(
          new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
        );
        dead = out.Messages?.[0];
        return dead !== undefined;
      },
      15_000,
      'dead letter',
    );
    await consumer.stop();
    await run;
    client.destroy();
    expect(handled).toEqual([]);
    expect(dead?.Body).toBe(body);
    expect(gunzipSync(Buffer.from(dead?.Body ?? '', 'base64')).equals(raw)).toBe(true);
    expect(dead?.MessageAttributes?.['dead_letter_reason']?.StringValue).toBe('invalid_utf8');
    expect(dead?.MessageAttributes?.['dead_letter_error']?.StringValue).toMatch(/not valid UTF-8/);
  });
});

const missing = pubsubEmulatorMissing();
describe.skipIf(missing !== null)('pubsub driver: invalid UTF-8', () => {
  let emulator: PubsubEmulator;
  beforeAll(async () => {
    emulator = await startPubsubEmulator();
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('publishes the data bytes as received to the dead-letter topic with reason invalid_utf8', async () => {
    const config: PubsubConfig = {
      projectId: 'signalroom-test',
      topic: 'hostile-topic',
      subscription: 'hostile-sub',
      deadLetterTopic: 'hostile-dead',
      deadLetterSubscription: 'hostile-dead-sub',
      emulatorHost: emulator.host,
    };
    await ensurePubsubTopology({ pubsub: config, maxAttempts: 5, leaseMs: 10_000 });
    const pubsub = createPubSub(config);
    const raw = collidingBodies()[1] as Buffer;
    await pubsub
      .topic(config.topic)
      .publishMessage({ data: raw, attributes: { content_encoding: 'identity' } });
    const consumer = new PubsubConsumer({ config, logger: silentLogger, maxAttempts: 5, leaseMs: 10_000 });
    const handled: QueueMessage[] = [];
    const run = consumer.run(async (m) => void handled.push(m));
    // Read the dead-letter subscription raw: our consumer would refuse the body again.
    const sub = new v1.SubscriberClient(
      (await pubsub.getClientConfig()) as ConstructorParameters<typeof v1.SubscriberClient>[0],
    );
    const subscription = pubsub.subscription(config.deadLetterSubscription).name;
    let got: { data?: Uint8Array | string | null; attributes?: Record<string, string> | null } | undefined;
    await waitFor(
      async () => {
        const [r] = await sub.pull({ subscription, maxMessages: 1 }, { timeout: 5000 }).catch(() => [{}]);
        const m = (r as { receivedMessages?: { message?: typeof got }[] }).receivedMessages?.[0]?.message;
        if (m) got = m;
        return got !== undefined;
      },
      20_000,
      'dead letter',
    );
    await consumer.stop();
    await run;
    await sub.close();
    await pubsub.close();
    expect(handled).toEqual([]);
    expect(Buffer.from(got?.data as Uint8Array).equals(raw)).toBe(true);
    expect(got?.attributes).toMatchObject({
      dead_letter_reason: 'invalid_utf8',
      content_encoding: 'identity',
    });
  });
});
