import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createWebhookDestination,
  signWebhook,
  verifyWebhookSignature,
  type WebhookConfig,
  webhookConfigFromEnv,
} from '../../src/destinations/index.js';
import { createWebhookReceiver, type FakeVendorServer } from '../../src/testing/vendor_servers.js';
import { scoredSample, signal, testHasher } from './fixtures.js';

const SECRET = 'whsec_0123456789abcdef';

describe('webhook signature', () => {
  const body = '{"a":1}';
  const nowMs = 1_800_000_000_000;
  const ts = String(nowMs / 1000);

  it('is v1=<hex HMAC-SHA256(secret, timestamp.body)> and verifies', () => {
    const sig = signWebhook(SECRET, ts, body);
    expect(sig).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature({ secret: SECRET, body, timestamp: ts, signature: sig, nowMs })).toEqual({
      ok: true,
    });
  });

  it('rejects a tampered body, a wrong secret, a missing header and an old timestamp', () => {
    const sig = signWebhook(SECRET, ts, body);
    const v = (over: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
      verifyWebhookSignature({ secret: SECRET, body, timestamp: ts, signature: sig, nowMs, ...over });
    expect(v({ body: '{"a":2}' })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(v({ secret: 'other-secret-0000000' })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(v({ signature: undefined })).toEqual({ ok: false, reason: 'missing_header' });
    expect(v({ timestamp: 'yesterday' })).toEqual({ ok: false, reason: 'bad_timestamp' });
    expect(v({ nowMs: nowMs + 301_000 })).toEqual({ ok: false, reason: 'outside_tolerance' });
    expect(v({ nowMs: nowMs + 301_000, toleranceS: 600 })).toEqual({ ok: true });
  });

  it('accepts any of several v1 signatures (secret rotation)', () => {
    const sig = `${signWebhook('old-secret-000000000', ts, body)}, ${signWebhook(SECRET, ts, body)}`;
    expect(verifyWebhookSignature({ secret: SECRET, body, timestamp: ts, signature: sig, nowMs })).toEqual({
      ok: true,
    });
  });
});

describe('webhook destination', () => {
  let fake: FakeVendorServer;
  let config: WebhookConfig;
  beforeEach(async () => {
    fake = await createWebhookReceiver({ secret: SECRET }).start();
    config = { url: `${fake.url}/hooks/signalroom`, secret: SECRET, piiMode: 'hashed', timeoutMs: 2000 };
  });
  afterEach(() => fake.stop());

  it('posts a signed body with Idempotency-Key = session id; the hashed policy hides contact and text', async () => {
    const s = scoredSample({
      transcript: [{ role: 'user', text: 'I am Maria, maria@example.com', at: null }],
    });
    expect(
      await createWebhookDestination(config, { hasher: testHasher }).deliver(s, { signal: signal() }),
    ).toEqual({ status: 'ok' });
    const req = fake.requests[0]!;
    expect(req.headers['idempotency-key']).toBe(s.session_id);
    expect(req.headers['x-signalroom-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(req.body).not.toContain('maria@example.com');
    expect(req.body).not.toContain('Maria Lopez');
    const body = JSON.parse(req.body);
    expect(body.data.payload.transcript).toBeUndefined();
    expect(body.data.payload.lead.email).toBe(testHasher.hash('email', 'maria@example.com'));
    expect(body.data.score.tier).toBe(s.score.tier);
  });

  it('the full policy keeps the contact', async () => {
    const s = scoredSample();
    await createWebhookDestination({ ...config, piiMode: 'full' }).deliver(s, { signal: signal() });
    expect(JSON.parse(fake.requests[0]!.body).data.payload.lead.email).toBe('maria@example.com');
  });

  it('a receiver with another secret answers 401: failed, not retried', async () => {
    const r = await createWebhookDestination(
      { ...config, secret: 'another-secret-000000' },
      { hasher: testHasher },
    ).deliver(scoredSample(), {
      signal: signal(),
    });
    expect(r).toMatchObject({ status: 'failed', error: expect.stringContaining('HTTP 401') });
  });

  it('env section: the secret is required with a URL and must be long enough', () => {
    expect(webhookConfigFromEnv({})).toEqual({ ok: true, config: null });
    expect(webhookConfigFromEnv({ WEBHOOK_URL: 'https://x.example/h' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('WEBHOOK_SECRET'),
    });
    expect(
      webhookConfigFromEnv({ WEBHOOK_URL: 'https://x.example/h', WEBHOOK_SECRET: 'short' }),
    ).toMatchObject({
      ok: false,
      error: expect.stringContaining('WEBHOOK_SECRET'),
    });
  });
});
