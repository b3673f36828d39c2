import { createHmac } from 'node:crypto';
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

  it('refuses a malformed timestamp or signature, and takes the tolerance as inclusive', () => {
    const sig = signWebhook(SECRET, ts, body);
    const v = (over: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
      verifyWebhookSignature({ secret: SECRET, body, timestamp: ts, signature: sig, nowMs, ...over });
    expect(v({ timestamp: `${ts}0x` })).toEqual({ ok: false, reason: 'bad_timestamp' });
    expect(v({ timestamp: `x${ts}` })).toEqual({ ok: false, reason: 'bad_timestamp' });
    expect(v({ signature: 'v1=abc' })).toEqual({ ok: false, reason: 'bad_signature' });
    // Exactly at the tolerance (300 s) still passes; one second more does not.
    expect(
      v({
        timestamp: String(nowMs / 1000 - 300),
        signature: signWebhook(SECRET, String(nowMs / 1000 - 300), body),
      }),
    ).toEqual({ ok: true });
    expect(
      v({
        timestamp: String(nowMs / 1000 - 301),
        signature: signWebhook(SECRET, String(nowMs / 1000 - 301), body),
      }),
    ).toEqual({ ok: false, reason: 'outside_tolerance' });
  });

  it('accepts any of several v1 signatures (secret rotation)', () => {
    const sig = `${signWebhook('old-secret-000000000', ts, body)}, ${signWebhook(SECRET, ts, body)}`;
    expect(verifyWebhookSignature({ secret: SECRET, body, timestamp: ts, signature: sig, nowMs })).toEqual({
      ok: true,
    });
  });
});

/**
 * The recipe as documented to receivers (webhook.ts header): `v1=` + hex HMAC-SHA256 with the
 * secret as key over `<X-SignalRoom-Timestamp>.<raw body>`. Computed here with node:crypto, not
 * with our helpers.
 */
const documentedSignature = (secret: string, timestamp: string, body: string) =>
  `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;

describe('webhook signature, checked against the documented recipe', () => {
  const body = '{"a":1}';
  const nowMs = 1_800_000_000_000;
  const ts = '1800000000';

  it('matches a known answer computed outside Node', () => {
    // printf '%s' '1800000000.{"a":1}' | openssl dgst -sha256 -hmac 'whsec_0123456789abcdef'
    const openssl = 'v1=0cce34cc4ceb50514f7750d02eb315ceeef28c45ee42851f4611ac00df3d49fe';
    expect(documentedSignature(SECRET, ts, body)).toBe(openssl);
    expect(signWebhook(SECRET, ts, body)).toBe(openssl);
  });

  it('a receiver following the recipe is accepted; a changed timestamp or body is refused', () => {
    const sig = documentedSignature(SECRET, ts, body);
    const v = (over: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
      verifyWebhookSignature({ secret: SECRET, body, timestamp: ts, signature: sig, nowMs, ...over });
    expect(v({})).toEqual({ ok: true });
    // A replay with a fresh timestamp but the old signature: refused even inside the tolerance.
    expect(v({ timestamp: '1800000001' })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(v({ timestamp: '1799999999', nowMs: nowMs - 1000 })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(v({ body: '{"a":1} ' })).toEqual({ ok: false, reason: 'bad_signature' });
    // The HMAC of the body alone (no timestamp) is not a valid signature.
    const bodyOnly = `v1=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    expect(v({ signature: bodyOnly })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('what the destination sends carries the documented signature over the exact bytes received', async () => {
    const receiver = await createWebhookReceiver({ secret: SECRET }).start();
    try {
      const before = Math.floor(Date.now() / 1000);
      const dest = createWebhookDestination(
        {
          url: `${receiver.url}/hooks/signalroom`,
          secret: SECRET,
          piiMode: 'hashed',
          timeoutMs: 2000,
        },
        { hasher: testHasher },
      );
      expect(await dest.deliver(scoredSample(), { signal: signal() })).toEqual({ status: 'ok' });
      const after = Math.ceil(Date.now() / 1000);
      const req = receiver.requests[0]!;
      const timestamp = req.headers['x-signalroom-timestamp'] as string;
      expect(timestamp).toMatch(/^\d+$/);
      expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
      expect(Number(timestamp)).toBeLessThanOrEqual(after);
      expect(req.headers['x-signalroom-signature']).toBe(documentedSignature(SECRET, timestamp, req.body));
      expect(req.headers['x-signalroom-signature']).not.toBe(
        documentedSignature(SECRET, String(Number(timestamp) + 1), req.body),
      );
    } finally {
      await receiver.stop();
    }
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
    expect(JSON.parse(req.body)).toMatchObject({
      type: 'sales_call.scored',
      version: 1,
      session_id: s.session_id,
      pii_mode: 'hashed',
    });
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
    expect(
      webhookConfigFromEnv({ WEBHOOK_URL: 'https://x.example/h', WEBHOOK_SECRET: 'sixteen-chars-ok' }),
    ).toEqual({
      ok: true,
      config: {
        url: 'https://x.example/h',
        secret: 'sixteen-chars-ok',
        piiMode: 'hashed',
        timeoutMs: 10_000,
      },
    });
    expect(createWebhookDestination(config, { hasher: testHasher }).name).toBe('webhook');
    expect(webhookConfigFromEnv({ WEBHOOK_URL: 'https://x.example/h' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('WEBHOOK_SECRET'),
    });
    expect(
      webhookConfigFromEnv({ WEBHOOK_URL: 'https://x.example/h', WEBHOOK_SECRET: 'short' }),
    ).toMatchObject({
      ok: false,
      error: expect.stringMatching(/WEBHOOK_SECRET.*at least 16 characters/),
    });
  });
});
