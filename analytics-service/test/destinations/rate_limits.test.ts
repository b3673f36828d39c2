/**
 * Vendors' documented rate limits, against fakes that enforce them: Amplitude's per-user/device
 * throttling (429 without Retry-After, pause ≈ 30 s, here configured short), HubSpot's burst and
 * daily limits. Waits are real but bounded by the configured pause and delivery deadline.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryParkedStore, withRetry } from '../../src/delivery/index.js';
import {
  type AmplitudeConfig,
  amplitudeEvent,
  createAmplitudeDestination,
  createHubSpotDestination,
  type HubSpotConfig,
  hubspotProperties,
} from '../../src/destinations/index.js';
import {
  type AmplitudeFake,
  createAmplitudeFake,
  createHubSpotFake,
  type FakeVendorServer,
  hubspotRateLimited,
} from '../../src/testing/vendor_servers.js';
import { scoredSample, signal, testHasher } from './fixtures.js';

const PAUSE_MS = 40;

describe('amplitude throttling (429 without Retry-After)', () => {
  let fake: AmplitudeFake;
  let config: AmplitudeConfig;
  beforeEach(async () => {
    fake = await createAmplitudeFake({ apiKey: 'k' }).start();
    config = {
      apiKey: 'k',
      endpoint: `${fake.url}/2/httpapi`,
      eventType: 'sales_call_scored',
      piiMode: 'hashed',
      timeoutMs: 2000,
      throttlePauseMs: PAUSE_MS,
    };
  });
  afterEach(() => fake.stop());

  const a = scoredSample({
    session_id: 'sess_a',
    participant: { identity: 'caller-a', kind: 'sip' },
  });
  const b = scoredSample({
    session_id: 'sess_b',
    participant: { identity: 'caller-b', kind: 'sip' },
    lead: { pii_mode: 'full', email: 'other@example.com' },
  });

  it('a storm of 429s longer than maxAttempts ends in delivery, not parking; another user flows meanwhile', async () => {
    const deviceA = amplitudeEvent(a, config, testHasher).device_id;
    expect(amplitudeEvent(b, config, testHasher).device_id).not.toBe(deviceA);
    fake.throttle([deviceA], 8);
    const parked = new MemoryParkedStore();
    const dest = withRetry(createAmplitudeDestination(config, { hasher: testHasher }), {
      maxAttempts: 3,
      deadlineMs: 10_000,
      baseDelayMs: 5,
      parked,
    });
    const pendingA = dest.deliverWithReport(a, { signal: signal() });
    // B starts once A has been throttled (A is then paused)
    while (!fake.requests.some((r) => r.replied === 429)) await new Promise((r) => setTimeout(r, 2));
    await new Promise((r) => setTimeout(r, PAUSE_MS / 4));
    const rb = await dest.deliverWithReport(b, { signal: signal() });
    const ra = await pendingA;
    expect(ra.result).toEqual({ status: 'ok' });
    expect(ra.parked).toBeNull();
    expect(await parked.list()).toEqual([]);
    const forA = fake.requests.filter((r) => r.body.includes('"sess_a"'));
    expect(forA.map((r) => r.replied)).toEqual([...Array(8).fill(429), 200]);
    expect(forA.every((r) => !('retry-after' in r.headers))).toBe(true);
    // every wait after a 429 is at least the configured pause
    expect(ra.delaysMs.length).toBeGreaterThanOrEqual(8);
    for (const d of ra.delaysMs) expect(d).toBeGreaterThanOrEqual(PAUSE_MS);
    // the other user was not held back: one attempt, no wait, written while A was paused
    expect(rb).toMatchObject({ result: { status: 'ok' }, attempts: 1, delaysMs: [] });
    const order = fake.accepted.map((r) => (r.body.includes('"sess_a"') ? 'a' : 'b'));
    expect(order).toEqual(['b', 'a']);
    expect(fake.records.get('sess_a')?.writes).toBe(1);
  });

  it('while a device is paused its next delivery waits without calling Amplitude', async () => {
    // a 429 whose body names nobody still pauses this event's ids
    fake.script({ status: 429, body: { code: 429, error: 'Too many requests for some devices and users' } });
    const dest = createAmplitudeDestination({ ...config, throttlePauseMs: 60_000 }, { hasher: testHasher });
    const first = await dest.deliver(a, { signal: signal() });
    expect(first).toMatchObject({ status: 'retryable', throttled: true, retryInMs: 60_000 });
    const second = await dest.deliver(a, { signal: signal() });
    expect(second).toMatchObject({ status: 'retryable', throttled: true });
    expect(fake.requests).toHaveLength(1);
    expect(await dest.deliver(b, { signal: signal() })).toEqual({ status: 'ok' });
  });

  it('a storm past the delivery deadline is parked with Amplitude’s full 429 body', async () => {
    fake.throttle([amplitudeEvent(a, config, testHasher).device_id], 1000);
    const parked = new MemoryParkedStore();
    const report = await withRetry(createAmplitudeDestination(config, { hasher: testHasher }), {
      maxAttempts: 3,
      deadlineMs: 300,
      baseDelayMs: 5,
      parked,
    }).deliverWithReport(a, { signal: signal() });
    expect(report.result.status).toBe('failed');
    expect(report.attempts).toBeGreaterThan(3);
    const body = JSON.parse(report.parked?.response_body ?? '{}');
    expect(body).toMatchObject({ code: 429, eps_threshold: 30, throttled_events: [0] });
    expect(Object.keys(body.throttled_devices)).toEqual([amplitudeEvent(a, config, testHasher).device_id]);
    // the error text names no id (under `full` a user id is an email)
    expect(report.parked?.error).not.toContain('sr_');
  });

  it('a device over its daily quota is parked at once with the body', async () => {
    fake.exhaustDailyQuota([amplitudeEvent(a, config, testHasher).device_id]);
    const report = await withRetry(createAmplitudeDestination(config, { hasher: testHasher }), {
      maxAttempts: 3,
      deadlineMs: 10_000,
      baseDelayMs: 5,
      parked: new MemoryParkedStore(),
    }).deliverWithReport(a, { signal: signal() });
    expect(report.attempts).toBe(1);
    expect(report.parked?.response_body).toContain('exceeded_daily_quota_devices');
  });
});

describe('hubspot rate limits', () => {
  let fake: FakeVendorServer;
  let config: HubSpotConfig;
  const start = async (opts: { burstLimit?: number; burstWindowMs?: number } = {}) => {
    fake = await createHubSpotFake({
      accessToken: 'pat',
      customProperties: Object.values(hubspotProperties()),
      ...opts,
    }).start();
    config = {
      accessToken: 'pat',
      baseUrl: fake.url,
      properties: hubspotProperties(),
      piiMode: 'full',
      timeoutMs: 2000,
      rateLimitPauseMs: 150,
      dailyLimitPauseMs: 60_000,
    };
  };
  afterEach(() => fake.stop());
  const session = (i: number) =>
    scoredSample({ session_id: `s${i}`, lead: { pii_mode: 'full', email: `p${i}@example.com` } });

  it('the burst limit pauses every HubSpot delivery and all of them land, none parked', async () => {
    await start({ burstLimit: 2, burstWindowMs: 150 });
    const parked = new MemoryParkedStore();
    const dest = withRetry(createHubSpotDestination(config), {
      maxAttempts: 2,
      deadlineMs: 10_000,
      baseDelayMs: 5,
      parked,
    });
    const reports = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => dest.deliverWithReport(session(i), { signal: signal() })),
    );
    expect(reports.map((r) => r.result.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(await parked.list()).toEqual([]);
    expect(fake.records.size).toBe(5);
    const limited = fake.requests.filter((r) => r.replied === 429);
    expect(limited.length).toBeGreaterThan(0);
  });

  it('the daily limit parks at once with HubSpot’s body and later sessions are not sent', async () => {
    await start();
    fake.script(hubspotRateLimited('DAILY'));
    const parked = new MemoryParkedStore();
    const dest = withRetry(createHubSpotDestination(config), {
      maxAttempts: 5,
      deadlineMs: 10_000,
      baseDelayMs: 5,
      parked,
    });
    const first = await dest.deliverWithReport(session(1), { signal: signal() });
    expect(first.attempts).toBe(1);
    expect(JSON.parse(first.parked?.response_body ?? '{}')).toMatchObject({
      errorType: 'RATE_LIMIT',
      policyName: 'DAILY',
    });
    const second = await dest.deliverWithReport(session(2), { signal: signal() });
    expect(second.parked).not.toBeNull();
    expect(fake.requests).toHaveLength(1);
  });

  it('a 200 whose status is not COMPLETE, or a 207 that is not JSON, is not success', async () => {
    await start();
    const dest = createHubSpotDestination(config);
    fake.script({ status: 200, body: { status: 'PENDING', results: [] } });
    expect(await dest.deliver(session(1), { signal: signal() })).toMatchObject({ status: 'retryable' });
    fake.script({ status: 200, body: 'OK' });
    expect(await dest.deliver(session(1), { signal: signal() })).toMatchObject({ status: 'retryable' });
    fake.script({ status: 207, body: '<html>multi-status</html>' });
    expect(await dest.deliver(session(1), { signal: signal() })).toMatchObject({ status: 'failed' });
    expect(await dest.deliver(session(1), { signal: signal() })).toEqual({ status: 'ok' });
  });
});
