/**
 * The alert rules as data: `config/alerts.json` (documented in `config/README.md`), or the file
 * `ALERTS_CONFIG_PATH` names, validated here so a bad file stops start-up with the field it got
 * wrong. Every rule has an `id` (unique), a `kind` and the kind's own settings.
 */
import { z } from 'zod';
import bundled from '../../config/alerts.json' with { type: 'json' };
import { formatIssues, type LoadResult, readJsonConfig } from '../config_file.js';
import { DEFAULT_ERROR_THRESHOLDS, RATE_COMPONENTS } from '../errors/components.js';

const Minutes = z
  .number()
  .int()
  .min(1)
  .max(90 * 24 * 60);
const Ratio = z.number().min(0).max(1);

const Common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'lowercase letters, digits, "_", "." or "-" (≤ 64)'),
  enabled: z.boolean().default(true),
  severity: z.enum(['warning', 'critical']).default('warning'),
  /**
   * Hysteresis: a firing alert resolves only once its figure is back past this share of the
   * threshold (0.8: an error rate must fall below 80% of its threshold). 1 = no hysteresis.
   */
  resolve_ratio: z.number().gt(0).max(1).default(0.8),
};

const LatencyRule = z
  .object({
    ...Common,
    kind: z.literal('latency_p95'),
    component: z.enum(['eou', 'stt', 'llm', 'tts', 'e2e']),
    window_minutes: Minutes.default(15),
    /** Turns the window needs before it is judged. */
    min_samples: z.number().int().min(1).default(20),
    /** Default: the worker's p95 SLA for the component (`SLA_*_P95_MS`). */
    threshold_ms: z.number().positive().optional(),
  })
  .strict();

const ErrorRateRule = z
  .object({
    ...Common,
    kind: z.literal('error_rate'),
    component: z.enum(RATE_COMPONENTS),
    window_minutes: Minutes.default(15),
    /** Turns (tool calls for `tool`) the window needs before it is judged. */
    min_requests: z.number().int().min(1).default(20),
    /** Default: `error_rate_thresholds[component]`. */
    threshold: Ratio.optional(),
  })
  .strict();

const BookingRule = z
  .object({
    ...Common,
    kind: z.literal('booking_rate_drop'),
    window_minutes: Minutes.default(120),
    /** The trailing baseline: sessions that ended in the `baseline_days` before the window. */
    baseline_days: z.number().int().min(1).max(90).default(7),
    /** Fires when the window's booking rate is below baseline × (1 − drop_ratio). */
    drop_ratio: z.number().gt(0).lt(1).default(0.5),
    min_sessions: z.number().int().min(1).default(10),
  })
  .strict();

const CostRule = z
  .object({
    ...Common,
    kind: z.literal('cost_per_call_spike'),
    window_minutes: Minutes.default(60),
    baseline_days: z.number().int().min(1).max(90).default(7),
    /** Fires when the window's mean cost per call exceeds baseline × factor. */
    factor: z.number().gt(1).default(2),
    min_sessions: z.number().int().min(1).default(5),
  })
  .strict();

const DeadLetterRule = z
  .object({
    ...Common,
    kind: z.literal('dead_letter_growth'),
    window_minutes: Minutes.default(15),
    /** Fires when more messages than this were dead-lettered in the window. */
    max_new: z.number().int().min(0).default(0),
  })
  .strict();

const ParkedRule = z
  .object({
    ...Common,
    kind: z.literal('parked_deliveries'),
    window_minutes: Minutes.default(60),
    /** Fires when more deliveries than this were parked in the window. */
    max_parked: z.number().int().min(0).default(0),
  })
  .strict();

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM (24 h)');
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const TimeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as Europe/Berlin');

const NoSessionsRule = z
  .object({
    ...Common,
    kind: z.literal('no_sessions'),
    /** Fires when no session ended for this many minutes… */
    minutes: Minutes.default(30),
    /** …during these hours (outside them the rule is quiet, and a firing alert resolves). */
    hours: z
      .object({
        time_zone: TimeZone.default('UTC'),
        days: z.array(z.enum(DAYS)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
        from: HHMM.default('09:00'),
        to: HHMM.default('17:00'),
      })
      .strict()
      .refine((h) => h.from < h.to, { message: '"from" must be before "to"', path: ['to'] })
      .default({ time_zone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }),
  })
  .strict();

export const AlertRule = z.discriminatedUnion('kind', [
  LatencyRule,
  ErrorRateRule,
  BookingRule,
  CostRule,
  DeadLetterRule,
  ParkedRule,
  NoSessionsRule,
]);
export type AlertRule = z.infer<typeof AlertRule>;
export type AlertRuleKind = AlertRule['kind'];
export type RuleOf<K extends AlertRuleKind> = Extract<AlertRule, { kind: K }>;

export const AlertConfig = z
  .object({
    /** How often the worker evaluates every rule. */
    evaluate_every_s: z.number().int().min(1).max(3600).default(30),
    /** A rule that fires again this soon after its alert resolved reopens it without a new notification. */
    cooldown_minutes: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .default(30),
    /** Error-rate targets by component (errors per turn; `tool`: per tool call), for rules and `/api/errors`. */
    error_rate_thresholds: z
      .object(
        Object.fromEntries(RATE_COMPONENTS.map((c) => [c, Ratio.optional()])) as Record<
          (typeof RATE_COMPONENTS)[number],
          z.ZodOptional<typeof Ratio>
        >,
      )
      .strict()
      .default({}),
    rules: z.array(AlertRule).max(200),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.rules.forEach((r, i) => {
      if (seen.has(r.id))
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${r.id}"` });
      seen.add(r.id);
    });
  });
export type AlertConfig = z.infer<typeof AlertConfig>;

export function errorThresholds(c: AlertConfig): Record<(typeof RATE_COMPONENTS)[number], number> {
  const out = { ...DEFAULT_ERROR_THRESHOLDS };
  for (const [k, v] of Object.entries(c.error_rate_thresholds))
    if (v !== undefined) out[k as keyof typeof out] = v;
  return out;
}

export function parseAlertConfig(data: unknown, source = 'alert config'): LoadResult<AlertConfig> {
  const r = AlertConfig.safeParse(data);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: formatIssues(source, r.error) };
}

/** The rules shipped in `analytics-service/config/alerts.json`. */
export function defaultAlertConfig(): AlertConfig {
  const r = parseAlertConfig(bundled, 'bundled alert config');
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** Reads `path` (or the bundled file when undefined). */
export async function loadAlertConfig(path: string | undefined): Promise<LoadResult<AlertConfig>> {
  if (path === undefined) return { ok: true, value: defaultAlertConfig() };
  return readJsonConfig(path, 'alert config', parseAlertConfig);
}
