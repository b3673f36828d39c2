import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeBody, encodeMessage } from '../../src/queue/index.js';
import { parseSessionPayload } from '../../src/schema/index.js';
import { samplePayload } from '../../src/schema/testing/index.js';
import { bigPayload } from './helpers.js';

describe('encodeMessage', () => {
  it('sends small payloads as plain JSON with the standard attributes', async () => {
    const r = await encodeMessage(samplePayload(), { maxBytes: 256 * 1024, wire: 'base64' });
    if (!r.ok) throw new Error(r.error);
    expect(r.message.compressed).toBe(false);
    expect(r.message.attributes).toEqual({
      schema_version: '1',
      session_id: 'sess_sample_0001',
      content_encoding: 'identity',
    });
  });

  it('gzips a payload over the limit, and decodes it back to the same JSON', async () => {
    const p = bigPayload('big', 400_000, 'compressible');
    const r = await encodeMessage(p, { maxBytes: 256 * 1024, wire: 'base64' });
    if (!r.ok) throw new Error(r.error);
    expect(r.message.compressed).toBe(true);
    expect(r.message.attributes['content_encoding']).toBe('gzip');
    expect(r.message.dropped).toEqual([]);
    const text = await decodeBody(r.message.bytes, r.message.attributes);
    expect(JSON.parse(text)).toEqual(p);
  });

  it('drops bulky optional fields in order when gzip is not enough, and says so in the payload', async () => {
    const p = bigPayload('huge', 600_000, 'random');
    const r = await encodeMessage(p, { maxBytes: 256 * 1024, wire: 'base64' });
    if (!r.ok) throw new Error(r.error);
    expect(r.message.dropped).toEqual(['transcript']);
    expect(r.message.attributes['truncated']).toBe('true');
    const parsed = parseSessionPayload(await decodeBody(r.message.bytes, r.message.attributes));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.payload.truncated).toEqual({ dropped: ['transcript'] });
    expect(parsed.payload.transcript).toBeUndefined();
  });

  it('goes on to turn text and later fields, and fails loudly when nothing fits', async () => {
    const p = samplePayload({ session_id: 'many_turns' }, { turns: 400 });
    for (const t of p.turns) t.user_text = randomBytes(150).toString('base64');
    const r = await encodeMessage(p, { maxBytes: 20_000, wire: 'binary' });
    if (!r.ok) throw new Error(r.error);
    expect(r.message.dropped.slice(0, 2)).toEqual(['transcript', 'turns.text']);
    const tiny = await encodeMessage(p, { maxBytes: 500, wire: 'binary' });
    expect(tiny.ok).toBe(false);
    if (!tiny.ok) expect(tiny.error).toMatch(/too large/);
  });
});
