import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import {
  createOutboxDrainer,
  createSessionPublisher,
  createSqsClient,
  DeadLetter,
  LocalPublisher,
  type QueueMessage,
  SqsConsumer,
  SqsPublisher,
} from '../../src/queue/index.js';
import { parseSessionPayload } from '../../src/schema/index.js';
import { freePort } from '../support/free_port.js';
import { watchLoopDelay } from '../support/loop_delay.js';
import { queueWithDlq, type SqsTestServer, startSqsServer } from '../support/sqs_server.js';
import { bigPayload, consumeUntil, payloads, sessionIdOf, tracker, waitFor } from './helpers.js';

let sqs: SqsTestServer;

beforeAll(async () => {
  sqs = await startSqsServer({
    queues: [
      ...queueWithDlq('basic', 5),
      ...queueWithDlq('redeliver', 5),
      ...queueWithDlq('poison', 3),
      ...queueWithDlq('shared', 5),
      ...queueWithDlq('big', 5),
      ...queueWithDlq('outage', 5),
      ...queueWithDlq('calls.fifo', 5),
    ],
  });
});
afterAll(async () => {
  await sqs?.stop();
});

const publisher = (queue: string) => new SqsPublisher({ config: sqs.config(queue), logger: silentLogger });
const consumer = (queue: string, visibilityTimeoutS = 3) =>
  new SqsConsumer({
    config: sqs.config(queue, { visibilityTimeoutS }),
    logger: silentLogger,
    maxAttempts: 5,
  });

