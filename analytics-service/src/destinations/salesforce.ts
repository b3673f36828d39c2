/**
 * Salesforce: upserts one Lead per session through the REST "sObject rows by external ID" resource,
 * `PATCH /services/data/vXX.X/sobjects/Lead/<ExternalIdField__c>/<session_id>` with a Bearer token.
 * Salesforce creates the Lead (201) or updates it (200, or 204 without a body), so re-delivery is
 * idempotent; a value matching several Leads answers 300 (failed, parked with the list).
 *
 * LastName and Company are required on Lead: fallbacks are used when the prospect did not give
 * them (or the policy hides them). The external id field must not be in the body (Salesforce
 * rejects it). Path values are percent-encoded, dots included: Salesforce reads a trailing
 * `.json`/`.xml`-like suffix as a format and answers 404 otherwise.
 *
 * Tokens come from `salesforce_auth.ts` (client credentials, JWT bearer, or a static token); a 401
 * `INVALID_SESSION_ID` fetches a new token and tries once more in the same delivery.
 * Limits (403 `REQUEST_LIMIT_EXCEEDED`): the org's rolling 24-hour `TotalRequests` limit is not
 * cured by retrying within a delivery deadline, so the delivery is parked at once with the body
 * and later sessions wait `rateLimitPauseMs` without calling; any other limit (concurrent
 * long-running requests) is retried with backoff.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PiiMode } from '../../../src/schema/index.js';
import { MAX_BODY_CHARS } from '../delivery/http.js';
import type { DeliveryResult, ScoredSession } from '../types.js';
import { blankToUndefined, type EnvSectionResult, parseEnvSection } from './env_section.js';
import { type BuiltRequest, HttpDestination, type HttpDestinationDeps } from './http_destination.js';
import { salesforceIntelligenceFields } from './intelligence_properties.js';
import { contactFor, isHashed, plainEmail } from './pii.js';
import {
  checkPrivateKey,
  SALESFORCE_TOKEN_PATH,
  type SalesforceAuth,
  SalesforceTokenProvider,
} from './salesforce_auth.js';
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
  /** `https://<domain>.my.salesforce.com`; when unset, the token answer's `instance_url`. */
  instanceUrl?: string;
  auth: SalesforceAuth;
  /** How long a fetched token is used before it is fetched again (below the org's session timeout). */
  tokenTtlMs?: number;
  /** How long sessions wait without calling after the org's daily API limit was hit. */
  rateLimitPauseMs?: number;
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
  SALESFORCE_AUTH_FLOW: z.enum(['static', 'client_credentials', 'jwt_bearer']).optional(),
  SALESFORCE_ACCESS_TOKEN: z.string().min(1).optional(),
  SALESFORCE_CLIENT_ID: z.string().min(1).optional(),
  SALESFORCE_CLIENT_SECRET: z.string().min(1).optional(),
  SALESFORCE_USERNAME: z.string().min(1).optional(),
  /** PEM text (`\n` escapes allowed) or a path in SALESFORCE_PRIVATE_KEY_FILE. */
  SALESFORCE_PRIVATE_KEY: z.string().min(1).optional(),
  SALESFORCE_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  SALESFORCE_LOGIN_URL: z.url().optional(),
  SALESFORCE_JWT_AUDIENCE: z.url().default('https://login.salesforce.com'),
  SALESFORCE_TOKEN_TTL_MS: z.coerce
    .number()
    .int()
    .min(60_000)
    .default(30 * 60_000),
  SALESFORCE_RATE_LIMIT_PAUSE_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 60_000),
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

const trimUrl = (u: string) => u.replace(/\/+$/, '');

