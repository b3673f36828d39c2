/**
 * Stand-ins for where alerts go, checking each request against the documented shape:
 * - `createSlackWebhookFake`: a Slack incoming webhook. Slack takes a `POST` of JSON with `text`
 *   and/or `blocks` (Block Kit) and answers `200` with the body `ok`; a body that is not JSON is
 *   `400 invalid_payload`, one without `text` or `blocks` `400 no_text`, malformed blocks
 *   `400 invalid_blocks`. Checked here: header (`plain_text` ≤ 150), section (`text` ≤ 3000 and/or
 *   ≤ 10 `fields` of ≤ 2000), context (1–10 elements), divider; at most 50 blocks.
 * - `createAlertWebhookReceiver`: a receiver of the signed webhook, verifying the signature as
 *   customers are told to, then the alert event's shape.
 */
import { z } from 'zod';
import {
  verifyWebhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from '../destinations/webhook.js';
import { FakeVendorServer } from './vendor_servers.js';

const PlainText = z
  .object({ type: z.literal('plain_text'), text: z.string().min(1), emoji: z.boolean().optional() })
  .strict();
const Mrkdwn = z
  .object({ type: z.literal('mrkdwn'), text: z.string().min(1), verbatim: z.boolean().optional() })
  .strict();
const TextObject = z.union([PlainText, Mrkdwn]);
const BlockId = z.string().max(255).optional();

const Block = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('header'),
      text: PlainText.refine((t) => t.text.length <= 150, 'header text over 150 characters'),
      block_id: BlockId,
    })
    .strict(),
  z
    .object({
      type: z.literal('section'),
      text: TextObject.refine((t) => t.text.length <= 3000, 'section text over 3000 characters').optional(),
      fields: z
        .array(TextObject.refine((t) => t.text.length <= 2000, 'field over 2000 characters'))
        .min(1)
        .max(10)
        .optional(),
      block_id: BlockId,
    })
    .strict()
    .refine((s) => s.text !== undefined || s.fields !== undefined, 'a section needs text or fields'),
  z
    .object({ type: z.literal('context'), elements: z.array(TextObject).min(1).max(10), block_id: BlockId })
    .strict(),
  z.object({ type: z.literal('divider'), block_id: BlockId }).strict(),
]);

export const SlackMessage = z
  .object({
    text: z.string().optional(),
    blocks: z.array(Block).max(50).optional(),
    mrkdwn: z.boolean().optional(),
    unfurl_links: z.boolean().optional(),
    unfurl_media: z.boolean().optional(),
    thread_ts: z.string().optional(),
  })
  .strict();

export function createSlackWebhookFake(opts: { path?: string } = {}): FakeVendorServer {
  const path = opts.path ?? '/services/T000/B000/XXXX';
  return new FakeVendorServer('slack', (req, fake) => {
    if (req.path !== path) return { status: 404, body: 'no_service' };
    if (req.method !== 'POST') return { status: 405, body: 'invalid_method' };
    let json: unknown;
    try {
      json = JSON.parse(req.body);
    } catch {
      return { status: 400, body: 'invalid_payload' };
    }
    const parsed = SlackMessage.safeParse(json);
    if (!parsed.success) return { status: 400, body: 'invalid_blocks' };
    const m = parsed.data;
    if (!m.text && !(m.blocks && m.blocks.length > 0)) return { status: 400, body: 'no_text' };
    fake.upsert(String(fake.requests.length), m as Record<string, unknown>, false);
    return { status: 200, headers: { 'content-type': 'text/html' }, body: 'ok' };
  });
}

const AlertEventShape = z
  .object({
    type: z.enum(['alert.fired', 'alert.resolved']),
    version: z.literal(1),
    alert: z
      .object({
        alert_id: z.string().min(1),
        rule_id: z.string().min(1),
        state: z.enum(['firing', 'resolved']),
        flaps: z.number().int().nonnegative(),
        figure: z.number().nullable(),
        threshold: z.number().nullable(),
        window_from: z.string().nullable(),
        window_to: z.string().nullable(),
        evidence: z.record(z.string(), z.unknown()),
      })
      .passthrough(),
  })
  .strict();

export function createAlertWebhookReceiver(opts: { secret: string; path?: string }): FakeVendorServer {
  const path = opts.path ?? '/hooks/alerts';
  return new FakeVendorServer('alert-webhook', (req, fake) => {
    if (req.path !== path) return { status: 404, body: { error: 'not_found' } };
    if (req.method !== 'POST') return { status: 405, body: { error: 'method_not_allowed' } };
    const header = (name: string) => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    };
    const verified = verifyWebhookSignature({
      secret: opts.secret,
      body: req.body,
      timestamp: header(WEBHOOK_TIMESTAMP_HEADER),
      signature: header(WEBHOOK_SIGNATURE_HEADER),
    });
    if (!verified.ok) return { status: 401, body: { error: verified.reason } };
    const key = header('Idempotency-Key');
    if (!key) return { status: 400, body: { error: 'missing Idempotency-Key' } };
    let json: unknown;
    try {
      json = JSON.parse(req.body);
    } catch (err) {
      return { status: 400, body: { error: `invalid JSON: ${(err as Error).message}` } };
    }
    const parsed = AlertEventShape.safeParse(json);
    if (!parsed.success)
      return { status: 400, body: { error: parsed.error.issues[0]?.message ?? 'bad body' } };
    const a = parsed.data.alert;
    if (key !== `${a.alert_id}:${a.state}:${a.flaps}`)
      return { status: 400, body: { error: 'Idempotency-Key does not match the alert' } };
    const created = fake.upsert(key, parsed.data as Record<string, unknown>, false);
    return { status: 200, body: { received: true, duplicate: !created } };
  });
}
