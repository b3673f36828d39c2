/**
 * HubSpot: upserts the prospect as a contact keyed on email, through the CRM v3 batch upsert
 * (`POST /crm/v3/objects/contacts/batch/upsert`, `idProperty: "email"`, private-app Bearer token).
 * Re-delivering a session updates the same contact with the same values, so it is idempotent.
 *
 * The PII mode must be `full` (start-up refuses `hashed` and `none`: no email, nothing to upsert
 * on). A session without a usable email (none given, or the payload only has its hash) is skipped,
 * logged with the reason, and reported `ok` (retrying or parking cannot produce an email). Custom properties (`signalroom_*` by default) must exist in the portal.
 *
 * Answers: a 200 counts only with body `status: "COMPLETE"` (any other status, or a body that is
 * not JSON, is retried: the upsert is idempotent); a 207 counts only as JSON without errors.
 * Rate limits (documented 429 body `{errorType: "RATE_LIMIT", policyName}`; limits are per account,
 * shared by every app): the burst limit (`TEN_SECONDLY_ROLLING`) pauses every HubSpot delivery for
 * the Retry-After, or `rateLimitPauseMs` (default the 10 s window), as a throttled retry; the daily
 * limit (`DAILY`, reset at midnight in the account's time zone) parks the delivery at once with the
 * body and holds later calls back for `dailyLimitPauseMs`.
 */
import { z } from 'zod';
import { PiiMode } from '../../../src/schema/index.js';
import { MAX_BODY_CHARS, parseRetryAfter } from '../delivery/http.js';
import type { DeliveryResult, ScoredSession } from '../types.js';
import { blankToUndefined, type EnvSectionResult, parseEnvSection } from './env_section.js';
import { type BuiltRequest, HttpDestination, type HttpDestinationDeps } from './http_destination.js';
import { hubspotIntelligenceProperties } from './intelligence_properties.js';
import { Pauses } from './pauses.js';
import { contactFor, isHashed, plainEmail } from './pii.js';
import { reasonsSummary, signalsSummary, splitName } from './summary.js';

export const HUBSPOT_UPSERT_PATH = '/crm/v3/objects/contacts/batch/upsert';

export const HUBSPOT_PROPERTY_KEYS = [
  'score',
  'tier',
  'fit',
  'engagement',
  'outcome',
  'session_id',
  'top_reasons',
  'signals',
  'last_call_at',
] as const;
export type HubSpotPropertyKey = (typeof HUBSPOT_PROPERTY_KEYS)[number];

export interface HubSpotConfig {
  accessToken: string;
  baseUrl: string;
  /** Internal names of the custom contact properties; default `<prefix><key>`. */
  properties: Record<HubSpotPropertyKey, string>;
  piiMode: PiiMode;
  timeoutMs: number;
  /** Pause after a burst-limit 429 without Retry-After (HubSpot's window is 10 s). */
  rateLimitPauseMs?: number;
  /** Calls held back after the daily limit answered. */
  dailyLimitPauseMs?: number;
}

export const HubSpotEnv = z.object({
  HUBSPOT_ACCESS_TOKEN: z.string().min(1).optional(),
  HUBSPOT_BASE_URL: z.url().default('https://api.hubapi.com'),
  HUBSPOT_PROPERTY_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'lowercase letters, digits and _ (HubSpot internal names)')
    .default('signalroom_'),
  HUBSPOT_PII_MODE: PiiMode.default('full'),
  HUBSPOT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  HUBSPOT_RATE_LIMIT_PAUSE_MS: z.coerce.number().int().positive().default(10_000),
  HUBSPOT_DAILY_LIMIT_PAUSE_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 60_000),
});

export function hubspotProperties(prefix = 'signalroom_'): Record<HubSpotPropertyKey, string> {
  return Object.fromEntries(HUBSPOT_PROPERTY_KEYS.map((k) => [k, `${prefix}${k}`])) as Record<
    HubSpotPropertyKey,
    string
  >;
}

/** Why HubSpot cannot run under `hashed` or `none` (start-up refuses it with this text). */
export function hubspotModeError(mode: PiiMode): string {
  return (
    `HUBSPOT_PII_MODE: HubSpot upserts contacts by email, and under ${mode} there is no email to ` +
    'upsert on, so no session would ever be sent; set HUBSPOT_PII_MODE=full or turn HubSpot off'
  );
}

/** HubSpot is on when `HUBSPOT_ACCESS_TOKEN` is set; it needs `HUBSPOT_PII_MODE=full`. */
export function hubspotConfigFromEnv(
  env: Record<string, string | undefined>,
): EnvSectionResult<HubSpotConfig> {
  const r = parseEnvSection(HubSpotEnv, blankToUndefined(env));
  if (!r.ok) return r;
  const e = r.value;
  if (!e.HUBSPOT_ACCESS_TOKEN) return { ok: true, config: null };
  if (e.HUBSPOT_PII_MODE !== 'full') return { ok: false, error: hubspotModeError(e.HUBSPOT_PII_MODE) };
  return {
    ok: true,
    config: {
      accessToken: e.HUBSPOT_ACCESS_TOKEN,
      baseUrl: e.HUBSPOT_BASE_URL.replace(/\/+$/, ''),
      properties: hubspotProperties(e.HUBSPOT_PROPERTY_PREFIX),
      piiMode: e.HUBSPOT_PII_MODE,
      timeoutMs: e.HUBSPOT_TIMEOUT_MS,
      rateLimitPauseMs: e.HUBSPOT_RATE_LIMIT_PAUSE_MS,
      dailyLimitPauseMs: e.HUBSPOT_DAILY_LIMIT_PAUSE_MS,
    },
  };
}