/** The auth flow the variables ask for, or the error naming what is missing. */
function authFromEnv(e: z.infer<typeof SalesforceEnv>): SalesforceAuth | string | null {
  const flow =
    e.SALESFORCE_AUTH_FLOW ??
    (e.SALESFORCE_CLIENT_SECRET
      ? 'client_credentials'
      : e.SALESFORCE_PRIVATE_KEY || e.SALESFORCE_PRIVATE_KEY_FILE
        ? 'jwt_bearer'
        : e.SALESFORCE_ACCESS_TOKEN
          ? 'static'
          : null);
  if (flow === null) return null;
  const need = (name: string, v: string | undefined) =>
    v ? null : `${name}: required when SALESFORCE_AUTH_FLOW=${flow}`;
  if (flow === 'static') {
    return (
      need('SALESFORCE_ACCESS_TOKEN', e.SALESFORCE_ACCESS_TOKEN) ??
      need('SALESFORCE_INSTANCE_URL', e.SALESFORCE_INSTANCE_URL) ?? {
        flow,
        accessToken: e.SALESFORCE_ACCESS_TOKEN ?? '',
      }
    );
  }
  const host =
    e.SALESFORCE_LOGIN_URL ??
    (flow === 'client_credentials' ? e.SALESFORCE_INSTANCE_URL : 'https://login.salesforce.com');
  if (flow === 'client_credentials') {
    const missing =
      need('SALESFORCE_CLIENT_ID', e.SALESFORCE_CLIENT_ID) ??
      need('SALESFORCE_CLIENT_SECRET', e.SALESFORCE_CLIENT_SECRET) ??
      need('SALESFORCE_LOGIN_URL', host);
    if (missing)
      return `${missing}${host ? '' : " (the org's My Domain URL, or set SALESFORCE_INSTANCE_URL)"}`;
    return {
      flow,
      tokenUrl: `${trimUrl(host ?? '')}${SALESFORCE_TOKEN_PATH}`,
      clientId: e.SALESFORCE_CLIENT_ID ?? '',
      clientSecret: e.SALESFORCE_CLIENT_SECRET ?? '',
    };
  }
  const missing =
    need('SALESFORCE_CLIENT_ID', e.SALESFORCE_CLIENT_ID) ??
    need('SALESFORCE_USERNAME', e.SALESFORCE_USERNAME) ??
    need('SALESFORCE_PRIVATE_KEY', e.SALESFORCE_PRIVATE_KEY ?? e.SALESFORCE_PRIVATE_KEY_FILE);
  if (missing) return missing;
  let pem: string;
  const keyVar = e.SALESFORCE_PRIVATE_KEY ? 'SALESFORCE_PRIVATE_KEY' : 'SALESFORCE_PRIVATE_KEY_FILE';
  try {
    pem = e.SALESFORCE_PRIVATE_KEY
      ? e.SALESFORCE_PRIVATE_KEY.replace(/\\n/g, '\n')
      : readFileSync(e.SALESFORCE_PRIVATE_KEY_FILE ?? '', 'utf8');
    checkPrivateKey(pem);
  } catch (err) {
    // the message of a key parse error never quotes the key
    return `${keyVar}: not a readable RSA private key in PEM form (${(err as NodeJS.ErrnoException).code ?? 'invalid key'})`;
  }
  return {
    flow,
    tokenUrl: `${trimUrl(host ?? '')}${SALESFORCE_TOKEN_PATH}`,
    clientId: e.SALESFORCE_CLIENT_ID ?? '',
    username: e.SALESFORCE_USERNAME ?? '',
    privateKeyPem: pem,
    audience: trimUrl(e.SALESFORCE_JWT_AUDIENCE),
  };
}

/**
 * Salesforce is on when any credential is set: `SALESFORCE_ACCESS_TOKEN` (static, needs
 * `SALESFORCE_INSTANCE_URL`), `SALESFORCE_CLIENT_SECRET` (client credentials) or a private key
 * (JWT bearer); `SALESFORCE_AUTH_FLOW` chooses explicitly.
 */
