import { describe, expect, it } from 'vitest';
import { writeIsolatingRefused } from '../../src/pipeline/isolate_refused.js';
import { WarehouseDataError } from '../../src/warehouse/types.js';

/** A warehouse stand-in that refuses any write holding a "bad" item, and records every write. */
function refusing(
  bad: ReadonlySet<number>,
  err: (i: number) => Error = (i) => new WarehouseDataError(`bad value in ${i}`),
) {
  const writes: number[][] = [];
  const written: number[] = [];
  const write = async (items: readonly number[]) => {
    writes.push([...items]);
    const hit = items.find((i) => bad.has(i));
    if (hit !== undefined) throw err(hit);
    written.push(...items);
  };
  return { write, writes, written };
}

describe('writeIsolatingRefused', () => {
  it('writes a clean batch in one call', async () => {
    const w = refusing(new Set());
    expect(await writeIsolatingRefused([1, 2, 3], w.write)).toEqual([undefined, undefined, undefined]);
    expect(w.writes).toEqual([[1, 2, 3]]);
  });

  it('fails only the refused items; every other item is written once', async () => {
    const items = Array.from({ length: 16 }, (_, i) => i);
    const w = refusing(new Set([3, 11]));
    const errors = await writeIsolatingRefused(items, w.write);
    expect(errors.map((e, i) => (e ? `${i}: ${(e as Error).message}` : undefined)).filter(Boolean)).toEqual([
      '3: bad value in 3',
      '11: bad value in 11',
    ]);
    expect(errors[3]).toBeInstanceOf(WarehouseDataError);
    expect(w.written.sort((a, b) => a - b)).toEqual(items.filter((i) => i !== 3 && i !== 11));
    // Halving: 1 + 2 + 4 + 4 + 4 writes at most for two refused items out of 16.
    expect(w.writes.length).toBeLessThanOrEqual(15);
  });

  it('does not split on any other failure (a lost connection fails the whole batch, to be retried)', async () => {
    const w = refusing(new Set([2]), () => new Error('connection terminated'));
    const errors = await writeIsolatingRefused([1, 2, 3, 4], w.write);
    expect(errors.map((e) => (e as Error).message)).toEqual(Array(4).fill('connection terminated'));
    expect(w.writes).toHaveLength(1);
  });
});
