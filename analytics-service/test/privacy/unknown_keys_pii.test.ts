/**
 * A newer agent's fields (unknown keys) are kept, but no PII policy of this worker knows what they
 * hold: under `hashed` and `none` their email addresses and phone numbers are masked wherever the
 * payload is kept or sent whole; under `full` they stay as sent.
 */
import { describe, expect, it } from 'vitest';
import {
  mapUnknownStrings,
  type SessionPayload,
  SessionPayloadV1,
  unknownKeyPaths,
} from '../../../src/schema/index.js';
import { samplePayload } from '../../../src/schema/testing/index.js';
import { getSession } from '../../src/api/session_queries.js';
import { webhookBody } from '../../src/destinations/index.js';
import { maskUnknownKeys } from '../../src/privacy/index.js';
import { DuckDbWarehouse } from '../../src/warehouse/duckdb_warehouse.js';
import { testHasher } from '../destinations/fixtures.js';
import { scoredFromPayload } from '../warehouse/scored_fixture.js';

function newerAgentPayload(id: string): SessionPayload & Record<string, unknown> {
  const p = samplePayload({ session_id: id }, { turns: 2 }) as SessionPayload & Record<string, unknown>;
  p['caller_card'] = {
    email: 'Dana.Reyes@example.com',
    note: 'call back on +1 415 555 0199 after 5',
    seats: 12,
  };
  (p.turns[0] as Record<string, unknown>)['asr_alternative'] = 'my email is dana.reyes@example.com';
  (p.signals as Record<string, unknown>)['decision_maker'] = { value: 'dana.reyes@example.com' };
  return p;
}

const leaks = (v: unknown) =>
  /example\.com|555 0199/i.test(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x)));

describe('unknown keys under the PII policies', () => {
  it('the warehouse under hashed keeps them with their contact data masked, in the stored payload and the extras', async () => {
    const w = await DuckDbWarehouse.open(':memory:', { piiMode: 'hashed', hasher: testHasher });
    try {
      await w.migrate();
      await w.upsertSessions([scoredFromPayload(newerAgentPayload('pii-hashed'))]);
      const got = (await getSession(w, 'pii-hashed'))?.payload as SessionPayload & Record<string, unknown>;
      expect(got['caller_card']).toEqual({
        email: '[email]',
        note: 'call back on [phone] after 5',
        seats: 12,
      });
      expect((got.turns[0] as Record<string, unknown>)['asr_alternative']).toBe('my email is [email]');
      expect((got.signals as Record<string, unknown>)['decision_maker']).toEqual({ value: '[email]' });
      expect(leaks(await w.query("SELECT * FROM sessions WHERE session_id = 'pii-hashed'"))).toBe(false);
    } finally {
      await w.close();
    }
  });

  it('the warehouse under full keeps them as sent', async () => {
    const w = await DuckDbWarehouse.open(':memory:', { piiMode: 'full' });
    try {
      await w.migrate();
      const sent = newerAgentPayload('pii-full');
      await w.upsertSessions([scoredFromPayload(sent)]);
      expect((await getSession(w, 'pii-full'))?.payload).toEqual(sent);
    } finally {
      await w.close();
    }
  });

  it('the webhook under hashed and none masks them; under full it sends them as they came', () => {
    const session = scoredFromPayload(newerAgentPayload('pii-webhook'));
    for (const mode of ['hashed', 'none'] as const) {
      const body = JSON.parse(webhookBody(session, mode, testHasher));
      expect(body.data.payload.caller_card).toEqual({
        email: '[email]',
        note: 'call back on [phone] after 5',
        seats: 12,
      });
      expect(leaks(body)).toBe(false);
    }
    expect(JSON.parse(webhookBody(session, 'full')).data.payload.caller_card.email).toBe(
      'Dana.Reyes@example.com',
    );
  });

  it('touches only unknown keys, and returns the payload itself when it has none', () => {
    const plain = samplePayload({ session_id: 'known-only' }, { turns: 2 });
    const upper = (s: string) => s.toUpperCase();
    expect(mapUnknownStrings(SessionPayloadV1, plain, upper)).toBe(plain);
    const newer = newerAgentPayload('mixed');
    const mapped = mapUnknownStrings(SessionPayloadV1, newer, upper) as typeof newer;
    expect(mapped['caller_card']).toEqual({
      email: 'DANA.REYES@EXAMPLE.COM',
      note: 'CALL BACK ON +1 415 555 0199 AFTER 5',
      seats: 12,
    });
    expect(mapped.session_id).toBe('mixed');
    expect(mapped.lead).toBe(newer.lead);
    expect(mapped.turns[1]).toBe(newer.turns[1]);
    expect(mapped.turns[0]?.user_text).toBe(newer.turns[0]?.user_text);
    // Counting the unknown keys first (as the worker does on arrival) does not let them skip the mask.
    const counted = newerAgentPayload('counted-first');
    expect(unknownKeyPaths(SessionPayloadV1, counted)).toContain('caller_card');
    expect(maskUnknownKeys(counted, 'hashed')['caller_card' as keyof SessionPayload]).toEqual({
      email: '[email]',
      note: 'call back on [phone] after 5',
      seats: 12,
    });
    // A payload found clean is returned as is, counted or not.
    expect(unknownKeyPaths(SessionPayloadV1, plain)).toEqual([]);
    expect(maskUnknownKeys(plain, 'hashed')).toBe(plain);
    // The input is not altered.
    expect((newer['caller_card'] as { email: string }).email).toBe('Dana.Reyes@example.com');
  });
});
