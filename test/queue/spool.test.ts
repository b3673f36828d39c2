import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/log.js';
import {
  createOutboxDrainer,
  createSessionPublisher,
  LocalConsumer,
  LocalPublisher,
  type PublishResult,
  parseSpoolFile,
  Spool,
} from '../../src/queue/index.js';
import { SessionPayloadV1 } from '../../src/schema/index.js';
import { consumeSessionIds, consumeUntil, payloads, sessionIdOf, tracker, waitFor } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spool-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** A `tmp/` file as a crashed writer leaves it, `ageMs` old. */
async function strayTmp(spool: Spool, name: string, ageMs: number): Promise<void> {
  await spool.init();
  const path = spool.path('tmp', name);
  await writeFile(path, '{"session_id":"half"}\n{');
  const t = (Date.now() - ageMs) / 1000;
  await utimes(path, t, t);
}

describe('spool tmp/ cleanup', () => {
  it('removes only tmp/ files older than the limit', async () => {
    const spool = new Spool(dir);
    await strayTmp(spool, 'old-1', 60 * 60_000);
    await strayTmp(spool, 'old-2.dead', 60 * 60_000);
    await strayTmp(spool, 'fresh', 0);
    expect(await spool.cleanStaleTmp(10 * 60_000)).toBe(2);
    expect(await readdir(spool.path('tmp'))).toEqual(['fresh']);
  });

  it('a consumer cleans stale tmp/ files when it starts, and still consumes', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    await strayTmp(pub.spool, 'crashed-writer', 60 * 60_000);
    await strayTmp(pub.spool, 'writing-now', 0);
    await pub.publish(payloads(1)[0]!);
    const c = new LocalConsumer({ dir, logger: silentLogger, maxAttempts: 3, leaseMs: 5000 });
    const seen = await consumeSessionIds(c, 1);
    expect(seen).toEqual(['sess_0']);
    expect(await readdir(join(dir, 'tmp'))).toEqual(['writing-now']);
  });

  it('the outbox drainer cleans stale tmp/ files on its first pass', async () => {
    const spool = new Spool(dir);
    await strayTmp(spool, 'crashed-writer', 60 * 60_000);
    const drainer = createOutboxDrainer({
      outboxDir: dir,
      logger: silentLogger,
      publisher: {
        driver: 'none',
        publish: async (): Promise<PublishResult> => ({ status: 'retryable', error: 'down' }),
        close: async () => {},
      },
    });
    await drainer.drainOnce();
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  });
});

describe('spool batch claims', () => {
  it('two claimers taking batches alternately get disjoint sets that cover every message, oldest first', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger, fsync: false });
    const n = 50;
    for (const p of payloads(n)) await pub.publish(p); // sequential: ids sort in publish order
    const a = new Spool(dir, { fsync: false });
    const b = new Spool(dir, { fsync: false });
    const got: Record<'a' | 'b', string[]> = { a: [], b: [] };
    for (let round = 0; round < 20; round++) {
      for (const [name, spool] of [
        ['a', a],
        ['b', b],
      ] as const) {
        const batch = await spool.claim(4, 10_000);
        expect(batch.length).toBeLessThanOrEqual(4); // never more than asked for
        for (const e of batch) got[name].push(sessionIdOf(e.body.toString('utf8')));
        await Promise.all(batch.map((e) => spool.ack(e)));
      }
    }
    const all = [...got.a, ...got.b];
    expect(new Set(all).size).toBe(n);
    expect(all.length).toBe(n);
    // Both took a share while messages were left.
    expect(got.a.length).toBeGreaterThan(0);
    expect(got.b.length).toBeGreaterThan(0);
    // Each claimer sees the backlog oldest first.
    const order = (ids: string[]) => ids.map((id) => Number(id.split('_')[1]));
    for (const ids of [got.a, got.b]) expect(order(ids)).toEqual([...order(ids)].sort((x, y) => x - y));
  });

  it('picks up messages published after its last listing (no stale empty list)', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger, fsync: false });
    const spool = new Spool(dir, { fsync: false });
    await pub.publish(payloads(1, 'first')[0]!);
    expect((await spool.claim(10, 10_000)).length).toBe(1);
    await pub.publishMany(payloads(3, 'later'));
    expect((await spool.claim(10, 10_000)).length).toBe(3);
  });
});

describe('publishMany', () => {
  it('publishes a batch durably into ready/ with one result per payload, an invalid one failing alone', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    const batch = payloads(10);
    const bad = { ...batch[3]!, session_id: '' } as never;
    batch[3] = bad;
    const results = await pub.publishMany(batch);
    expect(results.map((r) => r.status)).toEqual([...Array(3).fill('ok'), 'failed', ...Array(6).fill('ok')]);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect(await pub.spool.counts()).toEqual({ ready: 9, leased: 0, dead: 0 });
    expect(pub.stats).toMatchObject({ ok: 9, failed: 1 });
  });
});

