/**
 * Salesforce: upserts one Lead per session through the REST "sObject rows by external ID" resource,
 * `PATCH /services/data/vXX.X/sobjects/Lead/<ExternalIdField__c>/<session_id>` with a Bearer token.
 * Salesforce creates the Lead (201) or updates it (200/204), so re-delivery is idempotent.
 *
 * LastName and Company are required on Lead: fallbacks are used when the prospect did not give
 * them (or the policy hides them). The external id field must not be in the body (Salesforce
 * rejects it). Salesforce signals an exceeded API limit with 403 REQUEST_LIMIT_EXCEEDED: retryable.
 * An expired token (401 INVALID_SESSION_ID) fails and parks unless `getAccessToken` refreshes it.
 */
import { z } from 'zod';
import { PiiMode } from '../../../src/schema/index.js';
import type { DeliveryResult, ScoredSession } from '../types.js';
import { blankToUndefined, type EnvSectionResult, parseEnvSection } from './env_section.js';
import { type BuiltRequest, HttpDestination, type HttpDestinationDeps } from './http_destination.js';
import { salesforceIntelligenceFields } from './intelligence_properties.js';
import { contactFor, isHashed, plainEmail } from './pii.js';
import { reasonsSummary, signalsSummary, splitName } from './summary.js';

export const SALESFORCE_FIELD_KEYS = [
  'score',
  'tier',
  'fit',
  'engagement',
  'outcome',
  'top_reasons',
] as const;
export type SalesforceFieldKey = (typeof SALESFORCE_FIELD_KEYS)[number];

export interface SalesforceConfig {
  instanceUrl: string;
  accessToken: string;
  /** `v62.0` form. */
  apiVersion: string;
  /** External id field on Lead holding the session id, e.g. `SignalRoom_Session_Id__c`. */
  externalIdField: string;
  fields: Record<SalesforceFieldKey, string>;
  lastNameFallback: string;
  companyFallback: string;
  piiMode: PiiMode;
  timeoutMs: number;
}

const ApiName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a Salesforce API name');

