/**
 * Parked deliveries: the ones that failed for good or ran out of retries, kept with everything
 * needed to understand and replay them. One entry per (destination, session): parking the same
 * pair again replaces the entry.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScoredSession } from '../types.js';

export interface ParkedEntry {
  /** `<destination>--<first 16 hex of sha256(session_id)>`: stable per (destination, session). */
  id: string;
  destination: string;
  session_id: string;
  error: string;
  response_body: string | null;
  attempts: number;
  /** ISO time of parking. */
  at: string;
  /** The scored session as it was delivered, so it can be replayed unchanged. */
  session: ScoredSession;
}

export type NewParkedEntry = Omit<ParkedEntry, 'id' | 'at'> & { at?: string };

export interface ParkedStore {
  park(entry: NewParkedEntry): Promise<ParkedEntry>;
  list(filter?: { destination?: string; session_id?: string }): Promise<ParkedEntry[]>;
  /** Returns false when there was no such entry. */
  remove(id: string): Promise<boolean>;
}

export function parkedEntryId(destination: string, sessionId: string): string {
  const safe = destination.replace(/[^A-Za-z0-9_.-]/g, '_');
  return `${safe}--${createHash('sha256').update(sessionId).digest('hex').slice(0, 16)}`;
}

const completeEntry = (e: NewParkedEntry): ParkedEntry => ({
  ...e,
  id: parkedEntryId(e.destination, e.session_id),
  at: e.at ?? new Date().toISOString(),
});

const matches = (e: ParkedEntry, f?: { destination?: string; session_id?: string }) =>
  (!f?.destination || e.destination === f.destination) && (!f?.session_id || e.session_id === f.session_id);

/** One JSON file per entry under `dir`, written atomically (temp file + rename). */
export class FileParkedStore implements ParkedStore {
  constructor(readonly dir: string) {}

  async park(entry: NewParkedEntry): Promise<ParkedEntry> {
    const full = completeEntry(entry);
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.${full.id}.${randomUUID()}.tmp`);
    await writeFile(tmp, JSON.stringify(full), 'utf8');
    await rename(tmp, join(this.dir, `${full.id}.json`));
    return full;
  }

  async list(filter?: { destination?: string; session_id?: string }): Promise<ParkedEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: ParkedEntry[] = [];
    for (const name of names) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      try {
        const e = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as ParkedEntry;
        if (matches(e, filter)) out.push(e);
      } catch {
        // a file removed or half-written by another process is skipped, never fatal
      }
    }
    return out.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  }

  async remove(id: string): Promise<boolean> {
    if (!/^[A-Za-z0-9_.-]+--[0-9a-f]{16}$/.test(id)) return false;
    try {
      await rm(join(this.dir, `${id}.json`));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }
}

/** In-memory store for tests and the demo. */
export class MemoryParkedStore implements ParkedStore {
  readonly entries = new Map<string, ParkedEntry>();

  async park(entry: NewParkedEntry): Promise<ParkedEntry> {
    const full = completeEntry(entry);
    this.entries.set(full.id, structuredClone(full));
    return full;
  }

  async list(filter?: { destination?: string; session_id?: string }): Promise<ParkedEntry[]> {
    return [...this.entries.values()].filter((e) => matches(e, filter)).map((e) => structuredClone(e));
  }

  async remove(id: string): Promise<boolean> {
    return this.entries.delete(id);
  }
}