describe('validation happens once', () => {
  it('the session publisher parses a payload once even when it ends in the outbox', async () => {
    const outbox = new LocalPublisher({ dir, logger: silentLogger });
    const remote = new LocalPublisher({ dir: join(dir, 'remote'), logger: silentLogger });
    const parse = vi.spyOn(SessionPayloadV1, 'safeParse');
    const sessions = createSessionPublisher({
      publisher: remote,
      outbox,
      deadlineMs: 5000,
      logger: silentLogger,
    });
    expect((await sessions.publish(payloads(1)[0]!)).status).toBe('sent');
    expect(parse).toHaveBeenCalledTimes(1);

    parse.mockClear();
    const down = {
      driver: 'down',
      publish: async (): Promise<PublishResult> => ({ status: 'failed', error: 'InvalidParameterValue' }),
      close: async () => {},
    };
    const spooling = createSessionPublisher({
      publisher: down,
      outbox,
      deadlineMs: 5000,
      logger: silentLogger,
    });
    expect((await spooling.publish(payloads(1)[0]!)).status).toBe('spooled');
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('a caller’s own object is validated again on every publish (mutation after publish is caught)', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    const p = payloads(1)[0]!;
    expect((await pub.publish(p)).status).toBe('ok');
    (p as { session_id: string }).session_id = '';
    expect((await pub.publish(p)).status).toBe('failed');
  });
});

describe('damaged spool files', () => {
  it('moves a file without an attribute header to dead/ with the reason and keeps consuming', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    await pub.spool.init();
    await writeFile(pub.spool.path('ready', '000000000-0000-x.0'), '');
    await writeFile(pub.spool.path('ready', '000000000-0001-x.0'), 'not a header');
    await pub.publish(payloads(1)[0]!);
    const c = new LocalConsumer({ dir, logger: silentLogger, maxAttempts: 3, leaseMs: 5000 });
    const seen = await consumeSessionIds(c, 1);
    expect(seen).toEqual(['sess_0']);
    expect(await c.spool.counts()).toEqual({ ready: 0, leased: 0, dead: 2 });
    const reasons = (await readdir(join(dir, 'dead'))).filter((f) => f.endsWith('.reason.json'));
    for (const f of reasons) {
      expect(JSON.parse(await readFile(join(dir, 'dead', f), 'utf8'))).toMatchObject({
        reason: 'corrupt_spool_file',
      });
    }
  });
});

