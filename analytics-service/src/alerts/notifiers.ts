/**
 * Where alerts are sent when they fire and when they resolve:
 * - Slack incoming webhook: `POST` of `{ text, blocks }` (Block Kit: a header, a section with
 *   mrkdwn text and fields, a context line) as `application/json`; Slack answers `200 ok`. `text`
 *   is the notification fallback, so it says everything on its own. mrkdwn control characters
 *   (`&`, `<`, `>`) are escaped; block texts are cut to Slack's limits (header 150, section 3000,
 *   field 2000 characters).
 * - The signed webhook destination (`WEBHOOK_URL` / `WEBHOOK_SECRET`): the same signature headers
 *   as scored sessions, with `{ type: 'alert.fired' | 'alert.resolved', version: 1, alert }` and
 *   an `Idempotency-Key` of `<alert_id>:<state>:<flaps>`.
 * Each send is one bounded attempt plus retries of retryable failures (429, 5xx, network), via
 * `classifyHttpResponse`; a notification that still fails is logged, and never blocks the engine.
 */
import { type Logger, silentLogger } from '../../../src/log.js';
import { classifyHttpStatus, type FetchLike, sendHttp } from '../delivery/http.js';
import { abortableSleep } from '../delivery/with_retry.js';
import {
  signWebhook,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  type WebhookConfig,
} from '../destinations/webhook.js';
import type { Alert } from './alert_store.js';

export type AlertEvent = 'fired' | 'resolved';

export interface AlertNotifier {
  readonly name: string;
  notify(event: AlertEvent, alert: Alert): Promise<{ ok: boolean; error?: string }>;
}

const SLACK_HEADER_MAX = 150;
const SLACK_SECTION_MAX = 3000;
const SLACK_FIELD_MAX = 2000;

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Slack's mrkdwn escaping: only these three are control characters. */
export function slackEscape(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function formatFigure(v: number | null, unit: Alert['evidence']['unit']): string {
  if (v === null || v === undefined) return 'n/a';
  switch (unit) {
    case 'ratio':
      return `${(v * 100).toFixed(1)}%`;
    case 'ms':
      return `${Math.round(v)} ms`;
    case 'usd':
      return `$${v.toFixed(4)}`;
    case 'minutes':
      return `${Math.round(v)} min`;
    default:
      return String(Math.round(v * 100) / 100);
  }
}

function title(event: AlertEvent, a: Alert): string {
  const tag = event === 'fired' ? `FIRING (${a.severity})` : 'RESOLVED';
  return `[${tag}] ${a.rule_id}${a.subject && a.subject !== 'all' ? ` · ${a.subject}` : ''}`;
}

/** The Slack incoming-webhook body for one alert event. */
export function slackBody(event: AlertEvent, a: Alert): { text: string; blocks: unknown[] } {
  const unit = a.evidence.unit;
  const figure = formatFigure(a.figure, unit);
  const threshold = formatFigure(a.threshold, unit);
  const window = a.window_from && a.window_to ? `${a.window_from} → ${a.window_to}` : 'n/a';
  const text = `${title(event, a)}: ${a.message} (figure ${figure}, threshold ${threshold}, window ${window})`;
  return {
    text: slackEscape(text),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: cut(title(event, a), SLACK_HEADER_MAX) } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: cut(slackEscape(a.message), SLACK_SECTION_MAX) },
        fields: [
          { type: 'mrkdwn', text: cut(`*Figure*\n${slackEscape(figure)}`, SLACK_FIELD_MAX) },
          { type: 'mrkdwn', text: cut(`*Threshold*\n${slackEscape(threshold)}`, SLACK_FIELD_MAX) },
          { type: 'mrkdwn', text: cut(`*Window*\n${slackEscape(window)}`, SLACK_FIELD_MAX) },
          { type: 'mrkdwn', text: cut(`*Fired at*\n${a.fired_at}`, SLACK_FIELD_MAX) },
        ],
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: cut(
              slackEscape(
                `SignalRoom alert ${a.alert_id} · rule kind ${a.rule_kind}${a.resolved_at ? ` · resolved ${a.resolved_at}` : ''}`,
              ),
              SLACK_FIELD_MAX,
            ),
          },
        ],
      },
    ],
  };
}

export const ALERT_WEBHOOK_TYPES = { fired: 'alert.fired', resolved: 'alert.resolved' } as const;

export function alertWebhookBody(event: AlertEvent, a: Alert): string {
  return JSON.stringify({ type: ALERT_WEBHOOK_TYPES[event], version: 1, alert: a });
}

interface SendOpts {
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  fetch?: FetchLike;
  log?: Logger;
  now?: () => number;
}

async function postWithRetry(
  name: string,
  build: () => { url: string; headers: Record<string, string>; body: string },
  o: SendOpts,
): Promise<{ ok: boolean; error?: string }> {
  const attempts = Math.max(1, o.maxAttempts ?? 3);
  let error = 'not sent';
  for (let i = 1; i <= attempts; i++) {
    const req = build();
    const out = await sendHttp({
      ...req,
      method: 'POST',
      timeoutMs: o.timeoutMs ?? 5000,
      ...(o.fetch && { fetch: o.fetch }),
    });
    const result =
      out.kind === 'response' ? classifyHttpStatus(out.status, out.headers, out.body) : out.result;
    if (result.status === 'ok') return { ok: true };
    error = result.error;
    if (result.status === 'failed') break;
    if (i < attempts) await abortableSleep(result.retryInMs ?? (o.baseDelayMs ?? 500) * 2 ** (i - 1));
  }
  (o.log ?? silentLogger).warn({ notifier: name, err: error }, 'alert notification failed');
  return { ok: false, error };
}

export function slackNotifier(url: string, o: SendOpts = {}): AlertNotifier {
  return {
    name: 'slack',
    notify: (event, alert) =>
      postWithRetry(
        'slack',
        () => ({
          url,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(slackBody(event, alert)),
        }),
        o,
      ),
  };
}

export function webhookNotifier(
  config: Pick<WebhookConfig, 'url' | 'secret' | 'timeoutMs'>,
  o: SendOpts = {},
): AlertNotifier {
  const now = o.now ?? Date.now;
  return {
    name: 'webhook',
    notify: (event, alert) =>
      postWithRetry(
        'webhook',
        () => {
          const body = alertWebhookBody(event, alert);
          const timestamp = String(Math.floor(now() / 1000));
          return {
            url: config.url,
            headers: {
              'content-type': 'application/json',
              [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
              [WEBHOOK_SIGNATURE_HEADER]: signWebhook(config.secret, timestamp, body),
              'Idempotency-Key': `${alert.alert_id}:${alert.state}:${alert.flaps}`,
            },
            body,
          };
        },
        { timeoutMs: config.timeoutMs, ...o },
      ),
  };
}
