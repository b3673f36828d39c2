/**
 * The fakes are at least as strict as the vendors: raw requests (built here by hand, not by our
 * destination code) that a vendor's reference refuses are refused by its fake the way the vendor
 * answers. Then what our destinations actually send is checked field by field, independently of
 * the helpers that built it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createAmplitudeDestination,
  createHubSpotDestination,
  createSalesforceDestination,
  hubspotProperties,
  salesforceFields,
} from '../../src/destinations/index.js';
import {
  type AmplitudeFake,
  createAmplitudeFake,
  createHubSpotFake,
  createSalesforceFake,
  type FakeVendorServer,
} from '../../src/testing/vendor_servers.js';
import { scoredSample, signal, testHasher } from './fixtures.js';

const started: FakeVendorServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.stop()));
});
async function run<T extends FakeVendorServer>(fake: T): Promise<T> {
  started.push(fake);
  return fake.start();
}

const post = async (url: string, body: unknown, headers: Record<string, string> = {}, method = 'POST') => {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, json };
};

describe('the HubSpot fake refuses what HubSpot refuses', () => {
  const props = Object.values(hubspotProperties());
  const auth = { authorization: 'Bearer pat' };
  const input = (i: number, properties: Record<string, unknown> = { firstname: 'A' }) => ({
    id: `p${i}@example.com`,
    idProperty: 'email',
    properties,
  });

  it('property values must be strings: numbers, booleans and null are a 400 VALIDATION_ERROR', async () => {
    const fake = await run(createHubSpotFake({ accessToken: 'pat', customProperties: props }));
    const url = `${fake.url}/crm/v3/objects/contacts/batch/upsert`;
    for (const value of [12, true, null]) {
      const r = await post(url, { inputs: [input(1, { signalroom_score: value })] }, auth);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    }
    expect((await post(url, { inputs: [input(1, { signalroom_score: '12' })] }, auth)).status).toBe(200);
    expect(fake.records.size).toBe(1);
  });

  it('takes up to 100 inputs, refuses 101, an empty batch, unknown keys and a wrong content type', async () => {
    const fake = await run(createHubSpotFake({ accessToken: 'pat', customProperties: props }));
    const url = `${fake.url}/crm/v3/objects/contacts/batch/upsert`;
    const batch = (n: number) => ({ inputs: Array.from({ length: n }, (_, i) => input(i)) });
    expect((await post(url, batch(100), auth)).status).toBe(200);
    expect((await post(url, batch(101), auth)).status).toBe(400);
    expect((await post(url, batch(0), auth)).status).toBe(400);
    expect((await post(url, { ...batch(1), extra: 1 }, auth)).status).toBe(400);
    expect((await post(url, batch(1), { ...auth, 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(url, batch(1), { authorization: 'Bearer other' })).status).toBe(401);
  });

  it('answers its documented 429 when the burst window is full', async () => {
    const fake = await run(
      createHubSpotFake({ accessToken: 'pat', customProperties: props, burstLimit: 1, burstWindowMs: 5_000 }),
    );
    const url = `${fake.url}/crm/v3/objects/contacts/batch/upsert`;
    expect((await post(url, { inputs: [input(1)] }, auth)).status).toBe(200);
    const r = await post(url, { inputs: [input(2)] }, auth);
    expect(r.status).toBe(429);
    expect(r.json).toMatchObject({ errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' });
  });
});

describe('the Salesforce fake refuses what Salesforce refuses', () => {
  const EXT = 'SignalRoom_Session_Id__c';
  const start = () =>
    run(
      createSalesforceFake({
        accessToken: 'tok',
        oauth: { clientId: 'cid', clientSecret: 'secret-0123456789', sessionTtlMs: 60_000 },
        externalIdField: EXT,
        customFields: Object.values(salesforceFields()),
      }),
    );
  const auth = { authorization: 'Bearer tok' };
  const lead = { LastName: 'Lopez', Company: 'Lopez Legal' };

  it('refuses Id or the external id field in the body, unknown fields, nested values and non-objects', async () => {
    const fake = await start();
    const url = `${fake.url}/services/data/v62.0/sobjects/Lead/${EXT}/s1`;
    const patch = (body: unknown, headers = auth) => post(url, body, headers, 'PATCH');
    expect(await patch({ ...lead, Id: '00Q' })).toMatchObject({
      status: 400,
      json: [{ errorCode: 'INVALID_FIELD' }],
    });
    expect(await patch({ ...lead, [EXT]: 's1' })).toMatchObject({
      status: 400,
      json: [{ errorCode: 'INVALID_FIELD' }],
    });
    expect(await patch({ ...lead, Nope__c: 'x' })).toMatchObject({
      status: 400,
      json: [{ errorCode: 'INVALID_FIELD' }],
    });
    expect((await patch({ ...lead, Description: { a: 1 } })).status).toBe(400);
    expect((await patch([lead])).status).toBe(400);
    expect(await patch({ Company: 'x' })).toMatchObject({
      status: 400,
      json: [{ errorCode: 'REQUIRED_FIELD_MISSING' }],
    });
    expect(await patch(lead, { authorization: 'Bearer expired' })).toMatchObject({
      status: 401,
      json: [{ errorCode: 'INVALID_SESSION_ID' }],
    });
    expect((await patch(lead)).status).toBe(201);
  });

  it('reads a trailing `.xyz` in a raw path value as a format (404), not a percent-encoded dot', async () => {
    const fake = await start();
    const base = `${fake.url}/services/data/v62.0/sobjects/Lead/${EXT}`;
    expect((await post(`${base}/a@b.inc`, lead, auth, 'PATCH')).status).toBe(404);
    expect((await post(`${base}/a@b%2Einc`, lead, auth, 'PATCH')).status).toBe(201);
  });

  it('its token endpoint takes a form body and refuses unknown grants and wrong secrets', async () => {
    const fake = await start();
    const token = (form: Record<string, string>, type = 'application/x-www-form-urlencoded') =>
      post(`${fake.url}/services/oauth2/token`, new URLSearchParams(form).toString(), {
        'content-type': type,
      });
    const cc = { grant_type: 'client_credentials', client_id: 'cid', client_secret: 'secret-0123456789' };
    expect(await token({ grant_type: 'password' })).toMatchObject({
      status: 400,
      json: { error: 'unsupported_grant_type' },
    });
    expect(await token({ ...cc, client_secret: 'wrong' })).toMatchObject({
      status: 400,
      json: { error: 'invalid_client' },
    });
    expect((await token(cc, 'application/json')).status).toBe(400);
    const ok = await token(cc);
    expect(ok).toMatchObject({ status: 200, json: { token_type: 'Bearer', instance_url: fake.url } });
    expect(ok.json).not.toHaveProperty('expires_in');
  });
});

describe('the Amplitude fake refuses what Amplitude refuses', () => {
  let fake: AmplitudeFake;
  const event = (over: Record<string, unknown> = {}) => ({
    event_type: 'x',
    device_id: 'device-1',
    time: 1_790_000_000_000,
    insert_id: 'i1',
    ...over,
  });

  it('names invalid and missing event fields in its 400 body', async () => {
    fake = await run(createAmplitudeFake({ apiKey: 'k' }));
    const url = `${fake.url}/2/httpapi`;
    const send = (e: unknown) => post(url, { api_key: 'k', events: [e] });
    expect(await send(event({ time: 1_790_000_000 }))).toMatchObject({
      status: 400,
      json: { events_with_invalid_fields: { time: [0] } },
    });
    expect(await send(event({ device_id: 'abcd' }))).toMatchObject({
      status: 400,
      json: { events_with_invalid_fields: { device_id: [0] } },
    });
    expect(await send({ event_type: 'x' })).toMatchObject({
      status: 400,
      json: { events_with_missing_fields: { user_id: [0] } },
    });
    expect(await send(event({ surprise: 1 }))).toMatchObject({ status: 400 });
    expect(await post(url, { api_key: 'k' })).toMatchObject({
      status: 400,
      json: { missing_field: 'events' },
    });
    expect((await send(event())).status).toBe(200);
  });

  it('answers 413 over 2000 events or 1 MB, and 429 without Retry-After for a throttled device', async () => {
    fake = await run(createAmplitudeFake({ apiKey: 'k' }));
    const url = `${fake.url}/2/httpapi`;
    const many = Array.from({ length: 2001 }, (_, i) => event({ insert_id: `i${i}` }));
    expect(await post(url, { api_key: 'k', events: many })).toMatchObject({
      status: 413,
      json: { code: 413 },
    });
    const big = event({ event_properties: { blob: 'x'.repeat(1024 * 1024) } });
    expect((await post(url, { api_key: 'k', events: [big] })).status).toBe(413);
    fake.throttle(['device-1'], 1);
    const r = await post(url, { api_key: 'k', events: [event()] });
    expect(r).toMatchObject({
      status: 429,
      json: { throttled_devices: { 'device-1': 31 }, throttled_events: [0] },
    });
    expect(r.headers.get('retry-after')).toBeNull();
    expect((await post(url, { api_key: 'k', events: [event()] })).status).toBe(200);
  });
});

describe('what our destinations send, checked without their helpers', () => {
  it('HubSpot: one input keyed on email, every property value a string', async () => {
    const fake = await run(
      createHubSpotFake({ accessToken: 'pat', customProperties: Object.values(hubspotProperties()) }),
    );
    const dest = createHubSpotDestination({
      accessToken: 'pat',
      baseUrl: fake.url,
      properties: hubspotProperties(),
      piiMode: 'full',
      timeoutMs: 2000,
    });
    expect(await dest.deliver(scoredSample(), { signal: signal() })).toEqual({ status: 'ok' });
    const body = JSON.parse(fake.requests[0]!.body);
    expect(Object.keys(body)).toEqual(['inputs']);
    expect(body.inputs).toHaveLength(1);
    expect(body.inputs[0]).toMatchObject({ id: 'maria@example.com', idProperty: 'email' });
    for (const v of Object.values(body.inputs[0].properties)) expect(typeof v).toBe('string');
  });

  it('Salesforce: no Id or external id in the body, flat scalar values, Email within 80 characters', async () => {
    const EXT = 'SignalRoom_Session_Id__c';
    const fake = await run(
      createSalesforceFake({
        accessToken: 'tok',
        externalIdField: EXT,
        customFields: Object.values(salesforceFields()),
      }),
    );
    const dest = createSalesforceDestination({
      instanceUrl: fake.url,
      auth: { flow: 'static', accessToken: 'tok' },
      apiVersion: 'v62.0',
      externalIdField: EXT,
      fields: salesforceFields(),
      lastNameFallback: 'Unknown',
      companyFallback: 'Unknown',
      piiMode: 'full',
      timeoutMs: 2000,
    });
    const s = scoredSample({ lead: { pii_mode: 'full', email: `${'x'.repeat(90)}@example.com` } });
    expect(await dest.deliver(s, { signal: signal() })).toEqual({ status: 'ok' });
    const body = JSON.parse(fake.requests[0]!.body) as Record<string, unknown>;
    expect(body).not.toHaveProperty('Id');
    expect(body).not.toHaveProperty(EXT);
    for (const v of Object.values(body)) expect(['string', 'number', 'boolean']).toContain(typeof v);
    expect(String(body.Email).length).toBeLessThanOrEqual(80);
  });

  it('Amplitude: ids of at least 5 characters, time in milliseconds, insert_id = session id', async () => {
    const fake = await run(createAmplitudeFake({ apiKey: 'k' }));
    const dest = createAmplitudeDestination(
      { apiKey: 'k', endpoint: `${fake.url}/2/httpapi`, eventType: 'e', piiMode: 'hashed', timeoutMs: 2000 },
      { hasher: testHasher },
    );
    const s = scoredSample();
    expect(await dest.deliver(s, { signal: signal() })).toEqual({ status: 'ok' });
    const [e] = JSON.parse(fake.requests[0]!.body).events;
    expect(e.time).toBe(Date.parse(s.payload.ended_at));
    expect(Number.isInteger(e.time) && e.time > 1e12).toBe(true);
    expect(e.insert_id).toBe(s.session_id);
    expect(e.device_id.length).toBeGreaterThanOrEqual(5);
    expect(e.user_id).toMatch(/^hmac-sha256:[0-9a-f]{8}:[0-9a-f]{64}$/);
  });
});