describe('sqs driver (local-aws-sqs)', () => {
  it('publishes with message attributes, consumes and deletes on ack', async () => {
    const pub = publisher('basic');
    for (const p of payloads(5)) expect((await pub.publish(p)).status).toBe('ok');
    const got: QueueMessage[] = [];
    await consumeUntil(
      consumer('basic'),
      async (m) => void got.push(m),
      () => got.length === 5,
      { timeoutMs: 10_000 },
    );
    expect(got[0]?.attributes).toMatchObject({ schema_version: '1', content_encoding: 'identity' });
    expect(new Set(got.map((m) => m.attributes['session_id']))).toEqual(
      new Set(payloads(5).map((p) => p.session_id)),
    );
    // Deleted: nothing comes back after the visibility timeout.
    const again: QueueMessage[] = [];
    const c = consumer('basic', 2);
    const run = c.run(async (m) => void again.push(m));
    await new Promise((r) => setTimeout(r, 3500));
    await c.stop();
    await run;
    expect(again).toEqual([]);
    await pub.close();
  });

  it('uses MessageGroupId and MessageDeduplicationId = session_id on FIFO queues', async () => {
    const pub = publisher('calls.fifo');
    const [p] = payloads(1, 'fifo');
    expect((await pub.publish(p!)).status).toBe('ok');
    expect((await pub.publish(p!)).status).toBe('ok'); // deduplicated by the queue
    const got: string[] = [];
    const c = consumer('calls.fifo', 2);
    const run = c.run(async (m) => void got.push(sessionIdOf(m.body)));
    await new Promise((r) => setTimeout(r, 2500));
    await c.stop();
    await run;
    expect(got).toEqual(['fifo_0']);
    await pub.close();
  });

  it('redelivers after the visibility timeout when a consumer dies, and heartbeats hold a slow message', async () => {
    const pub = publisher('redeliver');
    await pub.publish(payloads(1)[0]!);
    // A consumer that receives and then dies: no delete, no heartbeat.
    const raw = createSqsClient(sqs.config('redeliver'));
    const first = await raw.send(
      new ReceiveMessageCommand({
        QueueUrl: sqs.queueUrl('redeliver'),
        VisibilityTimeout: 2,
        WaitTimeSeconds: 1,
      }),
    );
    expect(first.Messages?.length).toBe(1);
    raw.destroy();
    // Two live consumers; the handler runs longer than the 2 s visibility timeout.
    const t = tracker();
    const attempts: number[] = [];
    const slow = t.wrap('x', async (m) => {
      attempts.push(m.attempt);
      await new Promise((r) => setTimeout(r, 3500));
    });
    const a = consumer('redeliver', 2);
    const b = consumer('redeliver', 2);
    const runs = [a.run(slow), b.run(slow)];
    await waitFor(() => t.handled.size === 1, 15_000);
    await Promise.all([a.stop(), b.stop(), ...runs]);
    expect(attempts).toEqual([2]);
    expect(t.overlaps).toBe(0);
    await pub.close();
  });

  it('sends a poison message to the redrive DLQ with its reason, and DeadLetter goes there at once', async () => {
    const pub = publisher('poison');
    const [retried, rejected] = payloads(2, 'poison');
    await pub.publish(retried!);
    await pub.publish(rejected!);
    const attemptsOf = new Map<string, number[]>();
    const c = consumer('poison', 2);
    await consumeUntil(
      c,
      async (m) => {
        const id = sessionIdOf(m.body);
        attemptsOf.set(id, [...(attemptsOf.get(id) ?? []), m.attempt]);
        if (id === rejected!.session_id) throw new DeadLetter('lead.email is not an address');
        throw new Error('crm timeout');
      },
      () => (attemptsOf.get(retried!.session_id) ?? []).some((a) => a >= 3),
      { timeoutMs: 30_000 },
    );
    const dead: QueueMessage[] = [];
    await consumeUntil(
      consumer('poison-dlq'),
      async (m) => void dead.push(m),
      () => dead.length === 2,
      { timeoutMs: 10_000 },
    );
    const byId = new Map(dead.map((m) => [m.attributes['session_id'], m.attributes]));
    expect(byId.get(rejected!.session_id)).toMatchObject({
      dead_letter_reason: 'handler_dead_letter',
      dead_letter_error: 'lead.email is not an address',
      dead_letter_attempts: '1',
    });
    expect(byId.get(retried!.session_id)).toMatchObject({ dead_letter_reason: 'max_attempts' });
    expect(byId.get(retried!.session_id)?.['dead_letter_error']).toMatch(/crm timeout/);
    expect(attemptsOf.get(rejected!.session_id)).toEqual([1]);
    expect(parseSessionPayload(dead[0]!.body).ok).toBe(true);
    await pub.close();
  });

  it('shares the load between two consumers with no message handled twice at the same time', async () => {
    const pub = publisher('shared');
    await Promise.all(payloads(60).map((p) => pub.publish(p)));
    const t = tracker();
    const a = consumer('shared', 5);
    const b = consumer('shared', 5);
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

  it('gzips a payload over 256 KiB and truncates one that gzip cannot fit; the consumer decodes both', async () => {
    const pub = publisher('big');
    expect(await pub.publish(bigPayload('gz', 600_000, 'compressible'))).toMatchObject({
      status: 'ok',
      compressed: true,
      truncated: false,
    });
    expect(await pub.publish(bigPayload('tr', 600_000, 'random'))).toMatchObject({
      status: 'ok',
      truncated: true,
    });
    const got = new Map<string, QueueMessage>();
    await consumeUntil(
      consumer('big'),
      async (m) => void got.set(sessionIdOf(m.body), m),
      () => got.size === 2,
      {
        timeoutMs: 10_000,
      },
    );
    expect(got.get('gz')?.attributes['content_encoding']).toBe('gzip');
    const gz = parseSessionPayload(got.get('gz')!.body);
    expect(gz.ok && gz.payload.transcript?.[0]?.text.length).toBeGreaterThan(500_000);
    const tr = parseSessionPayload(got.get('tr')!.body);
    expect(tr.ok && tr.payload.truncated).toEqual({ dropped: ['transcript'] });
    await pub.close();
  });
});

/** What a publish to a stopped SQS endpoint reports: the refused connection. */
const OUTAGE_ERROR = /ECONNREFUSED 127\.0\.0\.1:\d+/;

describe('session publisher over SQS', () => {
  it('spools every session within the deadline while SQS is down, then the drainer delivers all', async () => {
    const outboxDir = await mkdtemp(join(tmpdir(), 'outbox-'));
    const deadlineMs = 1500;
    const remote = publisher('outage');
    // Without fsync: how long 25 fsyncs take on a shared, loaded disk is not what this test is
    // about (the outbox commit's durability is durability.test.ts's); with it, an fsync slower
    // than the outbox reserve turns a session "unconfirmed" here.
    const outbox = new LocalPublisher({ dir: outboxDir, logger: silentLogger, fsync: false });
    const sessions = createSessionPublisher({ publisher: remote, outbox, deadlineMs, logger: silentLogger });
    const n = 25;
    try {
      await sqs.stop();
      const lag = watchLoopDelay();
      const results = await Promise.all(payloads(n, 'outage').map((p) => sessions.publish(p)));
      const lateMs = await lag.stop();
      expect(results.map((r) => r.status)).toEqual(Array(n).fill('spooled'));
      for (const r of results) expect(r.ms).toBeLessThanOrEqual(deadlineMs + lateMs);
      // Each says why it was not sent: the connection to the stopped queue was refused.
      for (const r of results) expect(r.error).toMatch(OUTAGE_ERROR);
      expect((await outbox.spool.counts()).ready).toBe(n);

      const drainer = createOutboxDrainer({
        outboxDir,
        publisher: remote,
        logger: silentLogger,
        sendTimeoutMs: 500,
      });
      const down = await drainer.drainOnce();
      expect(down).toMatchObject({ sent: 0, remoteDown: true });
      expect((await outbox.spool.counts()).ready).toBe(n);

      await sqs.restart(); // same port, empty queues recreated
      const up = await drainer.drainOnce();
      expect(up).toMatchObject({ sent: n, deadLettered: 0, remoteDown: false });
      expect(await outbox.spool.counts()).toEqual({ ready: 0, leased: 0, dead: 0 });

      const received = new Set<string>();
      await consumeUntil(
        consumer('outage'),
        async (m) => void received.add(sessionIdOf(m.body)),
        () => received.size === n,
        {
          timeoutMs: 15_000,
        },
      );
      const sent = up.sent;
      const lost = n - received.size;
      expect({ sent, received: received.size, lost }).toEqual({ sent: n, received: n, lost: 0 });
    } finally {
      await sqs.restart();
      await remote.close();
      await rm(outboxDir, { recursive: true, force: true });
    }
  });

  it('abandons a hung SQS endpoint at the deadline and spools', async () => {
    // Accepts connections and never answers: a network call that would hang forever.
    const sockets = new Set<Socket>();
    const blackhole: Server = createServer((s) => void sockets.add(s));
    const port = await freePort();
    await new Promise<void>((r) => blackhole.listen(port, '127.0.0.1', r));
    const outboxDir = await mkdtemp(join(tmpdir(), 'outbox-'));
    const endpoint = `http://127.0.0.1:${port}`;
    const remote = new SqsPublisher({
      config: {
        queueUrl: `${endpoint}/123456789012/x`,
        endpoint,
        region: 'us-east-1',
        waitTimeSeconds: 1,
        visibilityTimeoutS: 3,
      },
      logger: silentLogger,
    });
    const outbox = new LocalPublisher({ dir: outboxDir, logger: silentLogger });
    const sessions = createSessionPublisher({
      publisher: remote,
      outbox,
      deadlineMs: 600,
      logger: silentLogger,
    });
    try {
      const lag = watchLoopDelay();
      const r = await sessions.publish(payloads(1, 'hung')[0]!);
      const lateMs = await lag.stop();
      expect(r.status).toBe('spooled');
      expect(r.ms).toBeLessThanOrEqual(600 + lateMs);
      expect(r.error).toMatch(/abandoned at the deadline/);
      expect((await outbox.spool.counts()).ready).toBe(1);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => blackhole.close(r));
      await remote.close();
      await rm(outboxDir, { recursive: true, force: true });
    }
  });
});
