/**
 * `/api/export.csv?kind=sessions|turns`: the warehouse table as CSV, streamed in keyset pages so a
 * large export never sits in memory. Sessions leave out the bulky `payload` column; contact fields
 * are exported as stored (under the warehouse's PII policy).
 */
import { SESSIONS, TURNS } from '../warehouse/rows.js';
import type { Warehouse } from '../warehouse/types.js';
import { csvRow } from './csv.js';
import { INTELLIGENCE_EXPORT_COLUMNS } from './intelligence_queries.js';
import { int, iso, Params, whereSessions } from './sql.js';

const PAGE_ROWS = 5000;

export const SESSION_EXPORT_COLUMNS = SESSIONS.columns
  .map(([n]) => n)
  .filter((n) => n !== 'payload' && n !== 'tabled_extras');
/** Sessions CSV: the session columns, then the post-call intelligence ones (`call_intelligence`). */
const SESSION_CSV_COLUMNS = [...SESSION_EXPORT_COLUMNS, ...INTELLIGENCE_EXPORT_COLUMNS];
export const TURN_EXPORT_COLUMNS = TURNS.columns.map(([n]) => n);
const TIME_COLUMNS = new Set(['started_at', 'ended_at', 'processed_at', 'updated_at']);

export interface ExportOptions {
  kind: 'sessions' | 'turns';
  from?: string | undefined;
  to?: string | undefined;
}

export async function* exportCsv(wh: Warehouse, opts: ExportOptions): AsyncGenerator<string> {
  const columns = opts.kind === 'sessions' ? SESSION_CSV_COLUMNS : TURN_EXPORT_COLUMNS;
  yield csvRow(columns);
  let after: unknown[] | null = null;
  for (;;) {
    const p = new Params();
    const keyset: string[] = [];
    if (after && opts.kind === 'sessions') {
      const [t, id] = [p.add(after[0]), p.add(after[1])];
      keyset.push(
        `(s.ended_at > CAST(${t} AS TIMESTAMPTZ) OR (s.ended_at = CAST(${t} AS TIMESTAMPTZ) AND s.session_id > ${id}))`,
      );
    } else if (after) {
      const [id, idx] = [p.add(after[0]), p.add(after[1])];
      keyset.push(`(t.session_id > ${id} OR (t.session_id = ${id} AND t.turn_index > ${idx}))`);
    }
    const where = whereSessions({ from: opts.from, to: opts.to }, p, 's', keyset);
    const sql =
      opts.kind === 'sessions'
        ? `SELECT ${SESSION_EXPORT_COLUMNS.map((c) => `s.${c}`).join(', ')}, ${INTELLIGENCE_EXPORT_COLUMNS.map((c) => `ci.${c}`).join(', ')}
           FROM sessions s LEFT JOIN call_intelligence ci ON ci.session_id = s.session_id ${where}
           ORDER BY s.ended_at, s.session_id LIMIT ${int(PAGE_ROWS)}`
        : `SELECT ${columns.map((c) => `t.${c}`).join(', ')} FROM turns t
           JOIN sessions s ON s.session_id = t.session_id ${where}
           ORDER BY t.session_id, t.turn_index LIMIT ${int(PAGE_ROWS)}`;
    const rows = await wh.query(sql, p.values);
    let chunk = '';
    for (const r of rows) chunk += csvRow(columns.map((c) => (TIME_COLUMNS.has(c) ? iso(r[c]) : r[c])));
    if (chunk) yield chunk;
    const last = rows[rows.length - 1];
    if (!last || rows.length < PAGE_ROWS) return;
    after =
      opts.kind === 'sessions' ? [iso(last.ended_at), last.session_id] : [last.session_id, last.turn_index];
  }
}
