import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import {
  createOutboxDrainer,
  createSessionPublisher,
  LocalPublisher,
  type PublishResult,
  type QueuePublisher,
  Spool,
} from '../../src/queue/index.js';
import type { SessionPayload } from '../../src/schema/index.js';
import { watchLoopDelay } from '../support/loop_delay.js';
import { payloads } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'outbox-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A remote that answers each call from a script of results; `'hang'` never answers. */
function scripted(
  script: (PublishResult | 'hang')[],
): QueuePublisher & { calls: number; sent: SessionPayload[] } {
  const self = {
    driver: 'scripted',
    calls: 0,
    sent: [] as SessionPayload[],
    async publish(p: SessionPayload): Promise<PublishResult> {
      const next = script[Math.min(self.calls, script.length - 1)]!;
      self.calls += 1;
      if (next === 'hang') return new Promise(() => {});
      if (next.status === 'ok') self.sent.push(p);
      return next;
    },
    async close() {},
  };
  return self;
}

const ok: PublishResult = { status: 'ok', messageId: 'm', compressed: false, truncated: false };
const busy: PublishResult = { status: 'retryable', error: 'ThrottlingException' };

describe('session publisher', () => {
  it('retries retryable errors inside the deadline and reports sent', async () => {
    const remote = scripted([busy, busy, ok]);
    const outbox = new LocalPublisher({ dir, logger: silentLogger });
    const s = createSessionPublisher({ publisher: remote, outbox, deadlineMs: 2000, logger: silentLogger });
    const r = await s.publish(payloads(1)[0]!);
    expect(r.status).toBe('sent');
    expect(remote.calls).toBe(3);
    expect((await outbox.spool.counts()).ready).toBe(0);
  });

  it('abandons a hung remote at the deadline and spools durably', async () => {
    const remote = scripted(['hang']);
    const outbox = new LocalPublisher({ dir, logger: silentLogger });
    const deadlineMs = 300;
    const s = createSessionPublisher({ publisher: remote, outbox, deadlineMs, logger: silentLogger });
    const lag = watchLoopDelay();
    const r = await s.publish(payloads(1)[0]!);
    const lateMs = await lag.stop();
    expect(r.status).toBe('spooled');
    // A hung remote without the deadline never returns; with it, the call ends at the deadline
    // (plus however late this process's timers ran meanwhile).
    expect(r.ms).toBeLessThanOrEqual(deadlineMs + lateMs);
    expect(r.error).toMatch(/abandoned/);
    expect((await outbox.spool.counts()).ready).toBe(1);
  });

  it('a non-retryable remote error spools at once, without retrying', async () => {
    const remote = scripted([{ status: 'failed', error: 'InvalidParameterValue' }, ok]);
    const outbox = new LocalPublisher({ dir, logger: silentLogger });
    const s = createSessionPublisher({ publisher: remote, outbox, deadlineMs: 2000, logger: silentLogger });
    const r = await s.publish(payloads(1)[0]!);
    expect(r).toMatchObject({ status: 'spooled', error: 'InvalidParameterValue' });
    expect(remote.calls).toBe(1);
    expect((await outbox.spool.counts()).ready).toBe(1);
  });

  it('a retry-after beyond the deadline ends the remote attempts and spools', async () => {
    const remote = scripted([{ status: 'retryable', error: 'SlowDown', retryInMs: 60_000 }, ok]);
    const outbox = new LocalPublisher({ dir, logger: silentLogger });
    const s = createSessionPublisher({ publisher: remote, outbox, deadlineMs: 2000, logger: silentLogger });
    const r = await s.publish(payloads(1)[0]!);
    expect(r).toMatchObject({ status: 'spooled', error: 'SlowDown' });
    expect(remote.calls).toBe(1);
  });

  it('says "unconfirmed" when the outbox cannot store it, or not within the deadline', async () => {
    const remote = scripted([busy]);
    // An outbox under a regular file: every write fails.
    await writeFile(join(dir, 'not-a-dir'), '');
    const broken = new LocalPublisher({ dir: join(dir, 'not-a-dir', 'outbox'), logger: silentLogger });
    const s1 = createSessionPublisher({
      publisher: remote,
      outbox: broken,
      deadlineMs: 300,
      logger: silentLogger,
    });
    const r1 = await s1.publish(payloads(1)[0]!);
    expect(r1.status).toBe('unconfirmed');
    expect(r1.error).toMatch(/^ThrottlingException; outbox: .*ENOTDIR/);

    const hung = { publish: () => new Promise<PublishResult>(() => {}) } as unknown as LocalPublisher;
    const s2 = createSessionPublisher({
      publisher: remote,
      outbox: hung,
      deadlineMs: 300,
      logger: silentLogger,
    });
    const r2 = await s2.publish(payloads(1)[0]!);
    expect(r2).toMatchObject({
      status: 'unconfirmed',
      error: 'ThrottlingException; outbox: outbox write did not finish within the deadline',
    });
  });

  it('keeps an invalid payload in the outbox dead/ and says it was not published', async () => {
    const remote = scripted([ok]);
    const outbox = new LocalPublisher({ dir, logger: silentLogger });
    const s = createSessionPublisher({ publisher: remote, outbox, deadlineMs: 300, logger: silentLogger });
    const r = await s.publish({ ...payloads(1)[0]!, duration_ms: -1 });
    expect(r.status).toBe('rejected');
    expect(r.error).toMatch(/invalid payload.*kept in outbox dead/);
    // When even the outbox cannot keep it, the error says so.
    await writeFile(join(dir, 'file'), '');
    const nowhere = new LocalPublisher({ dir: join(dir, 'file', 'outbox'), logger: silentLogger });
    const s2 = createSessionPublisher({
      publisher: remote,
      outbox: nowhere,
      deadlineMs: 300,
      logger: silentLogger,
    });
    const r2 = await s2.publish({ ...payloads(1)[0]!, duration_ms: -1 });
    expect(r2.status).toBe('rejected');
    expect(r2.error).toMatch(/invalid payload.*; not kept$/);
    expect(remote.calls).toBe(0);
    expect((await outbox.spool.counts()).dead).toBe(1);
  });

  it('drains the outbox once the remote answers, at least once, and dead-letters rejected payloads', async () => {
    const outbox = new LocalPublisher({ dir, logger: silentLogger });
    for (const p of payloads(5)) await outbox.publish(p);
    const down = scripted([busy]);
    const d1 = createOutboxDrainer({ outboxDir: dir, publisher: down, logger: silentLogger });
    expect(await d1.drainOnce()).toMatchObject({ sent: 0, remoteDown: true });
    expect((await outbox.spool.counts()).ready).toBe(5);

    const up = scripted([ok, ok, { status: 'failed', error: 'InvalidParameterValue' }, ok]);
    const d2 = createOutboxDrainer({ outboxDir: dir, publisher: up, logger: silentLogger, intervalMs: 20 });
    d2.start();
    const until = Date.now() + 5000;
    while ((await outbox.spool.counts()).ready > 0 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    await d2.stop();
    expect(up.sent.length).toBe(4);
    expect(await outbox.spool.counts()).toEqual({ ready: 0, leased: 0, dead: 1 });
  });

  it('a drain pass reports what it sent and dead-lettered; a stopped drainer sends nothing more', async () => {
    const outbox = new LocalPublisher({ dir, logger: silentLogger });
    for (const p of payloads(3)) await outbox.publish(p);
    const up = scripted([ok, { status: 'failed', error: 'InvalidParameterValue' }, ok]);
    const d = createOutboxDrainer({ outboxDir: dir, publisher: up, logger: silentLogger, batchSize: 1 });
    expect(await d.drainOnce()).toEqual({ sent: 2, deadLettered: 1, remoteDown: false });

    const later = scripted([ok]);
    const stopped = createOutboxDrainer({
      outboxDir: dir,
      publisher: later,
      logger: silentLogger,
      intervalMs: 10,
    });
    stopped.start();
    await stopped.stop();
    await outbox.publish(payloads(1, 'late')[0]!);
    // Ten intervals later nothing was sent: a stopped drainer schedules no pass.
    await new Promise((r) => setTimeout(r, 100));
    expect(later.calls).toBe(0);
    expect((await outbox.spool.counts()).ready).toBe(1);
  });

  it('a message put back while the remote is down keeps its attempt count', async () => {
    const outbox = new LocalPublisher({ dir, logger: silentLogger });
    await outbox.publish(payloads(1)[0]!);
    const down = scripted([busy]);
    const d = createOutboxDrainer({ outboxDir: dir, publisher: down, logger: silentLogger });
    for (let i = 0; i < 3; i++) expect(await d.drainOnce()).toMatchObject({ sent: 0, remoteDown: true });
    const [entry] = await outbox.spool.claim(1, 5000);
    expect(entry?.attempt).toBe(1);
  });

  it('a remote that throws is retried like a retryable answer, each attempt with its own live signal', async () => {
    const signals: AbortSignal[] = [];
    let calls = 0;
    const remote = {
      driver: 'throwing',
      async publish(_p: SessionPayload, o?: { signal?: AbortSignal }): Promise<PublishResult> {
        calls++;
        signals.push(o?.signal as AbortSignal);
        if (calls === 1) throw new Error('socket hang up');
        return ok;
      },
      async close() {},
    };
    const outbox = new LocalPublisher({ dir, logger: silentLogger });
    const s = createSessionPublisher({ publisher: remote, outbox, deadlineMs: 2000, logger: silentLogger });
    expect((await s.publish(payloads(1)[0]!)).status).toBe('sent');
    expect(calls).toBe(2);
    expect(signals.map((x) => x instanceof AbortSignal && !x.aborted)).toEqual([true, true]);
    expect((await outbox.spool.counts()).ready).toBe(0);
  });

  it('aborts a hung remote request at the deadline, so the driver can let go of it', async () => {
    let signal: AbortSignal | undefined;
    const remote = {
      driver: 'hung',
      publish: (_p: SessionPayload, o?: { signal?: AbortSignal }) => {
        signal = o?.signal;
        return new Promise<PublishResult>(() => {});
      },
      async close() {},
    };
    const outbox = new LocalPublisher({ dir, logger: silentLogger });
    const s = createSessionPublisher({ publisher: remote, outbox, deadlineMs: 200, logger: silentLogger });
    expect((await s.publish(payloads(1)[0]!)).status).toBe('spooled');
    expect(signal?.aborted).toBe(true);
  });

  it('waits between retries no longer than its cap', async () => {
    // Eight busy answers: capped at 20 ms each they fit a 1.5 s deadline many times over; doubling
    // from 50 ms uncapped they would need about 6 s on average.
    const remote = scripted([busy, busy, busy, busy, busy, busy, busy, busy, ok]);
    const outbox = new LocalPublisher({ dir, logger: silentLogger });
    const s = createSessionPublisher({
      publisher: remote,
      outbox,
      deadlineMs: 1500,
      logger: silentLogger,
      backoffBaseMs: 50,
      backoffMaxMs: 20,
    });
    expect((await s.publish(payloads(1)[0]!)).status).toBe('sent');
    expect(remote.calls).toBe(9);
  });

  it('an outbox that throws or answers failed leaves the session unconfirmed, with the outbox’s own error', async () => {
    for (const [outbox, said] of [
      [
        { publish: () => Promise.reject(new Error('EROFS: read-only file system')) },
        'Error: EROFS: read-only file system',
      ],
      [
        { publish: async (): Promise<PublishResult> => ({ status: 'failed', error: 'disk full' }) },
        'disk full',
      ],
    ] as const) {
      const s = createSessionPublisher({
        publisher: scripted([{ status: 'failed', error: 'AccessDenied' }]),
        outbox: outbox as unknown as LocalPublisher,
        deadlineMs: 300,
        logger: silentLogger,
      });
      expect(await s.publish(payloads(1)[0]!)).toMatchObject({
        status: 'unconfirmed',
        error: `AccessDenied; outbox: ${said}`,
      });
    }
  });

  it('the invalid payload it keeps says why, and is the payload as given', async () => {
    const outbox = new LocalPublisher({ dir, logger: silentLogger });
    const s = createSessionPublisher({
      publisher: scripted([ok]),
      outbox,
      deadlineMs: 300,
      logger: silentLogger,
    });
    const bad = { ...payloads(1)[0]!, duration_ms: -1 };
    expect((await s.publish(bad)).status).toBe('rejected');
    const [record] = await deadRecords(dir);
    expect(record?.reason).toMatchObject({ reason: 'invalid_payload', attempts: 0 });
    expect(record?.reason.last_error).toMatch(/^invalid payload: .*duration_ms/);
    expect(JSON.parse(record?.body ?? '')).toEqual(bad);
  });
});

/** The outbox's dead letters: each body with its reason record. */
async function deadRecords(outboxDir: string): Promise<{ body: string; reason: Record<string, unknown> }[]> {
  const names = (await readdir(join(outboxDir, 'dead'))).filter((n) => !n.endsWith('.reason.json'));
  return Promise.all(
    names.map(async (n) => ({
      body: await readFile(join(outboxDir, 'dead', n), 'utf8'),
      reason: JSON.parse(
        await readFile(join(outboxDir, 'dead', n.replace(/\.json$/, '.reason.json')), 'utf8'),
      ),
    })),
  );
}

describe('outbox drainer', () => {
  it('dead-letters an outbox message that is not a payload, with the parser’s reason, and never sends it', async () => {
    await new Spool(dir).write({}, Buffer.from('{"schema_version": 1, "session_id": "x"'));
    const remote = scripted([ok]);
    const d = createOutboxDrainer({ outboxDir: dir, publisher: remote, logger: silentLogger });
    expect(await d.drainOnce()).toEqual({ sent: 0, deadLettered: 1, remoteDown: false });
    expect(remote.calls).toBe(0);
    const [record] = await deadRecords(dir);
    expect(record?.reason).toMatchObject({ reason: 'invalid_json' });
    expect(record?.body).toBe('{"schema_version": 1, "session_id": "x"');
  });

  it('a remote that refuses a message dead-letters it with the remote’s error; one that throws keeps it for the next pass', async () => {
    const outbox = new LocalPublisher({ dir, logger: silentLogger });
    await outbox.publish(payloads(1, 'refused')[0]!);
    const refusing = scripted([{ status: 'failed', error: 'MessageTooLong' }]);
    const d1 = createOutboxDrainer({ outboxDir: dir, publisher: refusing, logger: silentLogger });
    expect(await d1.drainOnce()).toEqual({ sent: 0, deadLettered: 1, remoteDown: false });
    const [record] = await deadRecords(dir);
    expect(record?.reason).toMatchObject({ reason: 'publish_failed', last_error: 'MessageTooLong' });
    expect(JSON.parse(record?.body ?? '{}').session_id).toBe('refused_0');

    await outbox.publish(payloads(1, 'kept')[0]!);
    const throwing = {
      driver: 'throwing',
      publish: () => Promise.reject(new Error('getaddrinfo ENOTFOUND sqs')),
      async close() {},
    };
    const d2 = createOutboxDrainer({ outboxDir: dir, publisher: throwing, logger: silentLogger });
    expect(await d2.drainOnce()).toEqual({
      sent: 0,
      deadLettered: 0,
      remoteDown: true,
      lastError: 'Error: getaddrinfo ENOTFOUND sqs',
    });
    expect(await outbox.spool.counts()).toEqual({ ready: 1, leased: 0, dead: 1 });
  });

  it('removes files a dead process left in tmp/ on its first pass only', async () => {
    await mkdir(join(dir, 'tmp'), { recursive: true });
    await writeFile(join(dir, 'tmp', 'left-behind.tmp'), 'half');
    const d = createOutboxDrainer({
      outboxDir: dir,
      publisher: scripted([ok]),
      logger: silentLogger,
      staleTmpMs: 0,
    });
    await d.drainOnce();
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    // A later write in progress is not a dead process's: the next passes leave it alone.
    await writeFile(join(dir, 'tmp', 'in-progress.tmp'), 'half');
    await d.drainOnce();
    expect(await readdir(join(dir, 'tmp'))).toEqual(['in-progress.tmp']);
  });
});
