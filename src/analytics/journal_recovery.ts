/**
 * Recovers the journals of calls whose process died: for each journal whose owner pid is gone
 * and that is older than `minAgeMs`, rebuild the payload by replaying its events into the same
 * recorder (end reason `recovered`), publish it, and delete the journal (kept if publish fails).
 * A journal that ended with a finished payload (publish had failed) is sent as it was.
 * A torn last line is ignored. A journal is claimed by renaming it first, so two recovering
 * processes never send the same one.
 */
import { readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type Logger, silentLogger } from '../log.js';
import type { SessionPayload } from '../schema/session_payload.js';
import type { JournalHeader, RecordedEvent } from './events.js';
import { JOURNAL_SUFFIX, type JournalEnd } from './journal.js';
import { buildPayload, type PublishFn, publishFailed } from './payload.js';
import { SessionRecorder } from './recorder.js';

export interface RecoverJournalsOptions {
  dir: string;
  publish: PublishFn;
  /** Only journals not modified for this long. Default 30 000 ms. */
  minAgeMs?: number;
  logger?: Logger;
  clock?: { now(): number };
  /** Whether a pid is alive. Default `process.kill(pid, 0)`. */
  isAlive?: (pid: number) => boolean;
}

export interface RecoverResult {
  /** Session ids published. */
  recovered: string[];
  /** Journals left alone, and why (`owner_alive`, `too_recent`, `claimed`). */
  skipped: { file: string; reason: string }[];
  /** Journals kept because they could not be read or published. */
  failed: { file: string; reason: string }[];
}

const CLAIMED = /\.claimed-(\d+)$/;

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function recoverJournals(opts: RecoverJournalsOptions): Promise<RecoverResult> {
  const log = (opts.logger ?? silentLogger).child({ component: 'analytics_recovery' });
  const isAlive = opts.isAlive ?? pidAlive;
  const now = (opts.clock ?? Date).now();
  const minAgeMs = opts.minAgeMs ?? 30_000;
  const out: RecoverResult = { recovered: [], skipped: [], failed: [] };
  let names: string[];
  try {
    names = await readdir(opts.dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  for (const name of names.sort()) {
    const m = CLAIMED.exec(name);
    const claimedBy = m?.[1];
    const base = m ? name.slice(0, m.index) : name;
    if (!base.endsWith(JOURNAL_SUFFIX)) continue;
    if (claimedBy && isAlive(Number(claimedBy))) {
      out.skipped.push({ file: name, reason: 'claimed' });
      continue;
    }
    const path = join(opts.dir, name);
    try {
      const st = await stat(path);
      if (now - st.mtimeMs < minAgeMs) {
        out.skipped.push({ file: name, reason: 'too_recent' });
        continue;
      }
      const text = await readFile(path, 'utf8');
      const parsed = parseJournal(text);
      if (!parsed) {
        out.failed.push({ file: name, reason: 'no_header' });
        log.warn({ file: name }, 'journal has no readable header, kept');
        continue;
      }
      if (isAlive(parsed.header.pid)) {
        out.skipped.push({ file: name, reason: 'owner_alive' });
        continue;
      }
      const claimed = join(opts.dir, `${base}.claimed-${process.pid}`);
      await rename(path, claimed);
      const payload = parsed.end ?? replay(parsed.header, parsed.events, st.mtimeMs, log);
      let failure: string | undefined;
      try {
        failure = publishFailed(await opts.publish(payload));
      } catch (err) {
        log.warn({ err, file: name }, 'recovered payload publish threw');
        failure = 'publish threw';
      }
      if (failure !== undefined) {
        await rename(claimed, join(opts.dir, base)).catch(() => undefined);
        out.failed.push({ file: name, reason: `publish: ${failure}` });
        continue;
      }
      await unlink(claimed).catch(() => undefined);
      out.recovered.push(payload.session_id);
      log.info(
        { sessionId: payload.session_id, badLines: parsed.badLines },
        'journal recovered and published',
      );
    } catch (err) {
      out.failed.push({ file: name, reason: 'io' });
      log.warn({ err, file: name }, 'journal recovery failed, kept');
    }
  }
  return out;
}

interface ParsedJournal {
  header: JournalHeader;
  events: RecordedEvent[];
  end?: SessionPayload;
  badLines: number;
}

export function parseJournal(text: string): ParsedJournal | undefined {
  const lines = text.split('\n');
  let header: JournalHeader | undefined;
  const events: RecordedEvent[] = [];
  let end: SessionPayload | undefined;
  let badLines = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    let obj: { k?: unknown };
    try {
      obj = JSON.parse(line);
    } catch {
      badLines += 1; // a torn last line after a crash
      continue;
    }
    if (!header) {
      if (obj.k !== 'header') return undefined;
      header = obj as JournalHeader;
    } else if (obj.k === 'end') {
      end = (obj as JournalEnd).payload;
    } else {
      events.push(obj as RecordedEvent);
    }
  }
  if (!header) return undefined;
  return { header, events, badLines, ...(end ? { end } : {}) };
}

function replay(
  header: JournalHeader,
  events: RecordedEvent[],
  mtimeMs: number,
  log: Logger,
): SessionPayload {
  const recorder = new SessionRecorder({
    sessionId: header.session_id,
    agent: header.agent,
    startedAt: header.started_at,
    pii: header.pii,
    transcripts: header.transcripts,
    room: header.room,
    participant: header.participant,
    ...(header.labels ? { labels: header.labels } : {}),
    ...(header.lead_tools ? { leadTools: header.lead_tools } : {}),
  });
  let last = header.started_at;
  for (const ev of events) {
    try {
      recorder.apply(ev);
      if (typeof ev.at === 'number' && ev.at > last) last = ev.at;
    } catch {
      recorder.noteHandlerError('replay', last);
    }
  }
  return buildPayload(recorder, { endedAt: Math.max(last, mtimeMs), endReason: 'recovered' }, log);
}
