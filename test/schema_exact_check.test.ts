import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileExactCheck, UnsupportedSchema } from '../src/schema/exact_check.js';
import { parseSessionPayload, type SessionPayload, SessionPayloadV1 } from '../src/schema/index.js';
import { samplePayload } from '../src/schema/testing/index.js';

const isExact = compileExactCheck(SessionPayloadV1);

/** Payloads as the plugin sends them, over the schema's optional parts, as a queue delivers them. */
function basePayloads(): unknown[] {
  const full = samplePayload({
    transcript: [
      { role: 'user', text: 'We are twelve lawyers.', at: '2026-11-20T15:00:01.250+01:00' },
      { role: 'assistant', text: 'Thanks!', at: null },
    ],
    labels: { campaign: 'q4', region: 'emea' },
    truncated: { dropped: ['transcript'] },
    errors: [{ at: '2026-11-20T15:00:09Z', source: 'tts', message: 'timeout', recoverable: true }],
    lead: { pii_mode: 'hashed', email: 'sha256:00' },
  });
  full.usage.by_model.push({
    type: 'eot_usage',
    provider: 'livekit',
    model: 'turn-detector',
    total_requests: 3,
  });
  full.tool_calls.push({
    call_id: 'call_3',
    name: 'search_knowledge',
    arguments: { nested: { deep: [1, 'two', null] } },
    status: 'error',
    error: 'index offline',
    output_summary: '',
    started_at: null,
    duration_ms: null,
    turn_id: null,
  });
  const first = full.turns[0];
  if (first)
    Object.assign(first, { user_text: 'hello', agent_text: 'hi', llm_ttft_ms: -1, tts_ttfb_ms: null });
  const bare = samplePayload({ signals: {}, tool_calls: [], unattributed_metrics: [] }, { turns: 0 });
  return [samplePayload(), full, bare].map((p) => JSON.parse(JSON.stringify(p)));
}

/** A small seeded generator (mulberry32), so a failure names a case that can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Container = Record<string, unknown> | unknown[];

/** Every container in `value` with each of its keys: the places a mutation can land. */
function places(value: unknown, out: [Container, string | number][] = []): [Container, string | number][] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([value, i]);
      places(v, out);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      out.push([value as Record<string, unknown>, k]);
      places(v, out);
    }
  }
  return out;
}

/** Values that break some constraint somewhere, or fit one that another value broke. */
const REPLACEMENTS: unknown[] = [
  null,
  '',
  'x',
  'x'.repeat(501),
  'y'.repeat(201),
  0,
  -1,
  1.5,
  2 ** 53,
  -0,
  true,
  [],
  {},
  [0],
  [1, 2, 3],
  'farming',
  'legal',
  'hubspot',
  'llm_usage',
  'not-a-date',
  '2026-02-30T10:00:00Z',
  '2026-11-20T15:00:00',
  '2026-11-20T15:00:00.5-05:00',
  { value: 3, evidence: [{ turn_index: 0, span: [0, 1], rule: 'r' }] },
];

function mutate(value: unknown, rnd: () => number): void {
  const all = places(value);
  const [container, key] = all[Math.floor(rnd() * all.length)] as [Container, string | number];
  const pick = rnd();
  if (pick < 0.2) {
    if (Array.isArray(container)) container.splice(key as number, 1);
    else delete container[key as string];
  } else if (pick < 0.35) {
    const target = (container as Record<string, unknown>)[key as string];
    const obj = typeof target === 'object' && target !== null && !Array.isArray(target) ? target : container;
    if (!Array.isArray(obj)) (obj as Record<string, unknown>)[rnd() < 0.5 ? 'extra' : 'notes'] = 'x';
  } else {
    const replacement = REPLACEMENTS[Math.floor(rnd() * REPLACEMENTS.length)];
    (container as Record<string | number, unknown>)[key] = structuredClone(replacement);
  }
}

