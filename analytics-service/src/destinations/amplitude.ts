/**
 * Amplitude: one `sales_call_scored` event per session through the HTTP V2 API
 * (`POST https://api2.amplitude.com/2/httpapi`, `{api_key, events}`; EU: api.eu.amplitude.com).
 * `insert_id` is the session id, so Amplitude drops a re-delivered event (7-day dedup window).
 *
 * Identity under the PII policy (default `hashed`): `user_id` is the email (`full`) or its
 * `sha256:` hash (`hashed`), absent under `none`; `device_id` is always a synthetic
 * `sr_<sha256(participant identity or session id)>`, so every event has an id of ≥ 5 characters.
 */
import { z } from 'zod';
import { PiiMode } from '../../../src/schema/index.js';
import type { ScoredSession } from '../types.js';
import { blankToUndefined, type EnvSectionResult, parseEnvSection } from './env_section.js';
import { type BuiltRequest, HttpDestination, type HttpDestinationDeps } from './http_destination.js';
import { amplitudeIntelligenceProperties } from './intelligence_properties.js';
import { contactFor, isHashed, sha256Hex } from './pii.js';

export const AMPLITUDE_DEFAULT_ENDPOINT = 'https://api2.amplitude.com/2/httpapi';

export interface AmplitudeConfig {
  apiKey: string;
  endpoint: string;
  eventType: string;
  piiMode: PiiMode;
  timeoutMs: number;
}

export const AmplitudeEnv = z.object({
  AMPLITUDE_API_KEY: z.string().min(1).optional(),
  AMPLITUDE_ENDPOINT: z.url().default(AMPLITUDE_DEFAULT_ENDPOINT),
  AMPLITUDE_EVENT_TYPE: z.string().min(1).default('sales_call_scored'),
  AMPLITUDE_PII_MODE: PiiMode.default('hashed'),
  AMPLITUDE_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
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
): AmplitudeEvent {
  const p = session.payload;
  const email = contactFor(p.lead, config.piiMode).email;
  // under `full` a payload that only carries the hash still yields the hash: never a guessed id
  const userId = email && (config.piiMode === 'full' || isHashed(email)) ? email : undefined;
  const s = session.score;
  const signals = Object.fromEntries(Object.entries(p.signals).map(([k, v]) => [k, v?.value]));
  return {
    event_type: config.eventType,
    ...(userId ? { user_id: userId } : {}),
    device_id: `sr_${sha256Hex(p.participant.identity ?? session.session_id).slice(0, 32)}`,
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

export class AmplitudeDestination extends HttpDestination {
  readonly name = 'amplitude';
  constructor(
    readonly config: AmplitudeConfig,
    deps: HttpDestinationDeps = {},
  ) {
    super(deps);
  }

  protected _buildRequest(session: ScoredSession): BuiltRequest {
    return {
      kind: 'send',
      request: {
        url: this.config.endpoint,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: '*/*' },
        body: JSON.stringify({ api_key: this.config.apiKey, events: [amplitudeEvent(session, this.config)] }),
        timeoutMs: this.config.timeoutMs,
      },
    };
  }
}

export function createAmplitudeDestination(
  config: AmplitudeConfig,
  deps: HttpDestinationDeps = {},
): AmplitudeDestination {
  return new AmplitudeDestination(config, deps);
}
