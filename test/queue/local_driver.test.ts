import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { DeadLetter, LocalConsumer, LocalPublisher } from '../../src/queue/index.js';
import { parseSessionPayload } from '../../src/schema/index.js';
import { bigPayload, consumeUntil, payloads, sessionIdOf, tracker, waitFor } from './helpers.js';

const execFileAsync = promisify(execFile);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const consumer = (o: { leaseMs?: number; maxAttempts?: number } = {}) =>
  new LocalConsumer({
    dir,
    logger: silentLogger,
    maxAttempts: o.maxAttempts ?? 3,
    leaseMs: o.leaseMs ?? 5000,
  });

describe('local driver', () => {
  it('publishes atomically into ready/, then consumes and acks (deletes) every message', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    for (const p of payloads(20)) expect((await pub.publish(p)).status).toBe('ok');
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect((await readdir(join(dir, 'ready'))).length).toBe(20);
    const t = tracker();
    const c = consumer();
    await consumeUntil(c, t.wrap('a'), () => t.handled.size === 20, { timeoutMs: 10_000 });
    expect(await c.spool.counts()).toEqual({ ready: 0, leased: 0, dead: 0 });
    expect([...t.handled.values()].every((n) => n === 1)).toBe(true);
  });

  it('rejects an invalid payload with a failed result and writes nothing', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    const bad = { ...payloads(1)[0], session_id: '' } as never;
    const r = await pub.publish(bad);
    expect(r.status).toBe('failed');
    if (r.status === 'failed') expect(r.error).toMatch(/session_id/);
    expect(await pub.spool.counts()).toEqual({ ready: 0, leased: 0, dead: 0 });
  });

  it('redelivers a message whose lease expired (consumer died) with the attempt counted', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    await pub.publish(payloads(1)[0]!);
    // A consumer that claims and then "dies": never acks, never extends.
    const dead = consumer({ leaseMs: 300 });
    const claimed = await dead.spool.claim(1, 300);
    expect(claimed[0]?.attempt).toBe(1);
    const attempts: number[] = [];
    const c = consumer({ leaseMs: 300 });
    await consumeUntil(
      c,
      async (m) => void attempts.push(m.attempt),
      () => attempts.length === 1,
      {
        timeoutMs: 5000,
      },
    );
    expect(attempts).toEqual([2]);
  });

  it('keeps a slow handler’s lease alive with heartbeats (no redelivery while in flight)', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    await pub.publish(payloads(1)[0]!);
    const t = tracker();
    // The handler outlives 2.5 leases. The lease is long enough (heartbeat every 500 ms) that an
    // event loop stalled for a few hundred ms by a loaded machine does not lose it.
    const a = consumer({ leaseMs: 1000 });
    const b = consumer({ leaseMs: 1000 });
    const slow = t.wrap('slow', async () => new Promise((r) => setTimeout(r, 2500)));
    const runA = a.run(slow);
    const runB = b.run(slow);
    await waitFor(() => t.handled.size === 1, 10_000);
    await new Promise((r) => setTimeout(r, 1000));
    await Promise.all([a.stop(), b.stop(), runA, runB]);
    expect(t.overlaps).toBe(0);
    expect(t.handled.get('sess_0')).toBe(1);
  });

  it('nacks a failing message, then moves it to dead/ with the reason after max attempts', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    await pub.publish(payloads(1)[0]!);
    const c = consumer({ maxAttempts: 3 });
    const seen: number[] = [];
    await consumeUntil(
      c,
      async (m) => {
        seen.push(m.attempt);
        throw new Error('warehouse down');
      },
      () => seen.length === 3,
      { timeoutMs: 5000 },
    );
    await waitFor(async () => (await c.spool.counts()).dead === 1, 2000);
    expect(seen).toEqual([1, 2, 3]);
    const files = (await readdir(join(dir, 'dead'))).sort();
    const reasonFile = files.find((f) => f.endsWith('.reason.json'))!;
    const reason = JSON.parse(await readFile(join(dir, 'dead', reasonFile), 'utf8'));
    expect(reason).toMatchObject({
      reason: 'max_attempts',
      attempts: 3,
      last_error: 'Error: warehouse down',
    });
    const body = await readFile(join(dir, 'dead', reasonFile.replace('.reason.json', '.json')), 'utf8');
    expect(parseSessionPayload(body).ok).toBe(true);
  });

  it('dead-letters immediately when the handler throws DeadLetter', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    await pub.publish(payloads(1)[0]!);
    const c = consumer();
    let calls = 0;
    await consumeUntil(
      c,
      async () => {
        calls += 1;
        throw new DeadLetter('schema_mismatch: turns[0].index');
      },
      () => calls === 1,
      { timeoutMs: 5000 },
    );
    await waitFor(async () => (await c.spool.counts()).dead === 1, 2000);
    const reasonFile = (await readdir(join(dir, 'dead'))).find((f) => f.endsWith('.reason.json'))!;
    const reason = JSON.parse(await readFile(join(dir, 'dead', reasonFile), 'utf8'));
    expect(reason).toMatchObject({
      reason: 'handler_dead_letter',
      attempts: 1,
      last_error: 'schema_mismatch: turns[0].index',
    });
    expect(calls).toBe(1);
  });

  it('shares the load between two consumers without handling one message twice at once', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger });
    await Promise.all(payloads(200).map((p) => pub.publish(p)));
    const t = tracker();
    const a = consumer();
    const b = consumer();
    const runs = [a.run(t.wrap('a'), { concurrency: 8 }), b.run(t.wrap('b'), { concurrency: 8 })];
    await waitFor(() => t.handled.size === 200, 15_000);
    await Promise.all([a.stop(), b.stop(), ...runs]);
    expect(t.overlaps).toBe(0);
    expect([...t.handled.values()].every((n) => n === 1)).toBe(true);
    expect(t.byConsumer.get('a')).toBeGreaterThan(0);
    expect(t.byConsumer.get('b')).toBeGreaterThan(0);
  });

  it('takes the gzip path, then the truncation path, when a limit is set; the consumer decodes', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger, maxMessageBytes: 64 * 1024 });
    const gz = await pub.publish(bigPayload('gz', 200_000, 'compressible'));
    const tr = await pub.publish(bigPayload('tr', 200_000, 'random'));
    expect(gz).toMatchObject({ status: 'ok', compressed: true, truncated: false });
    expect(tr).toMatchObject({ status: 'ok', truncated: true });
    const bodies = new Map<string, { body: string; attrs: Record<string, string> }>();
    const c = consumer();
    await consumeUntil(
      c,
      async (m) => void bodies.set(sessionIdOf(m.body), { body: m.body, attrs: { ...m.attributes } }),
      () => bodies.size === 2,
      {
        timeoutMs: 5000,
      },
    );
    const g = parseSessionPayload(bodies.get('gz')!.body);
    expect(bodies.get('gz')!.attrs['content_encoding']).toBe('gzip');
    expect(g.ok && g.payload.transcript?.[0]?.text.length).toBeGreaterThan(100_000);
    const t = parseSessionPayload(bodies.get('tr')!.body);
    expect(t.ok && t.payload.truncated).toEqual({ dropped: ['transcript'] });
  });

  it('two consumer processes on one spool never handle a message twice', async () => {
    const pub = new LocalPublisher({ dir, logger: silentLogger, fsync: false });
    const n = 600;
    const inflight = await mkdtemp(join(tmpdir(), 'inflight-'));
    const worker = join(import.meta.dirname, 'fixtures', 'spool_worker.ts');
    const outs = [
      join(inflight, '..', `out-a-${process.pid}.json`),
      join(inflight, '..', `out-b-${process.pid}.json`),
    ];
    const published = join(inflight, '..', `published-${process.pid}`);
    try {
      // Both processes are up and polling before the first message lands.
      const children = outs.map((out) =>
        execFileAsync(process.execPath, ['--import', 'tsx', worker, dir, inflight, out, published], {
          timeout: 90_000,
        }),
      );
      await waitFor(
        async () =>
          (
            await Promise.all(
              outs.map((o) =>
                stat(`${o}.ready`).then(
                  () => true,
                  () => false,
                ),
              ),
            )
          ).every(Boolean),
        60_000,
      );
      await Promise.all(payloads(n).map((p) => pub.publish(p)));
      await writeFile(published, '');
      await Promise.all(children);
      const results = await Promise.all(
        outs.map(
          async (o) => JSON.parse(await readFile(o, 'utf8')) as { handled: string[]; overlaps: number },
        ),
      );
      const all = results.flatMap((r) => r.handled);
      expect(results.map((r) => r.overlaps)).toEqual([0, 0]);
      expect(new Set(all).size).toBe(n);
      expect(all.length).toBe(n);
      expect(results.every((r) => r.handled.length > 0)).toBe(true);
    } finally {
      await rm(inflight, { recursive: true, force: true });
      await Promise.all(outs.flatMap((o) => [rm(o, { force: true }), rm(`${o}.ready`, { force: true })]));
      await rm(published, { force: true });
    }
  });
});
