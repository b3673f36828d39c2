/**
 * Re-runs the post-call analysis on stored sessions (after a change of analysis config, model or
 * prompt): each session's payload is read back from the warehouse, analysed (a stored result of
 * the same config version is reused, so a second run costs nothing), re-priced and re-scored, and
 * its rows rewritten. Destinations are not re-sent: this updates the warehouse, the API and the
 * dashboard. Sessions are analysed one after another, each within ANALYSIS_TIMEOUT_MS.
 */
import { parseArgs } from 'node:util';
import { getSession } from '../api/session_queries.js';
import { buildScoredSession, type ScoringDeps } from '../scoring/build_scored_session.js';
import type { IntelligenceStatus } from '../types.js';
import type { Warehouse } from '../warehouse/types.js';
import type { CallAnalyser } from './analyse_call.js';

export interface ReanalyseOptions {
  warehouse: Warehouse;
  analyser: CallAnalyser;
  deps: ScoringDeps;
  /** Sessions that ended at or after this time. */
  since: Date;
  /** Only these sessions. */
  sessionIds?: readonly string[];
  onSession?: (r: { session_id: string; status: IntelligenceStatus; reused: boolean }) => void;
}

export interface ReanalyseReport {
  sessions: number;
  /** Answered by the cache (the same config version was already stored). */
  reused: number;
  byStatus: Partial<Record<IntelligenceStatus, number>>;
}

export async function reanalyse(opts: ReanalyseOptions): Promise<ReanalyseReport> {
  const params: unknown[] = [opts.since.toISOString()];
  let filter = '';
  if (opts.sessionIds && opts.sessionIds.length > 0) {
    filter = ` AND s.session_id IN (${opts.sessionIds.map((_, i) => `$${i + 2}`).join(', ')})`;
    params.push(...opts.sessionIds);
  }
  const rows = await opts.warehouse.query<{ session_id: string; version: string | null }>(
    `SELECT s.session_id, ci.analysis_config_version AS version FROM sessions s
     LEFT JOIN call_intelligence ci ON ci.session_id = s.session_id
     WHERE s.ended_at >= CAST($1 AS TIMESTAMPTZ)${filter} ORDER BY s.ended_at, s.session_id`,
    params,
  );
  const report: ReanalyseReport = { sessions: 0, reused: 0, byStatus: {} };
  for (const r of rows) {
    const detail = await getSession(opts.warehouse, r.session_id);
    if (!detail?.payload) continue;
    const intelligence = await opts.analyser.analyse(detail.payload);
    const reused = r.version === opts.analyser.configVersion && intelligence.config_version === r.version;
    await opts.warehouse.upsertSessions([buildScoredSession(detail.payload, opts.deps, intelligence)]);
    report.sessions++;
    if (reused) report.reused++;
    report.byStatus[intelligence.status] = (report.byStatus[intelligence.status] ?? 0) + 1;
    opts.onSession?.({ session_id: r.session_id, status: intelligence.status, reused });
  }
  return report;
}

const USAGE =
  'usage: npm run reanalyse -- --since <ISO time, e.g. 2026-11-01T00:00:00Z> [--session <session_id> …]';

/** The command's arguments, or an error that names the bad one. */
export function parseReanalyseArgs(
  args: readonly string[],
): { ok: true; since: Date; sessions: string[] } | { ok: false; error: string } {
  let values: { since?: string; session?: string[] };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { since: { type: 'string' }, session: { type: 'string', multiple: true } },
      strict: true,
    }));
  } catch (err) {
    return { ok: false, error: `${(err as Error).message}\n${USAGE}` };
  }
  if (!values.since) return { ok: false, error: `--since is required\n${USAGE}` };
  const since = new Date(values.since);
  if (Number.isNaN(since.getTime())) {
    return { ok: false, error: `--since: "${values.since}" is not a date or ISO time\n${USAGE}` };
  }
  return { ok: true, since, sessions: values.session ?? [] };
}