/** The contact properties written for one scored session (values as strings, as HubSpot returns them). */
export function hubspotContactProperties(
  session: ScoredSession,
  config: HubSpotConfig,
): Record<string, string> {
  const p = session.payload;
  const contact = contactFor(p.lead, config.piiMode === 'full' ? 'full' : 'none');
  const name = splitName(contact.name && !isHashed(contact.name) ? contact.name : undefined);
  const n = config.properties;
  const props: Record<string, string> = {
    [n.score]: String(session.score.score),
    [n.tier]: session.score.tier,
    [n.fit]: String(session.score.fit),
    [n.engagement]: String(session.score.engagement),
    [n.outcome]: p.outcome,
    [n.session_id]: session.session_id,
    [n.top_reasons]: reasonsSummary(session.score),
    [n.signals]: signalsSummary(p.signals),
    [n.last_call_at]: p.ended_at,
  };
  if (name.first) props.firstname = name.first;
  if (name.last) props.lastname = name.last;
  if (contact.phone && !isHashed(contact.phone)) props.phone = contact.phone;
  if (contact.company && !isHashed(contact.company)) props.company = contact.company;
  // Post-call intelligence, under the same prefix as `score` (`<prefix>call_summary`, `<prefix>cf_<name>`).
  const prefix = n.score.slice(0, -'score'.length);
  Object.assign(props, hubspotIntelligenceProperties(session, config.piiMode, prefix));
  return props;
}

const ACCOUNT = ['account'];

/** The parts of HubSpot's answers read here (batch result, 207 errors, 429 policy). */
interface HubSpotAnswer {
  status?: unknown;
  numErrors?: number;
  errors?: unknown[];
  policyName?: unknown;
}

export class HubSpotDestination extends HttpDestination {
  readonly name = 'hubspot';
  private readonly pauses: Pauses;
  private dailyLimitUntilMs = 0;
  constructor(
    readonly config: HubSpotConfig,
    deps: HttpDestinationDeps = {},
  ) {
    super(deps);
    if (config.piiMode !== 'full') throw new Error(hubspotModeError(config.piiMode));
    this.pauses = new Pauses(this.now);
  }

  protected _buildRequest(session: ScoredSession): BuiltRequest {
    const email = plainEmail(session.payload.lead, this.config.piiMode);
    if (!email) return { kind: 'skip', reason: 'no plain email to upsert the contact on' };
    const daily = this.dailyLimitUntilMs - this.now();
    if (daily > 0) {
      return {
        kind: 'result',
        result: {
          status: 'retryable',
          retryInMs: daily,
          error: 'HubSpot daily API limit reached earlier: not called',
        },
      };
    }
    const burst = this.pauses.remainingMs(ACCOUNT);
    if (burst > 0) {
      return {
        kind: 'result',
        result: {
          status: 'retryable',
          throttled: true,
          retryInMs: burst,
          error: 'HubSpot rate limit: paused, not sent',
        },
      };
    }
    const properties = { email, ...hubspotContactProperties(session, this.config) };
    return {
      kind: 'send',
      request: {
        url: `${this.config.baseUrl}${HUBSPOT_UPSERT_PATH}`,
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.config.accessToken}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify({ inputs: [{ id: email, idProperty: 'email', properties }] }),
        timeoutMs: this.config.timeoutMs,
      },
    };
  }

  protected override _classify(status: number, headers: Headers, body: string): DeliveryResult {
    const responseBody = body.slice(0, MAX_BODY_CHARS);
    let parsed: HubSpotAnswer | null = null;
    try {
      parsed = JSON.parse(body) as HubSpotAnswer | null;
    } catch {
      // judged below by status
    }
    if (status === 200) {
      if (parsed?.status === 'COMPLETE') return { status: 'ok' };
      return {
        status: 'retryable',
        error: `HTTP 200 without status COMPLETE (${typeof parsed?.status === 'string' ? parsed.status : 'no JSON status'}): not known to be written`,
        responseBody,
      };
    }
    if (status === 207) {
      if (parsed === null || typeof parsed !== 'object')
        return {
          status: 'failed',
          error: 'HTTP 207 whose body is not JSON: not known to be written',
          responseBody,
        };
      if ((parsed.numErrors ?? 0) > 0 || (parsed.errors?.length ?? 0) > 0)
        return { status: 'failed', error: 'HTTP 207: HubSpot reported errors for the contact', responseBody };
      return { status: 'ok' };
    }
    if (status === 429) {
      if (parsed?.policyName === 'DAILY') {
        this.dailyLimitUntilMs = this.now() + (this.config.dailyLimitPauseMs ?? 15 * 60_000);
        return {
          status: 'failed',
          error:
            'HTTP 429: HubSpot daily API limit reached (resets at midnight, account time zone): replay the parked delivery after',
          responseBody,
        };
      }
      const fromHeader = parseRetryAfter(headers.get('retry-after'), this.now());
      const pauseMs = fromHeader ?? this.config.rateLimitPauseMs ?? 10_000;
      this.pauses.pause(ACCOUNT, pauseMs);
      return {
        status: 'retryable',
        throttled: true,
        retryInMs: pauseMs,
        error: `HTTP 429: HubSpot rate limit (${typeof parsed?.policyName === 'string' ? parsed.policyName : 'burst'}); paused ${pauseMs} ms`,
        responseBody,
      };
    }
    return super._classify(status, headers, body);
  }
}

export function createHubSpotDestination(
  config: HubSpotConfig,
  deps: HttpDestinationDeps = {},
): HubSpotDestination {
  return new HubSpotDestination(config, deps);
}
