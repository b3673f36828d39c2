/**
 * Signed webhook: POSTs the scored session (under the webhook's PII policy, default `hashed`) as
 * JSON with
 *   X-SignalRoom-Timestamp: <unix seconds>
 *   X-SignalRoom-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>
 *   Idempotency-Key: <session_id>
 * Receivers check with `verifyWebhookSignature` (constant-time, with a timestamp tolerance) and
 * deduplicate on Idempotency-Key. Several `v1=` values separated by commas are accepted, for
 * secret rotation.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { PiiMode } from '../../../src/schema/index.js';
import type { PiiHasher } from '../privacy/index.js';
import type { ScoredSession } from '../types.js';
import { blankToUndefined, type EnvSectionResult, parseEnvSection } from './env_section.js';
import { type BuiltRequest, HttpDestination, type HttpDestinationDeps } from './http_destination.js';
import { PiiKeyMissing, redactScoredSession } from './pii.js';

export const WEBHOOK_TIMESTAMP_HEADER = 'X-SignalRoom-Timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'X-SignalRoom-Signature';
export const WEBHOOK_EVENT_TYPE = 'sales_call.scored';
export const DEFAULT_WEBHOOK_TOLERANCE_S = 300;

export interface WebhookConfig {
  url: string;
  secret: string;
  piiMode: PiiMode;
  timeoutMs: number;
}

export const WebhookEnv = z.object({
  WEBHOOK_URL: z.url().optional(),
  WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  WEBHOOK_PII_MODE: PiiMode.default('hashed'),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

/** The webhook is on when `WEBHOOK_URL` is set; it then needs `WEBHOOK_SECRET`. */
export function webhookConfigFromEnv(
  env: Record<string, string | undefined>,
): EnvSectionResult<WebhookConfig> {
  const r = parseEnvSection(WebhookEnv, blankToUndefined(env));
  if (!r.ok) return r;
  const e = r.value;
  if (!e.WEBHOOK_URL) return { ok: true, config: null };
  if (!e.WEBHOOK_SECRET) return { ok: false, error: 'WEBHOOK_SECRET: required when WEBHOOK_URL is set' };
  return {
    ok: true,
    config: {
      url: e.WEBHOOK_URL,
      secret: e.WEBHOOK_SECRET,
      piiMode: e.WEBHOOK_PII_MODE,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
    },
  };
}

/** `v1=<hex>` for a timestamp (unix seconds, as sent) and the exact body bytes. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export type WebhookVerification =
  | { ok: true }
  | { ok: false; reason: 'missing_header' | 'bad_timestamp' | 'outside_tolerance' | 'bad_signature' };

/** Checks a received webhook: signature over `timestamp.body` and a timestamp within tolerance. */
export function verifyWebhookSignature(args: {
  secret: string;
  /** The raw request body, exactly as received. */
  body: string;
  timestamp: string | null | undefined;
  signature: string | null | undefined;
  toleranceS?: number;
  nowMs?: number;
}): WebhookVerification {
  const { timestamp, signature } = args;
  if (!timestamp || !signature) return { ok: false, reason: 'missing_header' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' };
  const skewS = Math.abs((args.nowMs ?? Date.now()) / 1000 - Number(timestamp));
  if (skewS > (args.toleranceS ?? DEFAULT_WEBHOOK_TOLERANCE_S))
    return { ok: false, reason: 'outside_tolerance' };
  const expected = Buffer.from(signWebhook(args.secret, timestamp, args.body));
  const ok = signature
    .split(',')
    .map((s) => Buffer.from(s.trim()))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
  return ok ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

/** The JSON body for one session; identical on every re-delivery. */
export function webhookBody(session: ScoredSession, piiMode: PiiMode, hasher?: PiiHasher): string {
  return JSON.stringify({
    type: WEBHOOK_EVENT_TYPE,
    version: 1,
    session_id: session.session_id,
    pii_mode: piiMode,
    data: redactScoredSession(session, piiMode, hasher),
  });
}

export class WebhookDestination extends HttpDestination {
  readonly name = 'webhook';
  constructor(
    readonly config: WebhookConfig,
    deps: HttpDestinationDeps = {},
  ) {
    super(deps);
    if (config.piiMode === 'hashed' && !deps.hasher) throw new PiiKeyMissing('WEBHOOK_PII_MODE=hashed');
  }

  protected _buildRequest(session: ScoredSession): BuiltRequest {
    const body = webhookBody(session, this.config.piiMode, this.deps.hasher);
    const timestamp = String(Math.floor(this.now() / 1000));
    return {
      kind: 'send',
      request: {
        url: this.config.url,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(this.config.secret, timestamp, body),
          'Idempotency-Key': session.session_id,
        },
        body,
        timeoutMs: this.config.timeoutMs,
      },
    };
  }
}

export function createWebhookDestination(
  config: WebhookConfig,
  deps: HttpDestinationDeps = {},
): WebhookDestination {
  return new WebhookDestination(config, deps);
}
