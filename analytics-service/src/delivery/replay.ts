/** Replays parked deliveries through their destinations; an entry is removed only once delivered. */
import type { Logger } from 'pino';
import { silentLogger } from '../../../src/log.js';
import type { Destination } from '../types.js';
import type { ParkedStore } from './parked_store.js';

export interface ReplayReport {
  delivered: { id: string; destination: string; session_id: string }[];
  failed: { id: string; destination: string; session_id: string; error: string }[];
  /** Entries whose destination is not configured in this process. */
  skipped: { id: string; destination: string; session_id: string; reason: string }[];
}

export async function replayParked(args: {
  store: ParkedStore;
  destinations: readonly Destination[];
  filter?: { destination?: string; session_id?: string };
  signal?: AbortSignal;
  log?: Logger;
}): Promise<ReplayReport> {
  const log = (args.log ?? silentLogger).child({ component: 'replay' });
  const signal = args.signal ?? new AbortController().signal;
  const report: ReplayReport = { delivered: [], failed: [], skipped: [] };
  for (const entry of await args.store.list(args.filter)) {
    const ref = { id: entry.id, destination: entry.destination, session_id: entry.session_id };
    if (signal.aborted) break;
    const dest = args.destinations.find((d) => d.name === entry.destination);
    if (!dest) {
      report.skipped.push({ ...ref, reason: `destination ${entry.destination} is not configured` });
      continue;
    }
    const result = await dest.deliver(entry.session, { signal });
    switch (result.status) {
      case 'ok':
        await args.store.remove(entry.id);
        report.delivered.push(ref);
        log.info({ ...ref }, 'parked delivery replayed');
        break;
      case 'retryable':
      case 'failed':
        report.failed.push({ ...ref, error: result.error });
        log.warn({ ...ref, error: result.error }, 'parked delivery still failing');
        break;
      default: {
        const never: never = result;
        throw new Error(`unknown delivery status ${JSON.stringify(never)}`);
      }
    }
  }
  return report;
}
