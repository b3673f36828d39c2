import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createSalesforceDestination,
  type SalesforceConfig,
  salesforceConfigFromEnv,
  salesforceFields,
} from '../../src/destinations/index.js';
import { createSalesforceFake, type FakeVendorServer } from '../../src/testing/vendor_servers.js';
import { scoredSample, signal } from './fixtures.js';

const EXT = 'SignalRoom_Session_Id__c';

describe('salesforce destination', () => {
  let fake: FakeVendorServer;
  let config: SalesforceConfig;
  beforeEach(async () => {
    fake = await createSalesforceFake({
      accessToken: 'tok',
      externalIdField: EXT,
      customFields: Object.values(salesforceFields()),
    }).start();
    config = {
      instanceUrl: fake.url,
      accessToken: 'tok',
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

  it('under the hashed policy sends no email or name', async () => {
    const s = scoredSample();
    await createSalesforceDestination({ ...config, piiMode: 'hashed' }).deliver(s, { signal: signal() });
    const v = fake.records.get(s.session_id)!.value;
    expect(v.Email).toBeUndefined();
    expect(v.LastName).toBe('Unknown (SignalRoom call)');
  });

  it('encodes the session id in the URL', async () => {
    const s = scoredSample({ session_id: 'sess/with space' });
    expect(await createSalesforceDestination(config).deliver(s, { signal: signal() })).toEqual({
      status: 'ok',
    });
    expect(fake.requests[0]?.path).toBe(`/services/data/v62.0/sobjects/Lead/${EXT}/sess%2Fwith%20space`);
    expect(fake.records.has('sess/with space')).toBe(true);
  });

  it('a field missing in the org is failed with INVALID_FIELD in the body', async () => {
    const r = await createSalesforceDestination({ ...config, fields: salesforceFields('SR_') }).deliver(
      scoredSample(),
      {
        signal: signal(),
      },
    );
    expect(r.status).toBe('failed');
    if (r.status === 'failed') expect(r.responseBody).toContain('INVALID_FIELD');
  });

  it('an expired token (401 INVALID_SESSION_ID) fails; a token provider is used when given', async () => {
    const stale = await createSalesforceDestination({ ...config, accessToken: 'old' }).deliver(
      scoredSample(),
      {
        signal: signal(),
      },
    );
    expect(stale).toMatchObject({ status: 'failed', error: expect.stringContaining('INVALID_SESSION_ID') });
    const fresh = await createSalesforceDestination(
      { ...config, accessToken: 'old' },
      { getAccessToken: async () => 'tok' },
    ).deliver(scoredSample(), { signal: signal() });
    expect(fresh).toEqual({ status: 'ok' });
  });

  it('403 REQUEST_LIMIT_EXCEEDED is retryable', async () => {
    fake.script({
      status: 403,
      body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
    });
    const r = await createSalesforceDestination(config).deliver(scoredSample(), { signal: signal() });
    expect(r.status).toBe('retryable');
  });

  it('env section: needs the instance URL once a token is set', () => {
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
        externalIdField: EXT,
        fields: { top_reasons: 'SignalRoom_Top_Reasons__c' },
      },
    });
  });
});
