import { generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryParkedStore, withRetry } from '../../src/delivery/index.js';
import {
  createSalesforceDestination,
  type SalesforceConfig,
  salesforceConfigFromEnv,
  salesforceFields,
} from '../../src/destinations/index.js';
import { createSalesforceFake, type SalesforceFake } from '../../src/testing/vendor_servers.js';
import { scoredSample, signal } from './fixtures.js';

const EXT = 'SignalRoom_Session_Id__c';
const SECRET = 'consumer-secret-0123456789';

/** A pino logger writing into an array (to check that no secret is ever logged). */
function capturingLogger() {
  const lines: string[] = [];
  const log = pino({ level: 'trace' }, { write: (l: string) => void lines.push(l) });
  return { lines, log };
}

describe('salesforce destination', () => {
  let fake: SalesforceFake;
  let config: SalesforceConfig;
  beforeEach(async () => {
    fake = await createSalesforceFake({
      accessToken: 'tok',
      oauth: { clientId: 'cid', clientSecret: SECRET, sessionTtlMs: 60_000 },
      externalIdField: EXT,
      customFields: Object.values(salesforceFields()),
    }).start();
    config = {
      instanceUrl: fake.url,
      auth: { flow: 'static', accessToken: 'tok' },
      apiVersion: 'v62.0',
      externalIdField: EXT,
      fields: salesforceFields(),
      lastNameFallback: 'Unknown (SignalRoom call)',
      companyFallback: 'Unknown',
      piiMode: 'full',
      timeoutMs: 2000,
    };
  });
  afterEach(() => fake.stop());

  const oauthConfig = (): SalesforceConfig => {
    const { instanceUrl: _drop, ...rest } = config;
    return {
      ...rest,
      auth: {
        flow: 'client_credentials',
        tokenUrl: `${fake.url}/services/oauth2/token`,
        clientId: 'cid',
        clientSecret: SECRET,
      },
    };
  };

  it('PATCHes the Lead by external id: created (201) then updated (200)', async () => {
    const s = scoredSample();
    const dest = createSalesforceDestination(config);
    expect(await dest.deliver(s, { signal: signal() })).toEqual({ status: 'ok' });
    expect(await dest.deliver(s, { signal: signal() })).toEqual({ status: 'ok' });
    expect(fake.requests.map((r) => r.replied)).toEqual([201, 200]);
    expect(fake.requests[0]).toMatchObject({
      method: 'PATCH',
      path: `/services/data/v62.0/sobjects/Lead/${EXT}/${s.session_id}`,
    });
    expect(fake.records.get(s.session_id)?.value).toMatchObject({
      FirstName: 'Maria',
      LastName: 'Lopez',
      Company: 'Lopez Legal',
      Email: 'maria@example.com',
      SignalRoom_Score__c: s.score.score,
      SignalRoom_Tier__c: s.score.tier,
      SignalRoom_Outcome__c: 'meeting_booked',
    });
  });

  it('an update answered 204 No Content (API versions before 46.0) is ok', async () => {
    const dest = createSalesforceDestination({ ...config, apiVersion: 'v45.0' });
    const s = scoredSample();
    await dest.deliver(s, { signal: signal() });
    expect(await dest.deliver(s, { signal: signal() })).toEqual({ status: 'ok' });
    expect(fake.requests.map((r) => r.replied)).toEqual([201, 204]);
  });

  it('a value matching several Leads (300) is failed with the matching records kept', async () => {
    const s = scoredSample();
    fake.duplicateExternalId(s.session_id);
    const r = await createSalesforceDestination(config).deliver(s, { signal: signal() });
    expect(r).toMatchObject({ status: 'failed', error: expect.stringContaining('HTTP 300') });
    if (r.status === 'failed') expect(JSON.parse(r.responseBody ?? '')).toHaveLength(2);
  });

  it('falls back for the required LastName and Company when the prospect gave neither', async () => {
    const s = scoredSample({ lead: { pii_mode: 'full' } });
    expect(await createSalesforceDestination(config).deliver(s, { signal: signal() })).toEqual({
      status: 'ok',
    });
    expect(fake.records.get(s.session_id)?.value).toMatchObject({
      LastName: 'Unknown (SignalRoom call)',
      Company: 'Unknown',
    });
  });

  it('cuts Email to Salesforce’s 80 characters', async () => {
    const email = `${'a'.repeat(70)}@example.com`;
    const s = scoredSample({ lead: { pii_mode: 'full', email } });
    expect(await createSalesforceDestination(config).deliver(s, { signal: signal() })).toEqual({
      status: 'ok',
    });
    expect(fake.records.get(s.session_id)?.value.Email).toBe(email.slice(0, 80));
  });

  it('under the hashed policy sends no email or name', async () => {
    const s = scoredSample();
    await createSalesforceDestination({ ...config, piiMode: 'hashed' }).deliver(s, { signal: signal() });
    const v = fake.records.get(s.session_id)!.value;
    expect(v.Email).toBeUndefined();
    expect(v.LastName).toBe('Unknown (SignalRoom call)');
  });

  it('encodes the session id in the URL, dots included (a `.json`-like suffix would 404)', async () => {
    const s = scoredSample({ session_id: 'sess/with space.json' });
    expect(await createSalesforceDestination(config).deliver(s, { signal: signal() })).toEqual({
      status: 'ok',
    });
    expect(fake.requests[0]?.path).toBe(
      `/services/data/v62.0/sobjects/Lead/${EXT}/sess%2Fwith%20space%2Ejson`,
    );
    expect(fake.records.has('sess/with space.json')).toBe(true);
  });

  it('a field missing in the org is failed with INVALID_FIELD in the body', async () => {
    const r = await createSalesforceDestination({ ...config, fields: salesforceFields('SR_') }).deliver(
      scoredSample(),
      { signal: signal() },
    );
    expect(r.status).toBe('failed');
    if (r.status === 'failed') expect(r.responseBody).toContain('INVALID_FIELD');
  });

  it('a static token that expired (401 INVALID_SESSION_ID) fails: it cannot be renewed', async () => {
    const stale = await createSalesforceDestination({
      ...config,
      auth: { flow: 'static', accessToken: 'old' },
    }).deliver(scoredSample(), { signal: signal() });
    expect(stale).toMatchObject({ status: 'failed', error: expect.stringContaining('INVALID_SESSION_ID') });
  });

  it('client credentials: fetches a token, takes the instance URL from it and reuses it', async () => {
    const dest = createSalesforceDestination(oauthConfig());
    expect(await dest.deliver(scoredSample(), { signal: signal() })).toEqual({ status: 'ok' });
    expect(await dest.deliver(scoredSample({ session_id: 'sess_2' }), { signal: signal() })).toEqual({
      status: 'ok',
    });
    expect(fake.tokensIssued).toBe(1);
    const token = fake.requests[0]!;
    expect(token).toMatchObject({ method: 'POST', path: '/services/oauth2/token' });
    expect(token.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'cid',
      client_secret: SECRET,
    });
    expect(fake.requests.map((r) => r.replied)).toEqual([200, 201, 201]);
  });

  it('a session that timed out (401 INVALID_SESSION_ID) gets a new token and the delivery succeeds', async () => {
    const { lines, log } = capturingLogger();
    const dest = createSalesforceDestination(oauthConfig(), { log });
    expect(await dest.deliver(scoredSample(), { signal: signal() })).toEqual({ status: 'ok' });
    fake.expireSessions();
    const s2 = scoredSample({ session_id: 'sess_after_timeout' });
    expect(await dest.deliver(s2, { signal: signal() })).toEqual({ status: 'ok' });
    // token, upsert, refused upsert, new token, upsert
    expect(fake.requests.map((r) => r.replied)).toEqual([200, 201, 401, 200, 201]);
    expect(JSON.parse(fake.requests[2]!.body)).toEqual(JSON.parse(fake.requests[4]!.body));
    expect(fake.records.has('sess_after_timeout')).toBe(true);
    const tokens = fake.requests
      .filter((r) => r.path !== '/services/oauth2/token')
      .map((r) => r.headers.authorization);
    expect(new Set(tokens).size).toBe(2);
    const logged = lines.join('\n');
    expect(logged).toContain('salesforce session expired');
    expect(logged).not.toContain(SECRET);
    for (const t of tokens) expect(logged).not.toContain(String(t).slice(7));
  });

  it('renews the token before it is refused once it is older than tokenTtlMs', async () => {
    let now = Date.now();
    const dest = createSalesforceDestination({ ...oauthConfig(), tokenTtlMs: 60_000 }, { now: () => now });
    await dest.deliver(scoredSample(), { signal: signal() });
    now += 61_000;
    expect(await dest.deliver(scoredSample({ session_id: 'later' }), { signal: signal() })).toEqual({
      status: 'ok',
    });
    expect(fake.requests.map((r) => r.replied)).toEqual([200, 201, 200, 201]);
  });

  it('the JWT bearer flow signs an RS256 assertion the token endpoint accepts', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwtFake = await createSalesforceFake({
      oauth: {
        clientId: 'cid',
        username: 'integration@example.com',
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        sessionTtlMs: 60_000,
      },
      externalIdField: EXT,
      customFields: Object.values(salesforceFields()),
    }).start();
    try {
      const auth = {
        flow: 'jwt_bearer' as const,
        tokenUrl: `${jwtFake.url}/services/oauth2/token`,
        clientId: 'cid',
        username: 'integration@example.com',
        privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        audience: 'https://login.salesforce.com',
      };
      const dest = createSalesforceDestination({ ...oauthConfig(), auth });
      expect(await dest.deliver(scoredSample(), { signal: signal() })).toEqual({ status: 'ok' });
      const form = new URLSearchParams(jwtFake.requests[0]!.body);
      expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
      // another user's key is refused: invalid_grant, failed (not retried), nothing written
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const bad = createSalesforceDestination({
        ...oauthConfig(),
        auth: { ...auth, privateKeyPem: other.export({ type: 'pkcs8', format: 'pem' }).toString() },
      });
      expect(await bad.deliver(scoredSample({ session_id: 'x2' }), { signal: signal() })).toMatchObject({
        status: 'failed',
        error: expect.stringContaining('invalid_grant'),
      });
      expect(jwtFake.records.has('x2')).toBe(false);
    } finally {
      await jwtFake.stop();
    }
  });

  it('a wrong client secret is failed with Salesforce’s error, never the secret', async () => {
    const { lines, log } = capturingLogger();
    const cfg = oauthConfig();
    const wrong = 'wrong-secret-abcdefghijk';
    const dest = createSalesforceDestination(
      {
        ...cfg,
        auth: { ...(cfg.auth as { flow: 'client_credentials' } & typeof cfg.auth), clientSecret: wrong },
      },
      { log },
    );
    const r = await dest.deliver(scoredSample(), { signal: signal() });
    expect(r).toMatchObject({ status: 'failed', error: expect.stringContaining('invalid_client') });
    expect(JSON.stringify(r)).not.toContain(wrong);
    expect(lines.join('\n')).not.toContain(wrong);
  });

  it('403 REQUEST_LIMIT_EXCEEDED for concurrent requests is retryable', async () => {
    fake.script({
      status: 403,
      body: [
        {
          message: 'ConcurrentRequests (Concurrent API Requests) Limit exceeded.',
          errorCode: 'REQUEST_LIMIT_EXCEEDED',
        },
      ],
    });
    const r = await createSalesforceDestination(config).deliver(scoredSample(), { signal: signal() });
    expect(r.status).toBe('retryable');
  });

  it('the daily TotalRequests limit parks at once with the full body and holds later calls back', async () => {
    const body = [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }];
    fake.script({ status: 403, body });
    const parked = new MemoryParkedStore();
    const dest = createSalesforceDestination({ ...config, rateLimitPauseMs: 60_000 });
    const wrapped = withRetry(dest, { maxAttempts: 5, deadlineMs: 30_000, baseDelayMs: 10, parked });
    const report = await wrapped.deliverWithReport(scoredSample(), { signal: signal() });
    expect(report.attempts).toBe(1);
    expect(report.parked?.response_body).toBe(JSON.stringify(body));
    const later = await dest.deliver(scoredSample({ session_id: 'later' }), { signal: signal() });
    expect(later).toMatchObject({ status: 'retryable', retryInMs: expect.any(Number) });
    expect(fake.requests).toHaveLength(1);
  });

  it('env section: the flow follows the credentials given, and names what is missing', () => {
    expect(salesforceConfigFromEnv({})).toEqual({ ok: true, config: null });
    const r = salesforceConfigFromEnv({ SALESFORCE_ACCESS_TOKEN: 't' });
    expect(r).toEqual({ ok: false, error: expect.stringContaining('SALESFORCE_INSTANCE_URL') });
    const v = salesforceConfigFromEnv({ SALESFORCE_ACCESS_TOKEN: 't', SALESFORCE_API_VERSION: '62' });
    expect(v).toEqual({ ok: false, error: expect.stringContaining('SALESFORCE_API_VERSION') });
    const ok = salesforceConfigFromEnv({
      SALESFORCE_ACCESS_TOKEN: 't',
      SALESFORCE_INSTANCE_URL: 'https://x.my.salesforce.com/',
    });
    expect(ok).toMatchObject({
      ok: true,
      config: {
        instanceUrl: 'https://x.my.salesforce.com',
        auth: { flow: 'static' },
        externalIdField: EXT,
        fields: { top_reasons: 'SignalRoom_Top_Reasons__c' },
      },
    });
    expect(
      salesforceConfigFromEnv({
        SALESFORCE_CLIENT_ID: 'cid',
        SALESFORCE_CLIENT_SECRET: 's',
        SALESFORCE_INSTANCE_URL: 'https://x.my.salesforce.com',
      }),
    ).toMatchObject({
      ok: true,
      config: {
        auth: { flow: 'client_credentials', tokenUrl: 'https://x.my.salesforce.com/services/oauth2/token' },
      },
    });
    expect(salesforceConfigFromEnv({ SALESFORCE_CLIENT_SECRET: 's' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('SALESFORCE_CLIENT_ID'),
    });
    const badKey = salesforceConfigFromEnv({
      SALESFORCE_CLIENT_ID: 'cid',
      SALESFORCE_USERNAME: 'u@example.com',
      SALESFORCE_PRIVATE_KEY: 'not a key',
    });
    expect(badKey).toMatchObject({ ok: false, error: expect.stringContaining('SALESFORCE_PRIVATE_KEY') });
    if (!badKey.ok) expect(badKey.error).not.toContain('not a key');
  });
});
