/**
 * Salesforce access tokens for a connected app, renewed by themselves.
 *
 * Flows (Salesforce "OAuth 2.0 client credentials flow" and "OAuth 2.0 JWT bearer flow" for
 * server-to-server integration), both `POST <token host>/services/oauth2/token` with a form body:
 * - `client_credentials`: `grant_type=client_credentials&client_id=…&client_secret=…`; the token
 *   host is the org's My Domain URL (`https://<domain>.my.salesforce.com`).
 * - `jwt_bearer`: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`, the
 *   JWT signed RS256 with the private key whose certificate is on the connected app; claims `iss`
 *   (consumer key), `sub` (username), `aud` (`https://login.salesforce.com`, or
 *   `https://test.salesforce.com` for a sandbox), `exp` (at most 3 minutes ahead).
 * - `static`: a token given as is (`SALESFORCE_ACCESS_TOKEN`); it cannot be renewed.
 *
 * The answer carries `access_token`, `instance_url` and `issued_at` (ms) but no lifetime: a token
 * lives as long as the org's session timeout, so it is kept for `tokenTtlMs` (set it below the
 * org's session timeout) and fetched again after that, and once more when Salesforce answers 401
 * `INVALID_SESSION_ID`. Concurrent deliveries share one token request. No token, secret, key or
 * assertion is ever logged or put in an error message.
 */
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import type { Logger } from 'pino';
import { silentLogger } from '../../../src/log.js';
import { classifyFetchError, type FetchLike } from '../delivery/http.js';
import type { DeliveryResult } from '../types.js';

export const SALESFORCE_TOKEN_PATH = '/services/oauth2/token';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export type SalesforceAuth =
  | { flow: 'static'; accessToken: string }
  | { flow: 'client_credentials'; tokenUrl: string; clientId: string; clientSecret: string }
  | {
      flow: 'jwt_bearer';
      tokenUrl: string;
      clientId: string;
      username: string;
      /** PEM (PKCS#8 or PKCS#1) RSA private key. */
      privateKeyPem: string;
      /** `aud` claim: `https://login.salesforce.com` or `https://test.salesforce.com`. */
      audience: string;
    };

export interface SalesforceToken {
  accessToken: string;
  /** From the token answer; undefined for a static token. */
  instanceUrl?: string;
  /** When this process stops using the token (fetched again after). */
  renewAtMs: number;
  fetchedAtMs: number;
}

export type TokenOutcome = { ok: true; token: SalesforceToken } | { ok: false; result: DeliveryResult };

export interface TokenProviderDeps {
  fetch?: FetchLike;
  now?: () => number;
  log?: Logger;
  /** How long a fetched token is used before it is fetched again. Default 30 min. */
  tokenTtlMs?: number;
  timeoutMs?: number;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** A compact RS256 JWT with the claims Salesforce's JWT bearer flow documents. */
export function salesforceAssertion(
  auth: Extract<SalesforceAuth, { flow: 'jwt_bearer' }>,
  nowMs: number,
): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = b64url(
    JSON.stringify({
      iss: auth.clientId,
      sub: auth.username,
      aud: auth.audience,
      exp: Math.floor(nowMs / 1000) + 170,
      jti: randomUUID(),
    }),
  );
  const input = `${header}.${claims}`;
  const signature = sign('sha256', Buffer.from(input), createPrivateKey(auth.privateKeyPem));
  return `${input}.${b64url(signature)}`;
}

/** Throws with a message naming what is wrong (used by the config loader). */
export function checkPrivateKey(pem: string): void {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`an RSA key is needed, got ${key.asymmetricKeyType}`);
}

export class SalesforceTokenProvider {
  private cached: SalesforceToken | undefined;
  private inflight: Promise<TokenOutcome> | undefined;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly ttlMs: number;
  /** Token requests sent (for tests and metrics). */
  requests = 0;

  constructor(
    readonly auth: SalesforceAuth,
    private readonly deps: TokenProviderDeps = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.log = (deps.log ?? silentLogger).child({ component: 'salesforce_auth', flow: auth.flow });
    this.ttlMs = deps.tokenTtlMs ?? 30 * 60_000;
  }

  /** Whether a 401 can be cured by fetching a new token. */
  get renewable(): boolean {
    return this.auth.flow !== 'static';
  }

  async token(signal?: AbortSignal): Promise<TokenOutcome> {
    if (this.auth.flow === 'static') {
      return {
        ok: true,
        token: { accessToken: this.auth.accessToken, renewAtMs: Number.POSITIVE_INFINITY, fetchedAtMs: 0 },
      };
    }
    const c = this.cached;
    if (c && this.now() < c.renewAtMs) return { ok: true, token: c };
    this.inflight ??= this.fetchToken(signal).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forgets `accessToken` (after Salesforce refused it); a newer token is kept. */
  invalidate(accessToken: string): void {
    if (this.cached?.accessToken === accessToken) this.cached = undefined;
  }

  private async fetchToken(signal?: AbortSignal): Promise<TokenOutcome> {
    const auth = this.auth;
    if (auth.flow === 'static') throw new Error('unreachable');
    const form = new URLSearchParams();
    try {
      if (auth.flow === 'client_credentials') {
        form.set('grant_type', 'client_credentials');
        form.set('client_id', auth.clientId);
        form.set('client_secret', auth.clientSecret);
      } else {
        form.set('grant_type', JWT_BEARER_GRANT);
        form.set('assertion', salesforceAssertion(auth, this.now()));
      }
    } catch (err) {
      return {
        ok: false,
        result: { status: 'failed', error: `cannot sign the JWT: ${(err as Error).message}` },
      };
    }
    const timeout = AbortSignal.timeout(this.deps.timeoutMs ?? 10_000);
    this.requests++;
    let res: Response;
    let body: string;
    try {
      res = await (this.deps.fetch ?? fetch)(auth.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      body = await res.text();
    } catch (err) {
      const r = classifyFetchError(timeout.aborted ? { name: 'TimeoutError' } : err, this.deps.timeoutMs);
      this.log.warn({ error: r.status === 'ok' ? '' : r.error }, 'salesforce token request failed');
      return { ok: false, result: r.status === 'ok' ? r : { ...r, error: `token request: ${r.error}` } };
    }
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
      // described below by status
    }
    if (res.status === 200 && typeof parsed.access_token === 'string' && parsed.access_token) {
      const fetchedAtMs = this.now();
      const token: SalesforceToken = {
        accessToken: parsed.access_token,
        ...(typeof parsed.instance_url === 'string'
          ? { instanceUrl: parsed.instance_url.replace(/\/+$/, '') }
          : {}),
        fetchedAtMs,
        renewAtMs: fetchedAtMs + this.ttlMs,
      };
      this.cached = token;
      this.log.info({ renewInMs: this.ttlMs }, 'salesforce token fetched');
      return { ok: true, token };
    }
    // The documented error body is `{error, error_description}`: neither carries a secret.
    const what =
      typeof parsed.error === 'string'
        ? `${parsed.error}${typeof parsed.error_description === 'string' ? `: ${parsed.error_description}` : ''}`
        : `HTTP ${res.status}`;
    const error = `token request refused (HTTP ${res.status}, ${what})`;
    this.log.warn({ status: res.status, error: what }, 'salesforce token request refused');
    if (res.status === 429 || res.status >= 500) return { ok: false, result: { status: 'retryable', error } };
    const safeBody = JSON.stringify({
      error: parsed.error ?? null,
      error_description: parsed.error_description ?? null,
    });
    return { ok: false, result: { status: 'failed', error, responseBody: safeBody } };
  }
}
