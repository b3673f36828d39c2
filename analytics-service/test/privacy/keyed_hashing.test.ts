/**
 * Keyed hashing as a regulator would test it: a hashed phone number cannot be found again by
 * hashing candidate numbers (it depends on a secret key), yet within one deployment (one key) the
 * same person still matches across formats, tables and destinations.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { amplitudeEvent, redactScoredSession } from '../../src/destinations/index.js';
import { createPiiHasher } from '../../src/privacy/index.js';
import { DuckDbWarehouse } from '../../src/warehouse/duckdb_warehouse.js';
import { scoredSample } from '../destinations/fixtures.js';

const keyA = createPiiHasher('deployment-a-secret-key-0123456789abcdef');
const keyB = createPiiHasher('deployment-b-secret-key-0123456789abcdef');
const PHONE = '+1 (555) 010-9999';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('keyed hashing of personal data', () => {
  it('a phone number hashes the same within one key (any format) and differently under another key', () => {
    const a1 = keyA.hash('phone', PHONE);
    expect(a1).toMatch(new RegExp(`^hmac-sha256:${keyA.keyId}:[0-9a-f]{64}$`));
    expect(keyA.hash('phone', '+15550109999')).toBe(a1);
    expect(keyA.hash('phone', ' +1 555.010.9999 ')).toBe(a1);
    expect(keyB.hash('phone', PHONE)).not.toBe(a1);
    expect(keyB.keyId).not.toBe(keyA.keyId);
    // hashing is idempotent: a keyed value is not hashed again
    expect(keyA.hash('phone', a1)).toBe(a1);
  });

  it('cannot be reversed by enumerating numbers without the key (the plain SHA-256 could)', () => {
    const hex = keyA.hash('phone', PHONE).split(':')[2];
    const candidates = Array.from({ length: 2000 }, (_, i) => `+1555010${String(8000 + i).padStart(4, '0')}`);
    expect(candidates).toContain('+15550109999');
    // the old scheme: found at once
    expect(candidates.find((c) => sha(c) === sha('+15550109999'))).toBe('+15550109999');
    // the keyed one: no candidate's plain hash, nor a hash under a guessed key, matches
    expect(candidates.some((c) => sha(c) === hex)).toBe(false);
    const guessed = createPiiHasher('x'.repeat(32));
    expect(candidates.some((c) => guessed.hash('phone', c).split(':')[2] === hex)).toBe(false);
  });

  it('the agent’s unkeyed sha256: value is keyed to the same result as the plain value', () => {
    const agentHash = `sha256:${sha('+15550109999')}`;
    expect(keyA.hash('phone', agentHash)).toBe(keyA.hash('phone', PHONE));
  });

  it('warehouse rows: one key matches the same caller across sessions, another key does not', async () => {
    const lead = (phone: string) => ({ pii_mode: 'full' as const, name: 'Maria Lopez', phone });
    const s1 = scoredSample({ session_id: 'k1', lead: lead(PHONE) });
    const s2 = scoredSample({ session_id: 'k2', lead: lead('+15550109999') });
    const read = async (hasher: typeof keyA) => {
      const w = await DuckDbWarehouse.open(':memory:', { piiMode: 'hashed', hasher });
      try {
        await w.migrate();
        await w.upsertSessions([s1, s2]);
        const rows = await w.query<{ contact_phone: string; payload: string }>(
          'SELECT contact_phone, payload FROM sessions ORDER BY session_id',
        );
        expect(JSON.stringify(rows)).not.toContain('555');
        return rows.map((r) => r.contact_phone);
      } finally {
        await w.close();
      }
    };
    const [a1, a2] = await read(keyA);
    const [b1] = await read(keyB);
    expect(a1).toBe(a2);
    expect(a1).toBe(keyA.hash('phone', PHONE));
    expect(b1).not.toBe(a1);
  });

  it('a warehouse asked to hash without a key refuses to open', async () => {
    await expect(DuckDbWarehouse.open(':memory:', { piiMode: 'hashed' })).rejects.toThrow(/PII hash key/);
  });

  it('destinations: the webhook’s hashed phone and Amplitude’s device id follow the key, under hashed and none', () => {
    const s = scoredSample({
      lead: { pii_mode: 'full', phone: PHONE },
      participant: { identity: 'sip_+15550109999', kind: 'sip' },
    });
    expect(redactScoredSession(s, 'hashed', keyA).payload.lead.phone).toBe(keyA.hash('phone', PHONE));
    expect(redactScoredSession(s, 'hashed', keyB).payload.lead.phone).toBe(keyB.hash('phone', PHONE));
    for (const piiMode of ['hashed', 'none'] as const) {
      const config = { eventType: 'x', piiMode };
      const devA = amplitudeEvent(s, config, keyA).device_id;
      expect(amplitudeEvent(s, config, keyA).device_id).toBe(devA);
      expect(amplitudeEvent(s, config, keyB).device_id).not.toBe(devA);
      expect(devA).not.toBe(`sr_${sha('sip_+15550109999').slice(0, 32)}`);
      expect(() => amplitudeEvent(s, config)).toThrow(/PII_HASH_KEY/);
    }
  });
});
