/**
 * Alerts in the warehouse `alerts` table (migration 7), on DuckDB and PostgreSQL alike: the
 * engine reads the open ones back at start, so a worker restart keeps them (and does not notify
 * them again).
 */
import { iso, num, str } from '../api/sql.js';
import type { Row, Warehouse } from '../warehouse/types.js';
import type { Unit } from './rules.js';

export type AlertState = 'firing' | 'resolved';

export interface Alert {
  alert_id: string;
  rule_id: string;
  rule_kind: string;
  subject: string;
  severity: 'warning' | 'critical';
  state: AlertState;
  fired_at: string;
  resolved_at: string | null;
  updated_at: string;
  /** When the firing was notified; null when a cooldown (or no notifier) kept it quiet. */
  notified_at: string | null;
  /** Times it fired again within the cooldown after resolving (reopened, not notified again). */
  flaps: number;
  /** The latest figure and threshold (for a firing alert: as last evaluated; resolved: as it cleared). */
  figure: number | null;
  threshold: number | null;
  window_from: string | null;
  window_to: string | null;
  evidence: {
    unit: Unit;
    summary: string;
    resolve_at: number | null;
    /** The figure and window that made it fire. */
    fired_with: { figure: number | null; threshold: number | null; window: { from: string; to: string } };
    [k: string]: unknown;
  };
  message: string;
}

const COLUMNS = [
  'alert_id',
  'rule_id',
  'rule_kind',
  'subject',
  'severity',
  'state',
  'fired_at',
  'resolved_at',
  'updated_at',
  'notified_at',
  'flaps',
  'figure',
  'threshold',
  'window_from',
  'window_to',
  'evidence',
  'message',
] as const;

const TS = new Set(['fired_at', 'resolved_at', 'updated_at', 'notified_at', 'window_from', 'window_to']);

function fromRow(r: Row): Alert {
  let evidence: Alert['evidence'];
  try {
    evidence = JSON.parse(String(r.evidence));
  } catch {
    evidence = {
      unit: 'count',
      summary: '',
      resolve_at: null,
      fired_with: { figure: null, threshold: null, window: { from: '', to: '' } },
    };
  }
  return {
    alert_id: String(r.alert_id),
    rule_id: String(r.rule_id),
    rule_kind: String(r.rule_kind),
    subject: String(r.subject),
    severity: r.severity === 'critical' ? 'critical' : 'warning',
    state: r.state === 'firing' ? 'firing' : 'resolved',
    fired_at: iso(r.fired_at) ?? '',
    resolved_at: iso(r.resolved_at),
    updated_at: iso(r.updated_at) ?? '',
    notified_at: iso(r.notified_at),
    flaps: num(r.flaps) ?? 0,
    figure: num(r.figure),
    threshold: num(r.threshold),
    window_from: iso(r.window_from),
    window_to: iso(r.window_to),
    evidence,
    message: str(r.message) ?? '',
  };
}

export class AlertStore {
  constructor(private readonly wh: Warehouse) {}

  /** Inserts or replaces one alert (keyed on alert_id). */
  async save(a: Alert): Promise<void> {
    const placeholders = COLUMNS.map((c, i) => (TS.has(c) ? `CAST($${i + 1} AS TIMESTAMPTZ)` : `$${i + 1}`));
    const values = COLUMNS.map((c) => (c === 'evidence' ? JSON.stringify(a.evidence) : a[c]));
    const updates = COLUMNS.filter((c) => c !== 'alert_id').map((c) => `${c} = EXCLUDED.${c}`);
    await this.wh.query(
      `INSERT INTO alerts (${COLUMNS.join(', ')}) VALUES (${placeholders.join(', ')})
       ON CONFLICT (alert_id) DO UPDATE SET ${updates.join(', ')}`,
      values,
    );
  }

  async open(): Promise<Alert[]> {
    const rows = await this.wh.query(`SELECT * FROM alerts WHERE state = 'firing' ORDER BY fired_at`);
    return rows.map(fromRow);
  }

  /** The latest resolved alert of each rule and subject (for the cooldown after a restart). */
  async lastResolved(): Promise<Alert[]> {
    const rows = await this.wh.query(
      `SELECT a.* FROM alerts a JOIN (
         SELECT rule_id, subject, max(resolved_at) AS r FROM alerts WHERE state = 'resolved' GROUP BY rule_id, subject
       ) l ON l.rule_id = a.rule_id AND l.subject = a.subject AND l.r = a.resolved_at`,
    );
    return rows.map(fromRow);
  }

  /** Firing first (most recent first), then resolved by resolve time, newest first. */
  async list(opts: { state: AlertState | 'all'; limit: number }): Promise<Alert[]> {
    const where =
      opts.state === 'all' ? '' : `WHERE state = '${opts.state === 'firing' ? 'firing' : 'resolved'}'`;
    const limit = Math.max(1, Math.min(500, Math.floor(opts.limit)));
    const rows = await this.wh.query(
      `SELECT * FROM alerts ${where}
       ORDER BY CASE WHEN state = 'firing' THEN 0 ELSE 1 END, coalesce(resolved_at, fired_at) DESC, alert_id
       LIMIT ${limit}`,
    );
    return rows.map(fromRow);
  }
}
