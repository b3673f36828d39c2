/**
 * Amplitude: one `sales_call_scored` event per session through the HTTP V2 API
 * (`POST https://api2.amplitude.com/2/httpapi`, `{api_key, events}`; EU: api.eu.amplitude.com).
 * `insert_id` is the session id, so Amplitude drops a re-delivered event (7-day dedup window).
 *
 * Identity under the PII policy (default `hashed`): `user_id` is the email (`full`) or its keyed
 * hash `hmac-sha256:<key id>:<hex>` (`hashed`), absent under `none`; `device_id` is always a
 * synthetic `sr_<32 hex>` of the participant identity (or the session id), keyed with PII_HASH_KEY
 * under `hashed` and `none` (so it cannot be reversed to a SIP caller's phone number), a plain
 * SHA-256 only under `full`; every event has an id of ≥ 5 characters.
 *
 * Throttling (documented for HTTP V2): a 429 means a user or device in the request went over its
 * events-per-second limit; it carries no `Retry-After`, and the advice is to stop sending for that
 * user/device about 30 s and retry until the 429s stop. So a 429 pauses the event's user and device
 * ids (those the body names in `throttled_users`/`throttled_devices`, or both when it names none)
 * for `throttlePauseMs`; deliveries for a paused id wait without calling, others keep flowing; the
 * retry is `throttled` (it does not use up an attempt, the delivery deadline bounds it) and keeps
 * the full 429 body for the parked entry. Ids in `exceeded_daily_quota_users/devices` cannot be
 * cured by waiting seconds: parked at once with the body.
 */

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PiiMode } from '../../../src/schema/index.js';
import { MAX_BODY_CHARS } from '../delivery/http.js';
import type { PiiHasher } from '../privacy/index.js';
import type { DeliveryResult, ScoredSession } from '../types.js';
import { blankToUndefined, type EnvSectionResult, parseEnvSection } from './env_section.js';
import { type BuiltRequest, HttpDestination, type HttpDestinationDeps } from './http_destination.js';
import { amplitudeIntelligenceProperties } from './intelligence_properties.js';
import { Pauses } from './pauses.js';
import { contactFor, isHashed, PiiKeyMissing } from './pii.js';

export const AMPLITUDE_DEFAULT_ENDPOINT = 'https://api2.amplitude.com/2/httpapi';

export interface AmplitudeConfig {
  apiKey: string;
  endpoint: string;
  eventType: string;
  piiMode: PiiMode;
  timeoutMs: number;
  /** How long a throttled user/device is paused after a 429 (Amplitude's advice: 30 s). */
  throttlePauseMs?: number;
}

export const AMPLITUDE_THROTTLE_PAUSE_MS = 30_000;

export const AmplitudeEnv = z.object({
  AMPLITUDE_API_KEY: z.string().min(1).optional(),
  AMPLITUDE_ENDPOINT: z.url().default(AMPLITUDE_DEFAULT_ENDPOINT),
  AMPLITUDE_EVENT_TYPE: z.string().min(1).default('sales_call_scored'),
  AMPLITUDE_PII_MODE: PiiMode.default('hashed'),
  AMPLITUDE_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  AMPLITUDE_THROTTLE_PAUSE_MS: z.coerce.number().int().positive().default(AMPLITUDE_THROTTLE_PAUSE_MS),
});

/** Amplitude is on when `AMPLITUDE_API_KEY` is set. */
export function amplitudeConfigFromEnv(
  env: Record<string, string | undefined>,
): EnvSectionResult<AmplitudeConfig> {
  const r = parseEnvSection(AmplitudeEnv, blankToUndefined(env));
  if (!r.ok) return r;
  const e = r.value;
  if (!e.AMPLITUDE_API_KEY) return { ok: true, config: null };
  return {
    ok: true,
    config: {
      apiKey: e.AMPLITUDE_API_KEY,
      endpoint: e.AMPLITUDE_ENDPOINT,
      eventType: e.AMPLITUDE_EVENT_TYPE,
      piiMode: e.AMPLITUDE_PII_MODE,
      timeoutMs: e.AMPLITUDE_TIMEOUT_MS,
      throttlePauseMs: e.AMPLITUDE_THROTTLE_PAUSE_MS,
    },
  };
}

export interface AmplitudeEvent {
  event_type: string;
  user_id?: string;
  device_id: string;
  insert_id: string;
  time: number;
  event_properties: Record<string, unknown>;
}