describe('exact check compiled from the zod schema', () => {
  it('vouches for payloads as the plugin sends them, and zod returns exactly those', () => {
    for (const p of basePayloads()) {
      expect(isExact(p)).toBe(true);
      expect(SessionPayloadV1.parse(p)).toStrictEqual(p);
    }
  });

  it('never vouches for a value zod refuses or would change (5,000 seeded mutations)', () => {
    const bases = basePayloads();
    const seen = { vouched: 0, zodOnly: 0, refused: 0 };
    for (let seed = 1; seed <= 5000; seed++) {
      const rnd = random(seed);
      const value = structuredClone(bases[seed % bases.length]);
      mutate(value, rnd);
      if (rnd() < 0.3) mutate(value, rnd);
      const parsed = SessionPayloadV1.safeParse(value);
      if (isExact(value)) {
        seen.vouched++;
        expect(parsed.success, `seed ${seed}: vouched for, zod refused`).toBe(true);
        expect(parsed.data, `seed ${seed}: zod's copy differs`).toStrictEqual(value);
      } else if (parsed.success) {
        seen.zodOnly++;
      } else {
        seen.refused++;
      }
    }
    // Each way out that still exists was taken many times, so the comparison above is not vacuous.
    // (Unknown keys are kept since the payload contract keeps them: zod no longer strips anything,
    // so nothing here is left to zod alone.)
    expect(seen.vouched).toBeGreaterThan(500);
    expect(seen.refused).toBeGreaterThan(2000);
  });

  it('vouches for unknown keys (the contract keeps them), and parseSessionPayload returns them as sent', () => {
    const p = basePayloads()[0] as SessionPayload & { extra?: string };
    p.extra = 'from a newer plugin';
    (p.turns[0] as Record<string, unknown>)['sentiment'] = { score: 0.5 };
    expect(isExact(p)).toBe(true);
    expect(SessionPayloadV1.parse(p)).toStrictEqual(p);
    const r = parseSessionPayload(JSON.stringify(p));
    expect(r.ok && r.payload).toStrictEqual(p);
  });

  it('leaves a "__proto__" key to zod, and parseSessionPayload refuses it rather than lose it', () => {
    const text = JSON.stringify(basePayloads()[0]).replace(
      '{"schema_version"',
      '{"__proto__":{"a":1},"schema_version"',
    );
    expect(isExact(JSON.parse(text))).toBe(false);
    expect(parseSessionPayload(text)).toMatchObject({ ok: false, reason: 'schema_mismatch' });
  });

  it('gives the same answers through parseSessionPayload as zod alone', () => {
    const good = JSON.stringify(basePayloads()[1]);
    const fast = parseSessionPayload(good);
    expect(fast).toStrictEqual({ ok: true, payload: SessionPayloadV1.parse(JSON.parse(good)) });
    const bad = parseSessionPayload(good.replace('"outcome":"meeting_booked"', '"outcome":"maybe"'));
    expect(bad).toMatchObject({ ok: false, reason: 'schema_mismatch' });
    expect(bad.ok === false && bad.error).toContain('outcome');
  });

  it('checks each construct as zod does', () => {
    const check = compileExactCheck(
      z.object({
        n: z.number().int().nonnegative(),
        p: z.number().positive().optional(),
        s: z.string().min(1).max(3),
        at: z.iso.datetime({ offset: true }).nullable(),
        t: z.tuple([z.number(), z.string()]).optional(),
        r: z.record(z.string(), z.union([z.number(), z.boolean()])).optional(),
        u: z
          .discriminatedUnion('kind', [
            z.object({ kind: z.literal('a'), a: z.number() }),
            z.object({ kind: z.enum(['b', 'c']) }),
          ])
          .optional(),
        strict: z.object({ x: z.string() }).partial().strict().optional(),
      }),
    );
    const ok = { n: 0, s: 'abc', at: '2026-11-20T15:00:00.123456+05:30' };
    expect(check(ok)).toBe(true);
    expect(check({ ...ok, n: 1.5 })).toBe(false);
    expect(check({ ...ok, n: -1 })).toBe(false);
    expect(check({ ...ok, n: 2 ** 53 })).toBe(false);
    expect(check({ ...ok, p: 0 })).toBe(false);
    expect(check({ ...ok, p: 0.1 })).toBe(true);
    expect(check({ ...ok, s: '' })).toBe(false);
    expect(check({ ...ok, s: 'abcd' })).toBe(false);
    expect(check({ ...ok, at: null })).toBe(true);
    expect(check({ ...ok, at: '2026-11-20T15:00:00' })).toBe(false);
    expect(check({ ...ok, at: '2026-02-29T15:00:00Z' })).toBe(false);
    expect(check({ ...ok, t: [1, 'x'] })).toBe(true);
    expect(check({ ...ok, t: [1, 'x', 2] })).toBe(false);
    expect(check({ ...ok, r: { a: 1, b: true } })).toBe(true);
    expect(check({ ...ok, r: { a: 'x' } })).toBe(false);
    expect(check({ ...ok, r: JSON.parse('{"__proto__": 1}') })).toBe(false);
    expect(check({ ...ok, u: { kind: 'a', a: 1 } })).toBe(true);
    expect(check({ ...ok, u: { kind: 'c' } })).toBe(true);
    expect(check({ ...ok, u: { kind: 'd' } })).toBe(false);
    expect(check({ ...ok, u: { kind: 'b', a: 1 } })).toBe(false);
    expect(check({ ...ok, strict: {} })).toBe(true);
    expect(check({ ...ok, strict: { y: 'x' } })).toBe(false);
    expect(check({ ...ok, extra: 1 })).toBe(false);
    const { s: _s, ...missing } = ok;
    expect(check(missing)).toBe(false);
    // zod tests a pattern from position 0 as it is: a sticky one matches only there.
    const sticky = z.object({ r: z.string().regex(/b/y) });
    expect(compileExactCheck(sticky)({ r: 'ab' })).toBe(sticky.safeParse({ r: 'ab' }).success);
    expect(compileExactCheck(sticky)({ r: 'b' })).toBe(true);
    // zod would accept a Date for an empty object and hand back `{}`: not the same value.
    expect(compileExactCheck(z.object({}))(new Date())).toBe(false);
    expect(compileExactCheck(z.object({}))({})).toBe(true);
  });

  it('refuses to compile what it cannot reproduce, naming where', () => {
    const cases: [z.ZodType, RegExp][] = [
      [z.object({ a: z.string().transform((s) => s.length) }), /\(root\)\.a: pipe/],
      [z.object({ a: z.number().refine((n) => n > 1) }), /\(root\)\.a: check custom/],
      [z.object({ a: z.string().default('x') }), /\(root\)\.a: default/],
      [z.object({ e: z.email() }), /\(root\)\.e: string format email/],
      [z.object({}).catchall(z.string()), /catch-all/],
      [z.union([z.object({}), z.string()]), /union of object/],
      [z.record(z.enum(['a']), z.string()), /records keyed by a plain string/],
    ];
    for (const [schema, message] of cases) {
      expect(() => compileExactCheck(schema)).toThrow(UnsupportedSchema);
      expect(() => compileExactCheck(schema)).toThrow(message);
    }
  });
});