export const SalesforceEnv = z.object({
  SALESFORCE_ACCESS_TOKEN: z.string().min(1).optional(),
  SALESFORCE_INSTANCE_URL: z.url().optional(),
  SALESFORCE_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d$/, 'like v62.0')
    .default('v62.0'),
  SALESFORCE_EXTERNAL_ID_FIELD: ApiName.default('SignalRoom_Session_Id__c'),
  SALESFORCE_FIELD_PREFIX: ApiName.default('SignalRoom_'),
  SALESFORCE_LAST_NAME_FALLBACK: z.string().min(1).default('Unknown (SignalRoom call)'),
  SALESFORCE_COMPANY_FALLBACK: z.string().min(1).default('Unknown'),
  SALESFORCE_PII_MODE: PiiMode.default('full'),
  SALESFORCE_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

export function salesforceFields(prefix = 'SignalRoom_'): Record<SalesforceFieldKey, string> {
  const pascal = (k: string) =>
    k
      .split('_')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('_');
  return Object.fromEntries(SALESFORCE_FIELD_KEYS.map((k) => [k, `${prefix}${pascal(k)}__c`])) as Record<
    SalesforceFieldKey,
    string
  >;
}

/** Salesforce is on when `SALESFORCE_ACCESS_TOKEN` is set; it then needs `SALESFORCE_INSTANCE_URL`. */
export function salesforceConfigFromEnv(
  env: Record<string, string | undefined>,
): EnvSectionResult<SalesforceConfig> {
  const r = parseEnvSection(SalesforceEnv, blankToUndefined(env));
  if (!r.ok) return r;
  const e = r.value;
  if (!e.SALESFORCE_ACCESS_TOKEN) return { ok: true, config: null };
  if (!e.SALESFORCE_INSTANCE_URL) {
    return { ok: false, error: 'SALESFORCE_INSTANCE_URL: required when SALESFORCE_ACCESS_TOKEN is set' };
  }
  return {
    ok: true,
    config: {
      instanceUrl: e.SALESFORCE_INSTANCE_URL.replace(/\/+$/, ''),
      accessToken: e.SALESFORCE_ACCESS_TOKEN,
      apiVersion: e.SALESFORCE_API_VERSION,
      externalIdField: e.SALESFORCE_EXTERNAL_ID_FIELD,
      fields: salesforceFields(e.SALESFORCE_FIELD_PREFIX),
      lastNameFallback: e.SALESFORCE_LAST_NAME_FALLBACK,
      companyFallback: e.SALESFORCE_COMPANY_FALLBACK,
      piiMode: e.SALESFORCE_PII_MODE,
      timeoutMs: e.SALESFORCE_TIMEOUT_MS,
    },
  };
}

/** The Lead body for one session (without the external id field, which goes in the URL). */
export function salesforceLeadBody(
  session: ScoredSession,
  config: SalesforceConfig,
): Record<string, string | number | boolean> {
  const p = session.payload;
  const contact = contactFor(p.lead, config.piiMode);
  const plain = (v: string | undefined) => (v && !isHashed(v) ? v : undefined);
  const name = splitName(plain(contact.name));
  const email = plainEmail(p.lead, config.piiMode);
  const f = config.fields;
  const body: Record<string, string | number | boolean> = {
    LastName: (name.last ?? config.lastNameFallback).slice(0, 80),
    Company: (plain(contact.company) ?? config.companyFallback).slice(0, 255),
    Description:
      `SignalRoom call ${session.session_id}, ${p.ended_at}. Signals: ${signalsSummary(p.signals) || 'none'}`.slice(
        0,
        32_000,
      ),
    [f.score]: session.score.score,
    [f.tier]: session.score.tier,
    [f.fit]: session.score.fit,
    [f.engagement]: session.score.engagement,
    [f.outcome]: p.outcome,
    [f.top_reasons]: reasonsSummary(session.score),
  };
  if (name.first) body.FirstName = name.first.slice(0, 40);
  if (email) body.Email = email;
  const phone = plain(contact.phone);
  if (phone) body.Phone = phone.slice(0, 40);
  // Post-call intelligence, under the same prefix as `Score__c` (`<prefix>Call_Summary__c`, `<prefix>CF_<Name>__c`).
  const prefix = f.score.slice(0, -'Score__c'.length);
  Object.assign(body, salesforceIntelligenceFields(session, config.piiMode, prefix));
  return body;
}

export interface SalesforceDeps extends HttpDestinationDeps {
  /** Supplies a fresh token (OAuth refresh); default: the configured `accessToken`. */
  getAccessToken?: () => Promise<string>;
}

export class SalesforceDestination extends HttpDestination {
  readonly name = 'salesforce';
  constructor(
    readonly config: SalesforceConfig,
    private readonly sfDeps: SalesforceDeps = {},
  ) {
    super(sfDeps);
  }

  protected async _buildRequest(session: ScoredSession): Promise<BuiltRequest> {
    const token = this.sfDeps.getAccessToken ? await this.sfDeps.getAccessToken() : this.config.accessToken;
    const c = this.config;
    const url =
      `${c.instanceUrl}/services/data/${c.apiVersion}/sobjects/Lead/` +
      `${encodeURIComponent(c.externalIdField)}/${encodeURIComponent(session.session_id)}`;
    return {
      kind: 'send',
      request: {
        url,
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(salesforceLeadBody(session, c)),
        timeoutMs: c.timeoutMs,
      },
    };
  }

  protected override _classify(status: number, headers: Headers, body: string): DeliveryResult {
    if (status === 403 && body.includes('REQUEST_LIMIT_EXCEEDED')) {
      return { status: 'retryable', error: 'HTTP 403: Salesforce API request limit exceeded' };
    }
    return super._classify(status, headers, body);
  }
}

export function createSalesforceDestination(
  config: SalesforceConfig,
  deps: SalesforceDeps = {},
): SalesforceDestination {
  return new SalesforceDestination(config, deps);
}
