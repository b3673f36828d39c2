import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AmplitudeConfig,
  amplitudeConfigFromEnv,
  createAmplitudeDestination,
  hashContactValue,
} from '../../src/destinations/index.js';
import { createAmplitudeFake, type FakeVendorServer } from '../../src/testing/vendor_servers.js';
import { scoredSample, signal, testHasher } from './fixtures.js';

describe('amplitude destination', () => {
  let fake: FakeVendorServer;
  let config: AmplitudeConfig;
  beforeEach(async () => {
    fake = await createAmplitudeFake({ apiKey: 'k-123' }).start();
    config = {
      apiKey: 'k-123',
      endpoint: `${fake.url}/2/httpapi`,
      eventType: 'sales_call_scored',
      piiMode: 'hashed',
      timeoutMs: 2000,
    };
  });
  afterEach(() => fake.stop());

  it('sends one sales_call_scored event with insert_id = session id and a hashed user id by default', async () => {
    const s = scoredSample();
    expect(
      await createAmplitudeDestination(config, { hasher: testHasher }).deliver(s, { signal: signal() }),
    ).toEqual({
      status: 'ok',
    });
    const body = JSON.parse(fake.requests[0]!.body);
    expect(body.api_key).toBe('k-123');
    const e = fake.records.get(s.session_id)!.value;
    expect(e).toMatchObject({
      event_type: 'sales_call_scored',
      insert_id: s.session_id,
      user_id: hashContactValue('email', 'maria@example.com', testHasher),
      time: Date.parse(s.payload.ended_at),
      event_properties: {
        score: s.score.score,
        tier: s.score.tier,
        outcome: 'meeting_booked',
        industry: 'legal',
      },
    });
    expect(String(e.device_id)).toMatch(/^sr_[0-9a-f]{32}$/);
    expect(fake.requests[0]!.body).not.toContain('maria@example.com');
  });

  it('full policy sends the email as user_id; none sends only the synthetic device id', async () => {
    const s = scoredSample();
    await createAmplitudeDestination({ ...config, piiMode: 'full' }, { hasher: testHasher }).deliver(s, {
      signal: signal(),
    });
    expect(fake.records.get(s.session_id)?.value.user_id).toBe('maria@example.com');
    const s2 = scoredSample({ session_id: 'sess_2' });
    await createAmplitudeDestination({ ...config, piiMode: 'none' }, { hasher: testHasher }).deliver(s2, {
      signal: signal(),
    });
    expect(fake.records.get('sess_2')?.value.user_id).toBeUndefined();
    const none = fake.records.get('sess_2')?.value;
    expect(String(none?.device_id)).toMatch(/^sr_[0-9a-f]{32}$/);
    expect(JSON.stringify(none)).not.toContain('maria');
  });

  it('a wrong API key is a failed delivery with Amplitude’s 400 body', async () => {
    const r = await createAmplitudeDestination({ ...config, apiKey: 'bad' }, { hasher: testHasher }).deliver(
      scoredSample(),
      {
        signal: signal(),
      },
    );
    expect(r.status).toBe('failed');
    if (r.status === 'failed') expect(r.responseBody).toContain('Invalid API key');
  });

  it('env section: off without a key; EU endpoint configurable', () => {
    expect(amplitudeConfigFromEnv({})).toEqual({ ok: true, config: null });
    expect(
      amplitudeConfigFromEnv({
        AMPLITUDE_API_KEY: 'k',
        AMPLITUDE_ENDPOINT: 'https://api.eu.amplitude.com/2/httpapi',
      }),
    ).toMatchObject({
      ok: true,
      config: { endpoint: 'https://api.eu.amplitude.com/2/httpapi', piiMode: 'hashed' },
    });
    expect(amplitudeConfigFromEnv({ AMPLITUDE_API_KEY: 'k', AMPLITUDE_PII_MODE: 'some' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('AMPLITUDE_PII_MODE'),
    });
  });
});
