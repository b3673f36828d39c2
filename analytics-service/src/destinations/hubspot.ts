/**
 * HubSpot: upserts the prospect as a contact keyed on email, through the CRM v3 batch upsert
 * (`POST /crm/v3/objects/contacts/batch/upsert`, `idProperty: "email"`, private-app Bearer token).
 * Re-delivering a session updates the same contact with the same values, so it is idempotent.
 *
 * No usable email (none given, or the payload/policy only has its hash): there is no key to upsert
 * on, so the delivery is skipped, logged with the reason, and reported `ok` (retrying or parking
 * cannot produce an email). Custom properties (`signalroom_*` by default) must exist in the portal.
 */
import { z } from 'zod';
import { PiiMode } from '../../../src/schema/index.js';
import type { DeliveryResult, ScoredSession } from '../types.js';
import { blankToUndefined, type EnvSectionResult, parseEnvSection } from './env_section.js';
import { type BuiltRequest, HttpDestination, type HttpDestinationDeps } from './http_destination.js';
import { hubspotIntelligenceProperties } from './intelligence_properties.js';
import { contactFor, plainEmail } from './pii.js';
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
});

export function hubspotProperties(prefix = 'signalroom_'): Record<HubSpotPropertyKey, string> {
  return Object.fromEntries(HUBSPOT_PROPERTY_KEYS.map((k) => [k, `${prefix}${k}`])) as Record<
    HubSpotPropertyKey,
    string
  >;
}

/** HubSpot is on when `HUBSPOT_ACCESS_TOKEN` is set. */
export function hubspotConfigFromEnv(
  env: Record<string, string | undefined>,
): EnvSectionResult<HubSpotConfig> {
  const r = parseEnvSection(HubSpotEnv, blankToUndefined(env));
  if (!r.ok) return r;
  const e = r.value;
  if (!e.HUBSPOT_ACCESS_TOKEN) return { ok: true, config: null };
  return {
    ok: true,
    config: {
      accessToken: e.HUBSPOT_ACCESS_TOKEN,
      baseUrl: e.HUBSPOT_BASE_URL.replace(/\/+$/, ''),
      properties: hubspotProperties(e.HUBSPOT_PROPERTY_PREFIX),
      piiMode: e.HUBSPOT_PII_MODE,
      timeoutMs: e.HUBSPOT_TIMEOUT_MS,
    },
  };
}

/** The contact properties written for one scored session (values as strings, as HubSpot returns them). */
export function hubspotContactProperties(
  session: ScoredSession,
  config: HubSpotConfig,
): Record<string, string> {
  const p = session.payload;
  const contact = contactFor(p.lead, config.piiMode);
  const name = splitName(contact.name && !contact.name.startsWith('sha256:') ? contact.name : undefined);
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
  if (contact.phone && !contact.phone.startsWith('sha256:')) props.phone = contact.phone;
  if (contact.company && !contact.company.startsWith('sha256:')) props.company = contact.company;
  // Post-call intelligence, under the same prefix as `score` (`<prefix>call_summary`, `<prefix>cf_<name>`).
  const prefix = n.score.slice(0, -'score'.length);
  Object.assign(props, hubspotIntelligenceProperties(session, config.piiMode, prefix));
  return props;
}

export class HubSpotDestination extends HttpDestination {
  readonly name = 'hubspot';
  constructor(
    readonly config: HubSpotConfig,
    deps: HttpDestinationDeps = {},
  ) {
    super(deps);
  }

  protected _buildRequest(session: ScoredSession): BuiltRequest {
    const email = plainEmail(session.payload.lead, this.config.piiMode);
    if (!email) return { kind: 'skip', reason: 'no plain email to upsert the contact on' };
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

  /** A 207 (multi-status) carrying errors means the one input was not written. */
  protected override _classify(status: number, headers: Headers, body: string): DeliveryResult {
    if (status === 207) {
      try {
        const parsed = JSON.parse(body) as { numErrors?: number; errors?: unknown[] };
        if ((parsed.numErrors ?? 0) > 0 || (parsed.errors?.length ?? 0) > 0) {
          return {
            status: 'failed',
            error: 'HTTP 207: HubSpot reported errors for the contact',
            responseBody: body,
          };
        }
      } catch {
        // not JSON: fall through to the status rule
      }
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
