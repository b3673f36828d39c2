import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  FileParkedStore,
  MemoryParkedStore,
  parkedEntryId,
  replayParked,
  withRetry,
} from '../../src/delivery/index.js';
import type { DeliveryResult, Destination } from '../../src/types.js';
import { recordingSleep, scoredSample, signal } from '../destinations/fixtures.js';

const session = scoredSample();

/** A destination answering the scripted results in order (the last one repeats). */
function scripted(name: string, results: (DeliveryResult | Error)[]): Destination & { calls: number } {
  const d = {
    name,
    calls: 0,
    async deliver() {
      const r = results[Math.min(d.calls, results.length - 1)]!;
      d.calls++;
      if (r instanceof Error) throw r;
      return r;
    },
  };
  return d;
}
const retryable = (retryInMs?: number): DeliveryResult => ({
  status: 'retryable',
  error: 'HTTP 503',
  retryInMs,
});

describe('withRetry', () => {
  it('backs off exponentially with jitter in [0.5, 1) of base·2^(n-1), capped', () => {
    expect(backoffMs(1, { baseDelayMs: 100 }, () => 0)).toBe(50);
    expect(backoffMs(3, { baseDelayMs: 100 }, () => 0.999)).toBe(400);
    expect(backoffMs(20, { baseDelayMs: 100, maxDelayMs: 1000 }, () => 0)).toBe(500);
  });

  it('stops after maxAttempts and parks with the last error', async () => {
    const d = scripted('crm', [retryable()]);
    const parked = new MemoryParkedStore();
    const { delays, sleep } = recordingSleep();
    const r = await withRetry(d, {
      maxAttempts: 3,
      deadlineMs: 60_000,
      baseDelayMs: 100,
      sleep,
      parked,
      random: () => 0,
    }).deliverWithReport(session, { signal: signal() });
    expect(d.calls).toBe(3);
    expect(delays).toEqual([50, 100]);
    expect(r.result).toEqual({ status: 'failed', error: 'parked after 3 attempts: HTTP 503' });
    expect(r.parked).toMatchObject({
      destination: 'crm',
      session_id: session.session_id,
      attempts: 3,
      error: 'HTTP 503',
    });
  });

  it('stops before a wait that would pass the deadline', async () => {
    const d = scripted('crm', [retryable(30_000)]);
    const { delays, sleep } = recordingSleep();
    const r = await withRetry(d, {
      maxAttempts: 10,
      deadlineMs: 10_000,
      baseDelayMs: 100,
      sleep,
      parked: new MemoryParkedStore(),
    }).deliverWithReport(session, { signal: signal() });
    expect(d.calls).toBe(1);
    expect(delays).toEqual([]);
    expect(r.parked?.attempts).toBe(1);
  });

  it('honours retryInMs over a shorter backoff', async () => {
    const d = scripted('crm', [retryable(5000), { status: 'ok' }]);
    const { delays, sleep } = recordingSleep();
    await withRetry(d, { maxAttempts: 3, deadlineMs: 60_000, baseDelayMs: 10, sleep }).deliver(session, {
      signal: signal(),
    });
    expect(delays).toEqual([5000]);
  });

  it('a thrown destination error counts as retryable, not lost', async () => {
    const d = scripted('crm', [new Error('bug'), { status: 'ok' }]);
    const { sleep } = recordingSleep();
    const r = await withRetry(d, {
      maxAttempts: 3,
      deadlineMs: 60_000,
      baseDelayMs: 10,
      sleep,
    }).deliverWithReport(session, {
      signal: signal(),
    });
    expect(r).toMatchObject({ result: { status: 'ok' }, attempts: 2 });
  });

  it('without a store the last result is returned as is', async () => {
    const d = scripted('crm', [retryable()]);
    const { sleep } = recordingSleep();
    const r = await withRetry(d, { maxAttempts: 2, deadlineMs: 60_000, baseDelayMs: 10, sleep }).deliver(
      session,
      {
        signal: signal(),
      },
    );
    expect(r).toEqual(retryable());
  });

  it('an aborted delivery is not parked (the queue will redeliver it)', async () => {
    const ac = new AbortController();
    const d = scripted('crm', [retryable()]);
    const parked = new MemoryParkedStore();
    const sleep = async () => ac.abort();
    const r = await withRetry(d, {
      maxAttempts: 5,
      deadlineMs: 60_000,
      baseDelayMs: 10,
      sleep,
      parked,
    }).deliverWithReport(session, { signal: ac.signal });
    expect(r.parked).toBeNull();
    expect(await parked.list()).toEqual([]);
    expect(r.result.status).toBe('retryable');
  });
});

describe('FileParkedStore', () => {
  it('parks one file per (destination, session), lists, replaces and removes', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'parked-')), 'parked');
    const store = new FileParkedStore(dir);
    expect(await store.list()).toEqual([]);
    const base = {
      destination: 'hubspot',
      session_id: session.session_id,
      error: 'HTTP 400',
      response_body: '{"x":1}',
      session,
    };
    const a = await store.park({ ...base, attempts: 1, at: '2026-11-20T15:00:00.000Z' });
    expect(a.id).toBe(parkedEntryId('hubspot', session.session_id));
    await store.park({ ...base, attempts: 2, at: '2026-11-20T15:01:00.000Z' });
    await store.park({ ...base, destination: 'webhook', attempts: 5, at: '2026-11-20T14:00:00.000Z' });
    writeFileSync(join(dir, 'garbage.json'), '{');
    const all = await store.list();
    expect(all.map((e) => [e.destination, e.attempts])).toEqual([
      ['webhook', 5],
      ['hubspot', 2],
    ]);
    expect(all[1]?.session.score.tier).toBe(session.score.tier);
    expect(await store.list({ destination: 'hubspot' })).toHaveLength(1);
    expect(await store.remove(a.id)).toBe(true);
    expect(await store.remove(a.id)).toBe(false);
    expect(await store.remove('../../etc/passwd')).toBe(false);
    expect((await store.list()).map((e) => e.destination)).toEqual(['webhook']);
  });
});

describe('replayParked', () => {
  it('removes what it delivers, keeps what still fails, skips unconfigured destinations', async () => {
    const store = new MemoryParkedStore();
    const base = {
      session_id: session.session_id,
      error: 'HTTP 400',
      response_body: null,
      attempts: 1,
      session,
    };
    await store.park({ ...base, destination: 'good' });
    await store.park({ ...base, destination: 'bad' });
    await store.park({ ...base, destination: 'gone' });
    const report = await replayParked({
      store,
      destinations: [
        scripted('good', [{ status: 'ok' }]),
        scripted('bad', [{ status: 'failed', error: 'HTTP 400' }]),
      ],
    });
    expect(report.delivered.map((r) => r.destination)).toEqual(['good']);
    expect(report.failed).toEqual([expect.objectContaining({ destination: 'bad', error: 'HTTP 400' })]);
    expect(report.skipped).toEqual([expect.objectContaining({ destination: 'gone' })]);
    expect((await store.list()).map((e) => e.destination).sort()).toEqual(['bad', 'gone']);
  });
});
