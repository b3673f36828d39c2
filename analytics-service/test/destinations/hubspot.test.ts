import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createHubSpotDestination,
  type HubSpotConfig,
  hubspotConfigFromEnv,
  hubspotProperties,
} from '../../src/destinations/index.js';
import { createHubSpotFake, type FakeVendorServer } from '../../src/testing/vendor_servers.js';
import { scoredSample, signal } from './fixtures.js';

describe('hubspot destination', () => {
  let fake: FakeVendorServer;
  let config: HubSpotConfig;
  beforeEach(async () => {
    fake = await createHubSpotFake({
      accessToken: 'pat-1',
      customProperties: Object.values(hubspotProperties()),
    }).start();
    config = {
      accessToken: 'pat-1',
      baseUrl: fake.url,
      properties: hubspotProperties(),
      piiMode: 'full',
      timeoutMs: 2000,
    };
  });
  afterEach(() => fake.stop());

  it('batch-upserts the contact by email with score, tier, reasons and signals properties', async () => {
    const s = scoredSample();
    expect(await createHubSpotDestination(config).deliver(s, { signal: signal() })).toEqual({ status: 'ok' });
    const req = fake.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/crm/v3/objects/contacts/batch/upsert');
    expect(req.headers.authorization).toBe('Bearer pat-1');
    const body = JSON.parse(req.body);
    expect(body.inputs[0].idProperty).toBe('email');
    expect(body.inputs[0].id).toBe('maria@example.com');
    const props = fake.records.get('maria@example.com')!.value;
    expect(props).toMatchObject({
      email: 'maria@example.com',
      firstname: 'Maria',
      lastname: 'Lopez',
      company: 'Lopez Legal',
      signalroom_score: String(s.score.score),
      signalroom_tier: s.score.tier,
      signalroom_outcome: 'meeting_booked',
      signalroom_session_id: s.session_id,
      signalroom_signals:
        'team_size=12; monthly_volume=217; integration_needs=hubspot,slack; urgency=high; industry=legal',
    });
    expect(props.signalroom_top_reasons).toContain('+40 engagement.meeting_booked');
  });

  it('skips (ok, no request) when there is no email to upsert on', async () => {
    const s = scoredSample({ lead: { pii_mode: 'full', name: 'Anon' } });
    expect(await createHubSpotDestination(config).deliver(s, { signal: signal() })).toEqual({ status: 'ok' });
    expect(fake.requests).toHaveLength(0);
  });

  it('skips when the payload only carries the hashed email', async () => {
    const s = scoredSample({ lead: { pii_mode: 'hashed', email: 'sha256:abc' } });
    expect(await createHubSpotDestination(config).deliver(s, { signal: signal() })).toEqual({ status: 'ok' });
    expect(fake.requests).toHaveLength(0);
  });

  it('a property the portal does not have is a failed delivery with HubSpot’s validation body', async () => {
    const dest = createHubSpotDestination({ ...config, properties: hubspotProperties('sr_') });
    const r = await dest.deliver(scoredSample(), { signal: signal() });
    expect(r.status).toBe('failed');
    if (r.status !== 'failed') return;
    expect(r.responseBody).toContain('PROPERTY_DOESNT_EXIST');
  });

  it('a wrong token is a failed delivery (401), not retried', async () => {
    const r = await createHubSpotDestination({ ...config, accessToken: 'nope' }).deliver(scoredSample(), {
      signal: signal(),
    });
    expect(r).toMatchObject({ status: 'failed', error: expect.stringContaining('HTTP 401') });
  });

  it('a 207 carrying errors is failed', async () => {
    fake.script({
      status: 207,
      body: { status: 'COMPLETE', results: [], numErrors: 1, errors: [{ message: 'x' }] },
    });
    const r = await createHubSpotDestination(config).deliver(scoredSample(), { signal: signal() });
    expect(r.status).toBe('failed');
  });

  it('env section: off without a token, names a bad variable, defaults otherwise', () => {
    expect(hubspotConfigFromEnv({})).toEqual({ ok: true, config: null });
    const bad = hubspotConfigFromEnv({ HUBSPOT_ACCESS_TOKEN: 't', HUBSPOT_BASE_URL: 'not a url' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toContain('HUBSPOT_BASE_URL');
    const good = hubspotConfigFromEnv({ HUBSPOT_ACCESS_TOKEN: 't' });
    expect(good).toMatchObject({
      ok: true,
      config: {
        baseUrl: 'https://api.hubapi.com',
        piiMode: 'full',
        properties: { score: 'signalroom_score' },
      },
    });
  });
});