describe('batch files (group commit)', () => {
  it('concurrent publishes share files, and every message is delivered exactly once', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    const results = await Promise.all(payloads(100).map((p) => pub.publish(p)));
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    const files = await readdir(join(dir, 'ready'));
    // One commit for the first publish, the rest share a few files (at most 64 messages each).
    expect(files.length).toBeLessThan(10);
    expect(await pub.spool.counts()).toEqual({ ready: 100, leased: 0, dead: 0 });
    const seen = new Map<string, number>();
    const c = new LocalConsumer({ dir, logger: silentLogger, maxAttempts: 3, leaseMs: 5000 });
    await consumeUntil(
      c,
      async (m) => void seen.set(sessionIdOf(m.body), (seen.get(sessionIdOf(m.body)) ?? 0) + 1),
      () => seen.size === 100,
      { timeoutMs: 10_000, concurrency: 8 },
    );
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(await c.spool.counts()).toEqual({ ready: 0, leased: 0, dead: 0 });
  });

  it('a nacked message of a batch comes back alone with its attempt counted; its batch-mates do not', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    await pub.publishMany(payloads(5));
    expect(await readdir(join(dir, 'ready'))).toHaveLength(1);
    const deliveries: string[] = [];
    const c = new LocalConsumer({
      dir,
      logger: silentLogger,
      maxAttempts: 3,
      leaseMs: 5000,
      maxIdlePollMs: 20,
    });
    await consumeUntil(
      c,
      async (m) => {
        const id = sessionIdOf(m.body);
        deliveries.push(`${id}#${m.attempt}`);
        if (id === 'sess_2' && m.attempt === 1) throw new Error('warehouse blip');
      },
      () => deliveries.length === 6,
      { timeoutMs: 5000 },
    );
    expect(deliveries.sort()).toEqual([
      'sess_0#1',
      'sess_1#1',
      'sess_2#1',
      'sess_2#2',
      'sess_3#1',
      'sess_4#1',
    ]);
    expect(await c.spool.counts()).toEqual({ ready: 0, leased: 0, dead: 0 });
  });

  it('a batch file back from an expired lease is split into one file per message, attempts counted', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    await pub.publishMany(payloads(4));
    const crashed = new Spool(dir);
    const first = await crashed.claim(2, 100); // takes the file; acks one, then "dies"
    expect(first.map((e) => e.attempt)).toEqual([1, 1]);
    await crashed.ack(first[0]!);
    await new Promise((r) => setTimeout(r, 150));
    const next = new Spool(dir);
    expect(await next.reapExpired()).toBe(1);
    expect(await next.claim(10, 5000)).toEqual([]); // the split happens; nothing handed out yet
    expect((await readdir(join(dir, 'ready'))).length).toBe(4);
    const again = await next.claim(10, 5000);
    // At least once: the message acked before the crash comes again.
    expect(again.map((e) => `${sessionIdOf(e.body.toString('utf8'))}#${e.attempt}`).sort()).toEqual([
      'sess_0#2',
      'sess_1#2',
      'sess_2#2',
      'sess_3#2',
    ]);
    expect(again.every((e) => e.file.count === 1)).toBe(true);
  });

  it('a stopping consumer gives back the messages it claimed but never handed out, attempt not counted', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    await pub.publishMany(payloads(10));
    const c = new LocalConsumer({ dir, logger: silentLogger, maxAttempts: 3, leaseMs: 5000 });
    // Concurrency 1: the consumer holds the whole file, hands out one message, then stops.
    const seen = await consumeSessionIds(c, 1, { timeoutMs: 5000, concurrency: 1 });
    const left = await c.spool.counts();
    expect(left.leased).toBe(0);
    expect(left.ready).toBe(10 - seen.length);
    const rest = await new Spool(dir).claim(20, 5000);
    expect(rest).toHaveLength(10 - seen.length);
    expect(rest.every((e) => e.attempt === 1)).toBe(true);
  });

  it('delivers the intact messages of a damaged batch file and dead-letters the rest with the reason', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    await pub.publishMany(payloads(3));
    const [name] = await readdir(join(dir, 'ready'));
    const raw = await readFile(join(dir, 'ready', name!));
    const parsed = parseSpoolFile(raw);
    expect(parsed.records).toHaveLength(3);
    // Cut the file in the middle of the last message.
    await writeFile(join(dir, 'ready', name!), raw.subarray(0, raw.length - 100));
    const got = await new Spool(dir).claim(10, 5000);
    expect(got.map((e) => sessionIdOf(e.body.toString('utf8')))).toEqual(['sess_0', 'sess_1']);
    const reasons = (await readdir(join(dir, 'dead'))).filter((f) => f.endsWith('.reason.json'));
    expect(reasons).toHaveLength(1);
    expect(JSON.parse(await readFile(join(dir, 'dead', reasons[0]!), 'utf8'))).toMatchObject({
      reason: 'corrupt_spool_file',
      last_error: expect.stringMatching(/damaged message header at byte \d+/),
    });
  });

  it('still reads a file of the first format (one attribute line, then the body)', async () => {
    const spool = new Spool(dir);
    await spool.init();
    const body = JSON.stringify(payloads(1, 'old')[0]);
    await writeFile(spool.path('ready', '000000000-0000-old.2'), `{"session_id":"old_0"}\n${body}`);
    const [entry] = await spool.claim(1, 5000);
    expect(entry).toMatchObject({
      id: '000000000-0000-old',
      attempt: 3,
      attributes: { session_id: 'old_0' },
    });
    expect(entry!.body.toString('utf8')).toBe(body);
    expect(await spool.ack(entry!)).toBe(true);
    expect(await spool.counts()).toEqual({ ready: 0, leased: 0, dead: 0 });
  });
});

describe('leases of batch files', () => {
  it('a consumer keeps the lease of the file it holds while one message outlasts the lease', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    await pub.publishMany(payloads(3));
    const t = tracker();
    // Concurrency 1: A holds the whole file and handles one message at a time, each for longer
    // than a lease (so no claim of A's extends it meanwhile). Without A's heartbeat the file would
    // expire and B would take it, the message in A's hands included.
    const a = new LocalConsumer({ dir, logger: silentLogger, maxAttempts: 3, leaseMs: 600 });
    const b = new LocalConsumer({ dir, logger: silentLogger, maxAttempts: 3, leaseMs: 600 });
    const runA = a.run(
      t.wrap('a', async () => {}, 900),
      { concurrency: 1 },
    );
    await waitFor(() => t.inFlight.size === 1, 5000);
    const runB = b.run(t.wrap('b'), { concurrency: 4 });
    await waitFor(() => t.handled.size === 3, 10_000);
    await Promise.all([a.stop(), b.stop(), runA, runB]);
    expect(t.overlaps).toBe(0);
    expect([...t.handled.values()]).toEqual([1, 1, 1]);
    expect(t.byConsumer.get('b') ?? 0).toBe(0);
  });
});
