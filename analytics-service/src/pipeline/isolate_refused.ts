/**
 * One session the warehouse refuses must not fail the sessions batched with it: they would be
 * redelivered together, meet again in a batch, and be dead-lettered with it after their attempts
 * ran out. When a batch write fails with a `WarehouseDataError` (the rows themselves, not the
 * connection), the batch is split in halves and each half written on its own, down to the
 * refused sessions: about 2·log2(n) more writes per refused session, in a batch of n.
 */
import { WarehouseDataError } from '../warehouse/types.js';

/**
 * Writes `items` with `write`, isolating refused items. Resolves to an error per item, in order
 * (`undefined`: written). Any other failure fails every item of the write that hit it.
 */
export async function writeIsolatingRefused<T>(
  items: readonly T[],
  write: (items: readonly T[]) => Promise<void>,
): Promise<unknown[]> {
  try {
    await write(items);
    return items.map(() => undefined);
  } catch (err) {
    if (!(err instanceof WarehouseDataError) || items.length <= 1) return items.map(() => err);
    const half = Math.ceil(items.length / 2);
    const first = await writeIsolatingRefused(items.slice(0, half), write);
    const second = await writeIsolatingRefused(items.slice(half), write);
    return [...first, ...second];
  }
}
