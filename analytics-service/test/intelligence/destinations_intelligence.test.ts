import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createAmplitudeDestination,
  createHubSpotDestination,
  createSalesforceDestination,
  createWebhookDestination,
  hubspotContactProperties,
  hubspotProperties,
  salesforceFields,
} from '../../src/destinations/index.js';
import {
  createAmplitudeFake,
  createHubSpotFake,
  createSalesforceFake,
  createWebhookReceiver,
  type FakeVendorServer,
} from '../../src/testing/vendor_servers.js';
import type { ScoredSession } from '../../src/types.js';
import { testHasher } from '../destinations/fixtures.js';
import { analysedSession } from './analysed.js';

const signal = () => new AbortController().signal;
const QUOTE = 'our engagement letters take forever';
const HS_EXTRA = [
  'call_summary',
  'sentiment',
  'sentiment_trend',
  'analysis_status',
  'call_success',
  'cf_pain_point',
  'cf_current_process',
  'cf_timeline',
  'cf_decision_maker',
  'cf_buying_stage',
].map((k) => `signalroom_${k}`);
const SF_EXTRA = [
  'Call_Summary',
  'Sentiment',
  'Sentiment_Trend',
  'Analysis_Status',
  'Call_Success',
  'CF_Pain_Point',
  'CF_Current_Process',
  'CF_Timeline',
  'CF_Decision_Maker',
  'CF_Buying_Stage',
].map((k) => `SignalRoom_${k}__c`);

let s: ScoredSession;
let fake: FakeVendorServer | undefined;
beforeAll(async () => {
  s = await analysedSession();
});
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

