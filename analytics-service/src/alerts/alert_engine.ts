/**
 * The alert engine: every `evaluate_every_s` it evaluates each enabled rule (`rules.ts`) and moves
 * its alert between states:
 *
 *   (none) ──breach──▶ firing ──clear──▶ resolved
 *                        ▲                  │ breach within cooldown_minutes: reopened (flaps + 1),
 *                        └──────────────────┘ not notified again
 *
 * - Deduplicated: one alert per rule and subject while it fires; later breaches update its latest
 *   figure, they do not notify again.
 * - Hysteresis: a firing alert resolves only when the figure is back past its resolve level
 *   (`resolve_ratio`); in between (or without enough data) it stays as it is.
 * - Persisted in the warehouse `alerts` table before anyone is notified; read back at start, so
 *   a restart keeps open alerts (and does not notify them twice).
 * - Notified (fired, and resolved when the firing was notified) to every notifier.
 * Evaluations never overlap; a rule that fails to evaluate is logged and keeps its state.
 */
import { type Logger, silentLogger } from '../../../src/log.js';
import type { Slas } from '../analysis/index.js';
import type { ErrorThresholds } from '../errors/error_rates.js';
import type { Warehouse } from '../warehouse/types.js';
import { type AlertConfig, type AlertRule, errorThresholds } from './alert_config.js';
import { type Alert, AlertStore } from './alert_store.js';
import type { AlertEvent, AlertNotifier } from './notifiers.js';
import { type DeadLetterCounter, evaluateRule, type Observation } from './rules.js';

export interface AlertEngineOptions {
  warehouse: Warehouse;
  config: AlertConfig;
  slas: Slas;
  deadLetters: DeadLetterCounter;
  notifiers?: readonly AlertNotifier[];
  log?: Logger;
  now?: () => Date;
  /** Told of each notifier's answer (metrics). */
  onNotified?: (notifier: string, event: AlertEvent, ok: boolean) => void;
}

export interface EvaluationReport {
  at: string;
  fired: string[];
  resolved: string[];
  reopened: string[];
  failed: Array<{ rule_id: string; error: string }>;
}

const key = (ruleId: string, subject: string) => `${ruleId}\u0000${subject}`;

export class AlertEngine {
  readonly store: AlertStore;
  readonly thresholds: ErrorThresholds;
  readonly #open = new Map<string, Alert>();
  readonly #lastResolved = new Map<string, Alert>();
  readonly #log: Logger;
  readonly #now: () => Date;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<EvaluationReport> | undefined;
  #last: EvaluationReport | undefined;

  private constructor(private readonly opts: AlertEngineOptions) {
    this.store = new AlertStore(opts.warehouse);
    this.thresholds = errorThresholds(opts.config);
    this.#log = (opts.log ?? silentLogger).child({ component: 'alerts' });
    this.#now = opts.now ?? (() => new Date());
  }

  /** Loads the open alerts (and the cooldowns) from the warehouse. Does not start the timer. */
  static async open(opts: AlertEngineOptions): Promise<AlertEngine> {
    const e = new AlertEngine(opts);
    const [open, resolved] = await Promise.all([e.store.open(), e.store.lastResolved()]);
    for (const a of open) e.#open.set(key(a.rule_id, a.subject), a);
    for (const a of resolved) e.#lastResolved.set(key(a.rule_id, a.subject), a);
    return e;
  }

