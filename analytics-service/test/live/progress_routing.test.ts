import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import {
  type BasePublisher,
  ensurePubsubTopology,
  LocalConsumer,
  LocalPublisher,
  PubsubConsumer,
  PubsubPublisher,
  type QueueConsumer,
  SqsConsumer,
  SqsPublisher,
} from '../../../src/queue/index.js';
import { parseSessionPayload } from '../../../src/schema/index.js';
import { samplePayload } from '../../../src/schema/testing/index.js';
import { waitFor } from '../../../test/queue/helpers.js';
import {
  type PubsubEmulator,
  pubsubEmulatorMissing,
  startPubsubEmulator,
} from '../../../test/support/pubsub_emulator.js';
import { queueWithDlq, type SqsTestServer, startSqsServer } from '../../../test/support/sqs_server.js';
import { DeadLetterLog } from '../../src/alerts/dead_letter_log.js';
import { LiveCalls } from '../../src/live/live_calls.js';
import { routeMessages } from '../../src/pipeline/route_message.js';
import { progressSnapshot } from './snapshot_fixture.js';

const snapshot = progressSnapshot;

/** Sends snapshots of two calls and the final payload of one, through one driver, into the worker's router. */
async function roundTrip(pub: BasePublisher, consumer: QueueConsumer) {
  const live = new LiveCalls();
  const deadLetters = new DeadLetterLog();
  const finals: string[] = [];
  let handled = 0;
  const route = routeMessages({
    sessions: async (m) => {
      const p = parseSessionPayload(m.body);
      if (!p.ok) throw new Error(p.error);
      finals.push(p.payload.session_id);
    },
    live,
    deadLetters,
    maxAttempts: 5,
  });
  const run = consumer.run(async (m, ctx) => {
    await route(m, ctx);
    handled += 1;
  });
  try {
    const final = samplePayload({ session_id: 'call-2' });
    expect((await pub.publishProgress(snapshot('call-1', 1))).status).toBe('ok');
    expect((await pub.publishProgress(snapshot('call-1', 2, { stage: 'qualification' }))).status).toBe('ok');
    expect((await pub.publishProgress(snapshot('call-2', 1))).status).toBe('ok');
    // The final payload exactly as before: `publish`, no kind attribute.
    expect((await pub.publish(final)).status).toBe('ok');
    await waitFor(() => handled === 4, 15_000, 'four messages');
    expect(finals).toEqual(['call-2']);
    expect(live.list().map((c) => [c.session_id, c.seq, c.stage])).toEqual([['call-1', 2, 'qualification']]);
    expect(pub.stats.progressOk).toBe(3);
    expect(deadLetters.total).toBe(0);
    expect((await pub.publish(samplePayload({ session_id: 'call-1' }))).status).toBe('ok');
    await waitFor(() => handled === 5, 15_000, 'the second final');
    expect(live.list()).toEqual([]);
    expect(finals).toEqual(['call-2', 'call-1']);
  } finally {
    await consumer.stop({ deadlineMs: 2000 });
    await run;
    await pub.close();
  }
}

describe('progress snapshots through every queue driver', () => {
  let dir: string;
  let sqs: SqsTestServer | undefined;
  let emulator: PubsubEmulator | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sr-progress-'));
  });
  afterAll(async () => {
    await sqs?.stop();
    await emulator?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('local spool: snapshots update the live list, the final payload is handled as before and ends the call', async () => {
    const spool = join(dir, 'spool');
    await roundTrip(
      new LocalPublisher({ dir: spool, logger: silentLogger, fsync: false }),
      new LocalConsumer({ dir: spool, logger: silentLogger, maxAttempts: 3, leaseMs: 5000 }),
    );
  });

  it('SQS (local-aws-sqs): the same, FIFO-safe ids and all', async () => {
    sqs = await startSqsServer({ queues: [...queueWithDlq('progress', 5, 5)] });
    await roundTrip(
      new SqsPublisher({ config: sqs.config('progress'), logger: silentLogger }),
      new SqsConsumer({
        config: sqs.config('progress', { visibilityTimeoutS: 5 }),
        logger: silentLogger,
        maxAttempts: 5,
      }),
    );
  });

  it.skipIf(pubsubEmulatorMissing() !== null)('Pub/Sub (emulator): the same', async () => {
    emulator = await startPubsubEmulator();
    const config = {
      projectId: 'signalroom-test',
      topic: 'progress-topic',
      subscription: 'progress-sub',
      deadLetterTopic: 'progress-dead',
      deadLetterSubscription: 'progress-dead-sub',
      emulatorHost: emulator.host,
    };
    await ensurePubsubTopology({ pubsub: config, maxAttempts: 5, leaseMs: 10_000 });
    await roundTrip(
      new PubsubPublisher({ config, logger: silentLogger }),
      new PubsubConsumer({ config, logger: silentLogger, maxAttempts: 5, leaseMs: 10_000 }),
    );
  });
});

describe('LiveCalls', () => {
  it('keeps the newest snapshot, ignores late ones and ended calls, and lets silent calls expire', () => {
    let now = 1_000_000;
    const live = new LiveCalls({ expireAfterMs: 10_000, now: () => now });
    expect(live.update(snapshot('a', 2))).toBe(true);
    expect(live.update(snapshot('a', 1))).toBe(false);
    expect(live.update(snapshot('b', 1))).toBe(true);
    live.end('b');
    expect(live.update(snapshot('b', 2))).toBe(false);
    expect(live.list().map((c) => c.session_id)).toEqual(['a']);
    expect(live.list()[0]).toMatchObject({ seq: 2, duration_ms: 10_000 });
    now += 10_001;
    expect(live.list()).toEqual([]);
  });

  it('dead-letters a malformed snapshot with its reason instead of dropping it silently', async () => {
    const live = new LiveCalls();
    const deadLetters = new DeadLetterLog();
    const route = routeMessages({ sessions: async () => undefined, live, deadLetters, maxAttempts: 5 });
    const ctx = { log: silentLogger, attempt: 1, signal: new AbortController().signal };
    await expect(
      route(
        { id: 'm1', body: '{"kind":"progress","seq":0}', attributes: { kind: 'progress' }, attempt: 1 },
        ctx,
      ),
    ).rejects.toThrow(/progress snapshot does not match v1/);
    await expect(
      route({ id: 'm2', body: '{}', attributes: { kind: 'mystery' }, attempt: 1 }, ctx),
    ).rejects.toThrow(/unknown message kind "mystery"/);
    expect(deadLetters.total).toBe(2);
  });
});
