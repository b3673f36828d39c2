/**
 * The behaviour every HTTP destination shares, run against each vendor's fake: happy path,
 * idempotent re-delivery, 429 + Retry-After, 500 then success, 400 parked with the response body,
 * replay of the parked delivery.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryParkedStore, replayParked, withRetry } from '../../src/delivery/index.js';
import {
  createAmplitudeDestination,
  createHubSpotDestination,
  createSalesforceDestination,
  createWebhookDestination,
  hubspotProperties,
  salesforceFields,
} from '../../src/destinations/index.js';
import type { PiiHasher } from '../../src/privacy/index.js';
import {
  createAmplitudeFake,
  createHubSpotFake,
  createSalesforceFake,
  createWebhookReceiver,
  type FakeReply,
  type FakeVendorServer,
} from '../../src/testing/vendor_servers.js';
import type { Destination } from '../../src/types.js';
import { recordingClock, recordingSleep, scoredSample, signal, testHasher } from './fixtures.js';

interface Case {
  name: string;
  fake: () => FakeVendorServer;
  destination: (baseUrl: string, deps: { now: () => number; hasher: PiiHasher }) => Destination;
  /** The idempotency key the sample session is stored under. */
  key: string;
  badRequest: FakeReply;
}

const session = scoredSample();
const SF_EXT = 'SignalRoom_Session_Id__c';

const cases: Case[] = [
  {
    name: 'hubspot',
    fake: () =>
      createHubSpotFake({ accessToken: 'pat-test', customProperties: Object.values(hubspotProperties()) }),
    destination: (url, deps) =>
      createHubSpotDestination(
        {
          accessToken: 'pat-test',
          baseUrl: url,
          properties: hubspotProperties(),
          piiMode: 'full',
          timeoutMs: 2000,
        },
        deps,
      ),
    key: 'maria@example.com',
    badRequest: {
      status: 400,
      body: { status: 'error', message: 'Property values were not valid', category: 'VALIDATION_ERROR' },
    },
  },
  {
    name: 'salesforce',
    fake: () =>
      createSalesforceFake({
        accessToken: 'sf-token',
        externalIdField: SF_EXT,
        customFields: Object.values(salesforceFields()),
      }),
    destination: (url, deps) =>
      createSalesforceDestination(
        {
          instanceUrl: url,
          auth: { flow: 'static', accessToken: 'sf-token' },
          apiVersion: 'v62.0',
          externalIdField: SF_EXT,
          fields: salesforceFields(),
          lastNameFallback: 'Unknown',
          companyFallback: 'Unknown',
          piiMode: 'full',
          timeoutMs: 2000,
        },
        deps,
      ),
    key: session.session_id,
    badRequest: {
      status: 400,
      body: [{ message: 'Required fields are missing: [LastName]', errorCode: 'REQUIRED_FIELD_MISSING' }],
    },
  },
  {
    name: 'amplitude',
    fake: () => createAmplitudeFake({ apiKey: 'amp-key' }),
    destination: (url, deps) =>
      createAmplitudeDestination(
        {
          apiKey: 'amp-key',
          endpoint: `${url}/2/httpapi`,
          eventType: 'sales_call_scored',
          piiMode: 'hashed',
          timeoutMs: 2000,
        },
        deps,
      ),
    key: session.session_id,
    badRequest: {
      status: 400,
      body: { code: 400, error: 'Request missing required field', missing_field: 'api_key' },
    },
  },
  {
    name: 'webhook',
    fake: () => createWebhookReceiver({ secret: 'whsec_0123456789abcdef' }),
    destination: (url, deps) =>
      createWebhookDestination(
        {
          url: `${url}/hooks/signalroom`,
          secret: 'whsec_0123456789abcdef',
          piiMode: 'hashed',
          timeoutMs: 2000,
        },
        deps,
      ),
    key: session.session_id,
    badRequest: { status: 400, body: { error: 'schema mismatch' } },
  },
];

describe.each(cases)('$name destination against its fake', (c) => {
  let fake: FakeVendorServer;
  let dest: Destination;
  let clock: ReturnType<typeof recordingClock>;
  beforeEach(async () => {
    fake = await c.fake().start();
    clock = recordingClock();
    dest = c.destination(fake.url, { now: clock.now, hasher: testHasher });
  });
  afterEach(async () => {
    await fake.stop();
  });

  it('delivers a scored session and the fake stores one record under its idempotency key', async () => {
    expect(await dest.deliver(session, { signal: signal() })).toEqual({ status: 'ok' });
    expect([...fake.records.keys()]).toEqual([c.key]);
    expect(fake.records.get(c.key)?.writes).toBe(1);
  });

  it('re-delivering the same session leaves one record (an upsert, not a duplicate)', async () => {
    await dest.deliver(session, { signal: signal() });
    expect(await dest.deliver(session, { signal: signal() })).toEqual({ status: 'ok' });
    expect(fake.records.size).toBe(1);
    expect(fake.records.get(c.key)?.writes).toBe(2);
  });

  it('a 429 is retried after at least the Retry-After the server sent', async () => {
    fake.script({ status: 429, headers: { 'Retry-After': '2' }, body: { message: 'rate limited' } });
    const { delays, sleep, now } = clock;
    const report = await withRetry(dest, {
      maxAttempts: 3,
      deadlineMs: 60_000,
      baseDelayMs: 10,
      sleep,
      now,
    }).deliverWithReport(session, { signal: signal() });
    expect(report.result).toEqual({ status: 'ok' });
    expect(report.attempts).toBe(2);
    expect(delays[0]).toBeGreaterThanOrEqual(2000);
    expect(fake.records.get(c.key)?.writes).toBe(1);
  });

  it('500s are retried with backoff until the delivery succeeds', async () => {
    fake.script({ status: 500, body: { error: 'boom' } }, { status: 503 });
    const { delays, sleep } = recordingSleep();
    const report = await withRetry(dest, {
      maxAttempts: 5,
      deadlineMs: 60_000,
      baseDelayMs: 100,
      sleep,
    }).deliverWithReport(session, { signal: signal() });
    expect(report.result.status).toBe('ok');
    expect(report.attempts).toBe(3);
    expect(delays).toHaveLength(2);
    expect(fake.records.size).toBe(1);
  });

  it('a 400 is not retried: it is parked with the response body, and replay delivers it', async () => {
    fake.script(c.badRequest);
    const parked = new MemoryParkedStore();
    const { delays, sleep } = recordingSleep();
    const wrapped = withRetry(dest, { maxAttempts: 5, deadlineMs: 60_000, baseDelayMs: 10, sleep, parked });
    const report = await wrapped.deliverWithReport(session, { signal: signal() });
    expect(report.attempts).toBe(1);
    expect(delays).toEqual([]);
    expect(report.result.status).toBe('failed');
    expect(report.parked?.destination).toBe(c.name);
    expect(report.parked?.response_body).toBe(JSON.stringify(c.badRequest.body));
    expect(fake.records.size).toBe(0);

    const entries = await parked.list();
    expect(entries).toHaveLength(1);
    expect(entries[0]?.session.session_id).toBe(session.session_id);

    const replay = await replayParked({ store: parked, destinations: [wrapped] });
    expect(replay.delivered.map((d) => d.session_id)).toEqual([session.session_id]);
    expect(replay.failed).toEqual([]);
    expect(await parked.list()).toEqual([]);
    expect(fake.records.get(c.key)?.writes).toBe(1);
  });
});