/** The event for one session. */
export function amplitudeEvent(
  session: ScoredSession,
  config: Pick<AmplitudeConfig, 'eventType' | 'piiMode'>,
  hasher?: PiiHasher,
): AmplitudeEvent {
  const p = session.payload;
  if (config.piiMode !== 'full' && !hasher) throw new PiiKeyMissing(`AMPLITUDE_PII_MODE=${config.piiMode}`);
  const email = contactFor(p.lead, config.piiMode, hasher).email;
  // under `full` a payload that only carries the agent's hash is keyed (or left out without a key)
  const userId =
    email === undefined || config.piiMode === 'none'
      ? undefined
      : isHashed(email)
        ? hasher?.hash('email', email)
        : email;
  const source = p.participant.identity ?? session.session_id;
  const deviceHex = hasher ? hasher.digest(source) : createHash('sha256').update(source).digest('hex');
  const s = session.score;
  const signals = Object.fromEntries(Object.entries(p.signals).map(([k, v]) => [k, v?.value]));
  return {
    event_type: config.eventType,
    ...(userId ? { user_id: userId } : {}),
    device_id: `sr_${deviceHex.slice(0, 32)}`,
    insert_id: session.session_id,
    time: Date.parse(p.ended_at),
    event_properties: {
      session_id: session.session_id,
      score: s.score,
      tier: s.tier,
      fit: s.fit,
      engagement: s.engagement,
      fit_grade: s.fit_grade,
      engagement_level: s.engagement_level,
      scoring_version: s.model_version,
      top_rules: s.reasons.filter((r) => r.points !== 0).map((r) => r.rule),
      outcome: p.outcome,
      stage_reached: p.stage.reached,
      end_reason: p.end_reason,
      duration_s: Math.round(p.duration_ms / 1000),
      turn_count: session.analysis.turn_count,
      interrupted_turns: session.analysis.interrupted_turns,
      knowledge_questions: session.analysis.knowledge_questions,
      talk_ratio: session.analysis.talk_ratio,
      sla_breaches: session.analysis.sla_breaches.length,
      signal_coverage: session.analysis.signal_coverage.ratio,
      cost_usd: session.cost.total_usd,
      price_book_version: session.cost.price_book_version,
      agent_name: p.agent.name,
      agent_version: p.agent.version,
      prompt_version: p.agent.prompt_version,
      ...signals,
      ...amplitudeIntelligenceProperties(session, config.piiMode),
    },
  };
}

/** Amplitude's 429 body (the parts read here). */
interface ThrottleBody {
  throttled_users?: Record<string, unknown>;
  throttled_devices?: Record<string, unknown>;
  exceeded_daily_quota_users?: Record<string, unknown>;
  exceeded_daily_quota_devices?: Record<string, unknown>;
}

const userKey = (id: string) => `user:${id}`;
const deviceKey = (id: string) => `device:${id}`;

export class AmplitudeDestination extends HttpDestination {
  readonly name = 'amplitude';
  private readonly pauses: Pauses;
  constructor(
    readonly config: AmplitudeConfig,
    deps: HttpDestinationDeps = {},
  ) {
    super(deps);
    if (config.piiMode !== 'full' && !deps.hasher)
      throw new PiiKeyMissing(`AMPLITUDE_PII_MODE=${config.piiMode}`);
    this.pauses = new Pauses(this.now);
  }

  private get pauseMs(): number {
    return this.config.throttlePauseMs ?? AMPLITUDE_THROTTLE_PAUSE_MS;
  }

  protected _buildRequest(session: ScoredSession): BuiltRequest {
    const event = amplitudeEvent(session, this.config, this.deps.hasher);
    const keys = [...(event.user_id ? [userKey(event.user_id)] : []), deviceKey(event.device_id)];
    const waitMs = this.pauses.remainingMs(keys);
    if (waitMs > 0) {
      return {
        kind: 'result',
        result: {
          status: 'retryable',
          throttled: true,
          retryInMs: waitMs,
          error: 'Amplitude throttled this user/device: paused, not sent',
        },
      };
    }
    return {
      kind: 'send',
      limitKeys: keys,
      request: {
        url: this.config.endpoint,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: '*/*' },
        body: JSON.stringify({ api_key: this.config.apiKey, events: [event] }),
        timeoutMs: this.config.timeoutMs,
      },
    };
  }

  protected override _classify(
    status: number,
    headers: Headers,
    body: string,
    limitKeys: readonly string[] = [],
  ): DeliveryResult {
    if (status !== 429) return super._classify(status, headers, body);
    let parsed: ThrottleBody = {};
    try {
      parsed = (JSON.parse(body) as ThrottleBody | null) ?? {};
    } catch {
      // a 429 without a readable body still throttles this event's ids
    }
    const named = (users?: Record<string, unknown>, devices?: Record<string, unknown>) =>
      limitKeys.filter((k) =>
        k.startsWith('user:')
          ? Object.hasOwn(users ?? {}, k.slice(5))
          : Object.hasOwn(devices ?? {}, k.slice(7)),
      );
    const responseBody = body.slice(0, MAX_BODY_CHARS);
    // ids are not put in the error text: under `full` a user id is an email
    if (named(parsed.exceeded_daily_quota_users, parsed.exceeded_daily_quota_devices).length > 0) {
      return {
        status: 'failed',
        error: 'HTTP 429: Amplitude daily event quota exceeded for this user/device (replay later)',
        responseBody,
      };
    }
    const throttled = named(parsed.throttled_users, parsed.throttled_devices);
    const retryAfterMs = super._classify(status, headers, body);
    const pauseMs = Math.max(
      this.pauseMs,
      retryAfterMs.status === 'retryable' ? (retryAfterMs.retryInMs ?? 0) : 0,
    );
    this.pauses.pause(throttled.length > 0 ? throttled : limitKeys, pauseMs);
    return {
      status: 'retryable',
      throttled: true,
      retryInMs: pauseMs,
      error: `HTTP 429: Amplitude throttled this user/device; paused ${pauseMs} ms`,
      responseBody,
    };
  }
}

export function createAmplitudeDestination(
  config: AmplitudeConfig,
  deps: HttpDestinationDeps = {},
): AmplitudeDestination {
  return new AmplitudeDestination(config, deps);
}
