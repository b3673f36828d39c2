/**
 * Retention: deletes sessions that ended more than N days ago, with their turns, tool calls,
 * signals, lead and delivery rows. Children go first, so an interrupted run leaves no orphans
 * and the next run finishes the job. Runs on demand (`POST /api/retention`) and on a timer.
 */
import type { Logger } from '../../../src/log.js';
import type { Warehouse } from '../warehouse/types.js';
import { num } from './sql.js';

const CHILD_TABLES = [
  'turns',
  'tool_calls',
  'signals',
  'leads',
  'deliveries',
  'call_intelligence',
  'prospect_sentiment',
  'session_errors',
] as const;

export interface RetentionResult {
  days: number;
  cutoff: string;
  sessions_deleted: number;
}

export async function applyRetention(
  wh: Warehouse,
  days: number,
  now = new Date(),
): Promise<RetentionResult> {
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
  const old = 'SELECT session_id FROM sessions WHERE ended_at < CAST($1 AS TIMESTAMPTZ)';
  const counted = await wh.query(`SELECT count(*) AS n FROM (${old}) o`, [cutoff]);
  const n = num(counted[0]?.n) ?? 0;
  if (n > 0) {
    for (const table of CHILD_TABLES) {
      await wh.query(`DELETE FROM ${table} WHERE session_id IN (${old})`, [cutoff]);
    }
    await wh.query('DELETE FROM sessions WHERE ended_at < CAST($1 AS TIMESTAMPTZ)', [cutoff]);
  }
  return { days, cutoff, sessions_deleted: n };
}

export interface RetentionTimer {
  stop(): void;
}

/** Runs retention every `everyMs` (first run after `everyMs`); failures are logged, never thrown. */
export function scheduleRetention(
  wh: Warehouse,
  opts: { days: number; everyMs: number; log: Logger },
): RetentionTimer {
  const log = opts.log.child({ component: 'retention' });
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    applyRetention(wh, opts.days)
      .then((r) => log.info({ days: r.days, deleted: r.sessions_deleted }, 'retention applied'))
      .catch((err: unknown) => log.error({ err }, 'retention failed'))
      .finally(() => {
        running = false;
      });
  }, opts.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
