import { describe, expect, it } from 'vitest';
import { MicroBatcher } from '../../src/pipeline/micro_batcher.js';

/** A writer whose calls stay open until the test finishes them, in any order. */
function heldWriter() {
  const calls: Array<{ items: number[]; finish: () => void; fail: (err: Error) => void }> = [];
  const write = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ items, finish: resolve, fail: reject });
    });
  return { calls, write };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('MicroBatcher', () => {
  it('writes one batch at a time by default; what arrives meanwhile is written when it commits', async () => {
    const { calls, write } = heldWriter();
    const b = new MicroBatcher<number>(write, { maxItems: 2, maxWaitMs: 1 });
    const done = [1, 2, 3, 4, 5].map((i) => b.add(i));
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1, 2]]);
    calls[0]?.finish();
    await done[1];
    await tick();
    expect(calls.map((c) => c.items)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    calls[1]?.finish();
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1, 2], [3, 4], [5]]);
    calls[2]?.finish();
    await Promise.all(done);
  });

  it('with two writes allowed, starts a second full batch beside the first, but not a partial one', async () => {
    const { calls, write } = heldWriter();
    const b = new MicroBatcher<number>(write, { maxItems: 2, maxWaitMs: 1, maxConcurrentWrites: 2 });
    const done = [1, 2, 3, 4, 5].map((i) => b.add(i));
    await new Promise((r) => setTimeout(r, 20));
    // 5 is past its wait, yet stays pending: a partial batch beside writes in flight would only be small.
    expect(calls.map((c) => c.items)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    let fifth = false;
    void done[4]?.then(() => {
      fifth = true;
    });
    // The second write commits first: its items resolve, the first's do not, and 5 still waits
    // beside the first write.
    calls[1]?.finish();
    await done[3];
    await tick();
    let firstDone = false;
    void done[0]?.then(() => {
      firstDone = true;
    });
    await tick();
    expect(firstDone).toBe(false);
    expect(calls).toHaveLength(2);
    calls[0]?.finish();
    await done[0];
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1, 2], [3, 4], [5]]);
    expect(fifth).toBe(false);
    calls[2]?.finish();
    await Promise.all(done);
    expect(fifth).toBe(true);
  });

  it('a failed write rejects only its own items', async () => {
    const { calls, write } = heldWriter();
    const b = new MicroBatcher<number>(write, { maxItems: 2, maxWaitMs: 1, maxConcurrentWrites: 2 });
    const done = [1, 2, 3, 4].map((i) =>
      b.add(i).then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    );
    await tick();
    calls[0]?.fail(new Error('disk full'));
    calls[1]?.finish();
    expect(await Promise.all(done)).toEqual(['disk full', 'disk full', 'ok', 'ok']);
  });

  it('a write that answers item by item rejects only the items it names', async () => {
    const b = new MicroBatcher<number>(
      async (items) => items.map((i) => (i % 2 === 0 ? new Error(`refused ${i}`) : undefined)),
      { maxItems: 4, maxWaitMs: 1 },
    );
    const done = [1, 2, 3, 4].map((i) =>
      b.add(i).then(
        () => 'ok',
        (e: Error) => e.message,
      ),
    );
    expect(await Promise.all(done)).toEqual(['ok', 'refused 2', 'ok', 'refused 4']);
  });

  it('drain writes what is pending and waits for every write in flight', async () => {
    const { calls, write } = heldWriter();
    const b = new MicroBatcher<number>(write, { maxItems: 10, maxWaitMs: 60_000, maxConcurrentWrites: 2 });
    const added = [b.add(1), b.add(2)];
    let drained = false;
    const draining = b.drain().then(() => {
      drained = true;
    });
    await tick();
    expect(calls.map((c) => c.items)).toEqual([[1, 2]]);
    expect(drained).toBe(false);
    calls[0]?.finish();
    await draining;
    await Promise.all(added);
    expect(b.size).toBe(0);
  });
});