  /** Evaluates every `evaluate_every_s` (first run at once) until `stop()`. */
  start(): void {
    if (this.#timer) return;
    const tick = () => {
      this.evaluate().catch((err: unknown) =>
        this.#log.error({ err: (err as Error)?.message }, 'alert evaluation failed'),
      );
    };
    this.#timer = setInterval(tick, this.opts.config.evaluate_every_s * 1000);
    this.#timer.unref();
    tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  get lastEvaluation(): EvaluationReport | undefined {
    return this.#last;
  }

  /** One pass over every enabled rule; a pass already running is awaited instead of doubled. */
  evaluate(): Promise<EvaluationReport> {
    this.#running ??= this.#evaluate().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  rules(): Array<Pick<AlertRule, 'id' | 'kind' | 'severity' | 'enabled'>> {
    return this.opts.config.rules.map((r) => ({
      id: r.id,
      kind: r.kind,
      severity: r.severity,
      enabled: r.enabled,
    }));
  }

  list(opts: { state: 'firing' | 'resolved' | 'all'; limit: number }): Promise<Alert[]> {
    return this.store.list(opts);
  }

  /** The alerts firing now (from memory; the same as the warehouse's). */
  firing(): Alert[] {
    return [...this.#open.values()];
  }

  async #evaluate(): Promise<EvaluationReport> {
    const now = this.#now();
    const report: EvaluationReport = {
      at: now.toISOString(),
      fired: [],
      resolved: [],
      reopened: [],
      failed: [],
    };
    const ctx = {
      warehouse: this.opts.warehouse,
      now,
      slas: this.opts.slas,
      thresholds: this.thresholds,
      deadLetters: this.opts.deadLetters,
    };
    for (const rule of this.opts.config.rules) {
      if (!rule.enabled) continue;
      try {
        const obs = await evaluateRule(rule, ctx);
        await this.#apply(rule, obs, now, report);
      } catch (err) {
        const error = (err as Error)?.message ?? String(err);
        report.failed.push({ rule_id: rule.id, error });
        this.#log.warn({ rule: rule.id, err: error }, 'alert rule evaluation failed');
      }
    }
    this.#last = report;
    return report;
  }

  async #apply(rule: AlertRule, obs: Observation, now: Date, report: EvaluationReport): Promise<void> {
    const k = key(rule.id, obs.subject);
    const open = this.#open.get(k);
    const at = now.toISOString();
    const latest = {
      figure: obs.figure,
      threshold: obs.threshold,
      window_from: obs.window.from,
      window_to: obs.window.to,
      updated_at: at,
    };
    if (obs.status === 'breach') {
      if (open) {
        await this.#save(k, {
          ...open,
          ...latest,
          evidence: { ...open.evidence, latest: obs.evidence, summary: obs.summary },
        });
        return;
      }
      // Another worker on the same warehouse may have fired it since: adopt theirs.
      const theirs = (await this.store.open()).find((a) => key(a.rule_id, a.subject) === k);
      if (theirs) {
        await this.#save(k, { ...theirs, ...latest });
        return;
      }
      const last = this.#lastResolved.get(k);
      const cooldownMs = this.opts.config.cooldown_minutes * 60_000;
      if (last?.resolved_at && now.getTime() - Date.parse(last.resolved_at) < cooldownMs) {
        const reopened: Alert = {
          ...last,
          ...latest,
          state: 'firing',
          resolved_at: null,
          flaps: last.flaps + 1,
          // Its resolution will not be announced either: people were told it resolved.
          notified_at: null,
          message: obs.summary,
          evidence: {
            ...last.evidence,
            latest: obs.evidence,
            summary: obs.summary,
            resolve_at: obs.resolve_at,
          },
        };
        await this.#save(k, reopened);
        report.reopened.push(reopened.alert_id);
        this.#log.info(
          { alert: reopened.alert_id },
          'alert fired again within its cooldown: reopened, not notified',
        );
        return;
      }
      const alert: Alert = {
        alert_id: `${rule.id}:${obs.subject}:${now.getTime()}`,
        rule_id: rule.id,
        rule_kind: rule.kind,
        subject: obs.subject,
        severity: rule.severity,
        state: 'firing',
        fired_at: at,
        resolved_at: null,
        notified_at: null,
        flaps: 0,
        ...latest,
        evidence: {
          ...obs.evidence,
          unit: obs.unit,
          summary: obs.summary,
          resolve_at: obs.resolve_at,
          fired_with: { figure: obs.figure, threshold: obs.threshold, window: obs.window },
        },
        message: obs.summary,
      };
      await this.#save(k, alert);
      report.fired.push(alert.alert_id);
      this.#log.warn({ alert: alert.alert_id, figure: obs.figure, threshold: obs.threshold }, 'alert fired');
      if (await this.#notify('fired', alert)) await this.#save(k, { ...alert, notified_at: at });
      return;
    }
    if (!open) return;
    if (obs.status === 'hold') {
      await this.#save(k, {
        ...open,
        ...latest,
        evidence: { ...open.evidence, latest: obs.evidence, summary: obs.summary },
      });
      return;
    }
    const resolved: Alert = {
      ...open,
      ...latest,
      state: 'resolved',
      resolved_at: at,
      evidence: { ...open.evidence, latest: obs.evidence, summary: obs.summary },
    };
    this.#open.delete(k);
    this.#lastResolved.set(k, resolved);
    await this.store.save(resolved);
    report.resolved.push(resolved.alert_id);
    this.#log.info({ alert: resolved.alert_id }, 'alert resolved');
    if (resolved.notified_at) await this.#notify('resolved', resolved);
  }

  async #save(k: string, a: Alert): Promise<void> {
    await this.store.save(a);
    if (a.state === 'firing') this.#open.set(k, a);
  }

  /** True when at least one notifier took it. */
  async #notify(event: AlertEvent, alert: Alert): Promise<boolean> {
    const notifiers = this.opts.notifiers ?? [];
    if (notifiers.length === 0) return false;
    const results = await Promise.all(
      notifiers.map(async (n) => {
        const r = await n.notify(event, alert).catch((err: unknown) => ({ ok: false, error: String(err) }));
        this.opts.onNotified?.(n.name, event, r.ok);
        return r;
      }),
    );
    return results.some((r) => r.ok);
  }
}