export function salesforceConfigFromEnv(
  env: Record<string, string | undefined>,
): EnvSectionResult<SalesforceConfig> {
  const r = parseEnvSection(SalesforceEnv, blankToUndefined(env));
  if (!r.ok) return r;
  const e = r.value;
  const auth = authFromEnv(e);
  if (auth === null) return { ok: true, config: null };
  if (typeof auth === 'string') return { ok: false, error: auth };
  return {
    ok: true,
    config: {
      ...(e.SALESFORCE_INSTANCE_URL ? { instanceUrl: trimUrl(e.SALESFORCE_INSTANCE_URL) } : {}),
      auth,
      tokenTtlMs: e.SALESFORCE_TOKEN_TTL_MS,
      rateLimitPauseMs: e.SALESFORCE_RATE_LIMIT_PAUSE_MS,
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
  // Salesforce gets plain values or nothing: a hash in a Lead field is of no use (and needs no key)
  const contact = contactFor(p.lead, config.piiMode === 'full' ? 'full' : 'none');
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
  if (email) body.Email = email.slice(0, 80);
  const phone = plain(contact.phone);
  if (phone) body.Phone = phone.slice(0, 40);
  // Post-call intelligence, under the same prefix as `Score__c` (`<prefix>Call_Summary__c`, `<prefix>CF_<Name>__c`).
  const prefix = f.score.slice(0, -'Score__c'.length);
  Object.assign(body, salesforceIntelligenceFields(session, config.piiMode, prefix));
  return body;
}

/** A path segment, percent-encoded with dots too (`a.json` would be read as a format). */
export const salesforcePathValue = (v: string) => encodeURIComponent(v).replace(/\./g, '%2E');

export interface SalesforceDeps extends HttpDestinationDeps {
  /** Token source; default one built from `config.auth`. */
  tokens?: SalesforceTokenProvider;
}

const isDailyLimit = (body: string) => /TotalRequests/i.test(body);

export class SalesforceDestination extends HttpDestination {
  readonly name = 'salesforce';
  readonly tokens: SalesforceTokenProvider;
  /** Until when calls are held back after the org's daily API limit answered. */
  private limitedUntilMs = 0;

  constructor(
    readonly config: SalesforceConfig,
    deps: SalesforceDeps = {},
  ) {
    super(deps);
    this.tokens =
      deps.tokens ??
      new SalesforceTokenProvider(config.auth, {
        fetch: deps.fetch,
        now: deps.now,
        log: deps.log,
        tokenTtlMs: config.tokenTtlMs,
        timeoutMs: config.timeoutMs,
      });
  }

  override async deliver(session: ScoredSession, opts: { signal: AbortSignal }): Promise<DeliveryResult> {
    const first = await super.deliver(session, opts);
    if (!this.isExpiredSession(first) || !this.tokens.renewable) return first;
    // the token was refused: forget it, fetch a new one, and try once more
    this.log.info({ sessionId: session.session_id }, 'salesforce session expired, renewing the token');
    return super.deliver(session, opts);
  }

  private isExpiredSession(r: DeliveryResult): boolean {
    return (
      r.status === 'failed' &&
      r.error.startsWith('HTTP 401') &&
      (r.responseBody ?? '').includes('INVALID_SESSION_ID')
    );
  }

  protected async _buildRequest(session: ScoredSession, signal?: AbortSignal): Promise<BuiltRequest> {
    const wait = this.limitedUntilMs - this.now();
    if (wait > 0) {
      return {
        kind: 'result',
        result: {
          status: 'retryable',
          error: 'Salesforce API request limit reached earlier: not called',
          retryInMs: wait,
        },
      };
    }
    const t = await this.tokens.token(signal);
    if (!t.ok) return { kind: 'result', result: t.result };
    const c = this.config;
    const instanceUrl = c.instanceUrl ?? t.token.instanceUrl;
    if (!instanceUrl) {
      return {
        kind: 'result',
        result: { status: 'failed', error: 'no instance URL: set SALESFORCE_INSTANCE_URL' },
      };
    }
    const url =
      `${instanceUrl}/services/data/${c.apiVersion}/sobjects/Lead/` +
      `${salesforcePathValue(c.externalIdField)}/${salesforcePathValue(session.session_id)}`;
    return {
      kind: 'send',
      onUnauthorized: () => this.tokens.invalidate(t.token.accessToken),
      request: {
        url,
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${t.token.accessToken}`,
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
      if (isDailyLimit(body)) {
        this.limitedUntilMs = this.now() + (this.config.rateLimitPauseMs ?? 15 * 60_000);
        return {
          status: 'failed',
          error:
            "HTTP 403: the org's 24-hour API request limit is reached (replay the parked delivery later)",
          responseBody: body.slice(0, MAX_BODY_CHARS),
        };
      }
      return {
        status: 'retryable',
        error: 'HTTP 403: Salesforce API request limit exceeded',
        responseBody: body.slice(0, MAX_BODY_CHARS),
      };
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