describe('post-call intelligence in destinations', () => {
  it('HubSpot: summary and custom fields as contact properties under full; free text left out under hashed', async () => {
    fake = await createHubSpotFake({
      accessToken: 't',
      customProperties: [...Object.values(hubspotProperties()), ...HS_EXTRA],
    }).start();
    const config = { accessToken: 't', baseUrl: fake.url, properties: hubspotProperties(), timeoutMs: 2000 };
    expect(
      await createHubSpotDestination({ ...config, piiMode: 'full' }).deliver(s, { signal: signal() }),
    ).toEqual({
      status: 'ok',
    });
    const full = fake.records.get('maria@example.com')!.value;
    expect(full).toMatchObject({
      signalroom_call_summary: expect.stringContaining('law firm'),
      signalroom_cf_pain_point: 'engagement letters take too long',
      signalroom_cf_buying_stage: 'ready_to_buy',
      signalroom_cf_decision_maker: 'true',
      signalroom_analysis_status: 'ok',
      signalroom_call_success: 'true',
      signalroom_sentiment: String(s.sentiment!.mean),
    });
    // Under hashed there is no plain email, so HubSpot skips the contact; the properties it would write:
    const hashed = hubspotContactProperties(s, { ...config, piiMode: 'hashed' });
    expect(hashed.signalroom_call_summary).toBeUndefined();
    expect(hashed.signalroom_cf_pain_point).toBeUndefined();
    expect(hashed.signalroom_cf_buying_stage).toBe('ready_to_buy');
    expect(hashed.signalroom_cf_decision_maker).toBe('true');
  });

  it('Salesforce: Lead fields for the summary and custom fields (booleans as booleans); none of the text under none', async () => {
    fake = await createSalesforceFake({
      accessToken: 't',
      externalIdField: 'SignalRoom_Session_Id__c',
      customFields: [...Object.values(salesforceFields()), ...SF_EXTRA],
    }).start();
    const config = {
      instanceUrl: fake.url,
      auth: { flow: 'static' as const, accessToken: 't' },
      apiVersion: 'v62.0',
      externalIdField: 'SignalRoom_Session_Id__c',
      fields: salesforceFields(),
      lastNameFallback: 'Unknown',
      companyFallback: 'Unknown',
      timeoutMs: 2000,
    };
    expect(
      await createSalesforceDestination({ ...config, piiMode: 'full' }).deliver(s, { signal: signal() }),
    ).toEqual({
      status: 'ok',
    });
    const full = JSON.parse(fake.requests[0]!.body);
    expect(full).toMatchObject({
      SignalRoom_Call_Summary__c: expect.stringContaining('law firm'),
      SignalRoom_CF_Timeline__c: 'immediately',
      SignalRoom_CF_Decision_Maker__c: true,
      SignalRoom_Call_Success__c: true,
      SignalRoom_Analysis_Status__c: 'ok',
    });
    await createSalesforceDestination({ ...config, piiMode: 'none' }).deliver(s, { signal: signal() });
    const none = JSON.parse(fake.requests[1]!.body);
    expect(none.SignalRoom_Call_Summary__c).toBeUndefined();
    expect(none.SignalRoom_CF_Timeline__c).toBeUndefined();
    expect(none.SignalRoom_CF_Buying_Stage__c).toBe('ready_to_buy');
  });

  it('Amplitude: event properties with sentiment and categorical fields by default (hashed), the summary only under full', async () => {
    fake = await createAmplitudeFake({ apiKey: 'k' }).start();
    const config = {
      apiKey: 'k',
      endpoint: `${fake.url}/2/httpapi`,
      eventType: 'sales_call_scored',
      timeoutMs: 2000,
    };
    await createAmplitudeDestination({ ...config, piiMode: 'hashed' }, { hasher: testHasher }).deliver(s, {
      signal: signal(),
    });
    const e = fake.records.get(s.session_id)!.value as { event_properties: Record<string, unknown> };
    expect(e.event_properties).toMatchObject({
      sentiment: s.sentiment!.mean,
      sentiment_trend: s.sentiment!.trend_label,
      analysis_status: 'ok',
      cf_buying_stage: 'ready_to_buy',
      cf_decision_maker: true,
    });
    expect(e.event_properties.call_summary).toBeUndefined();
    expect(e.event_properties.cf_pain_point).toBeUndefined();
    await createAmplitudeDestination({ ...config, piiMode: 'full' }, { hasher: testHasher }).deliver(s, {
      signal: signal(),
    });
    const full = JSON.parse(fake.requests.at(-1)!.body).events[0].event_properties;
    expect(full.call_summary).toMatch(/law firm/);
    expect(full.cf_pain_point).toBe('engagement letters take too long');
  });

  it('webhook: the whole analysis with quotes under full; no summary, quote or free text under hashed', async () => {
    const secret = 'webhook-secret-0000000';
    fake = await createWebhookReceiver({ secret }).start();
    const config = { url: `${fake.url}/h`, secret, timeoutMs: 2000 };
    await createWebhookDestination({ ...config, piiMode: 'full' }, { hasher: testHasher }).deliver(s, {
      signal: signal(),
    });
    const full = JSON.parse(fake.requests[0]!.body).data;
    expect(full.intelligence.summary).toMatch(/law firm/);
    expect(full.intelligence.custom_fields.pain_point.quotes).toEqual([QUOTE]);
    expect(full.sentiment.messages).toHaveLength(6);
    expect(full.signal_opinions.find((o: { name: string }) => o.name === 'monthly_volume')).toMatchObject({
      detector: { value: 217 },
      llm: { value: 200 },
      agree: false,
    });
    await createWebhookDestination({ ...config, piiMode: 'hashed' }, { hasher: testHasher }).deliver(s, {
      signal: signal(),
    });
    const raw = fake.requests[1]!.body;
    expect(raw).not.toContain('engagement letters');
    expect(raw).not.toContain('managing partner');
    const hashed = JSON.parse(raw).data;
    expect(hashed.intelligence.summary).toBeNull();
    expect(hashed.intelligence.custom_fields.pain_point).toBeNull();
    expect(hashed.intelligence.custom_fields.buying_stage).toMatchObject({
      value: 'ready_to_buy',
      quotes: [],
    });
    expect(hashed.sentiment.mean).toBe(s.sentiment!.mean);
  });
});
