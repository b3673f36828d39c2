/** Callback requests, kept in `callbacks.json` under the agent's data dir. */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '../calendar/local_calendar.js';

export interface CallbackRequest {
  id: string;
  phone: string;
  /** As the prospect said it (free text or ISO), when given. */
  requestedTime?: string;
  /** Parsed instant, when `requestedTime` was an ISO date-time. */
  requestedAt?: string;
  timeZone?: string;
  name?: string;
  createdAt: string;
  metadata: Record<string, string>;
}

export class CallbackStore {
  readonly path: string;
  #lock: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.path = join(dataDir, 'callbacks.json');
  }

  add(req: Omit<CallbackRequest, 'id' | 'createdAt'>, now = new Date()): Promise<CallbackRequest> {
    const run = this.#lock.then(async () => {
      const all = await this.list();
      const entry: CallbackRequest = { id: `cb_${randomUUID()}`, createdAt: now.toISOString(), ...req };
      await writeAtomic(this.path, `${JSON.stringify([...all, entry], null, 2)}\n`);
      return entry;
    });
    this.#lock = run.catch(() => undefined);
    return run;
  }

  async list(): Promise<CallbackRequest[]> {
    try {
      const data = JSON.parse(await readFile(this.path, 'utf8')) as unknown;
      return Array.isArray(data) ? (data as CallbackRequest[]) : [];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}
