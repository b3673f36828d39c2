/**
 * One contract, three texts: zod (what the worker runs), the JSON Schema in `schema/` (what a
 * publisher in another language reads) and the README. These tests hold the first two together:
 * on thousands of seeded payloads, valid, broken and carrying unknown keys, a real JSON Schema
 * validator (ajv, draft 2020-12, formats on) and zod give the same verdict.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSessionPayload, SessionPayloadV1 } from '../src/schema/index.js';
import { renderJsonSchema } from '../src/schema/json_schema.js';
import { samplePayload } from '../src/schema/testing/index.js';

const committed = readFileSync(resolve(import.meta.dirname, '../schema/session-payload.v1.json'), 'utf8');
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
addFormats.default(ajv);
const validate = ajv.compile(JSON.parse(committed));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function bases(): Json[] {
  const full = samplePayload({
    transcript: [{ role: 'user', text: 'We are twelve.', at: '2026-11-20T15:00:01.250+01:00' }],
    labels: { campaign: 'q4' },
    truncated: { dropped: ['transcript'] },
    errors: [{ at: '2026-11-20T15:00:09Z', source: 'tts', message: 'timeout', recoverable: true }],
    lead: { pii_mode: 'hashed', email: 'sha256:00' },
  });
  full.usage.by_model.push({ type: 'eot_usage', provider: 'livekit', model: 'td', total_requests: 3 });
  return [samplePayload(), full, samplePayload({ signals: {}, tool_calls: [] }, { turns: 0 })].map(
    (p) => JSON.parse(JSON.stringify(p)) as Json,
  );
}

const BASES = bases();

/** Every (container, key) in `v`: where a change can land. */
function places(v: Json, out: [Json[] | Record<string, Json>, string | number][] = []) {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push([v, i]);
      places(x, out);
    });
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.push([v, k]);
      places(x, out);
    }
  }
  return out;
}

const jsonValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    '',
    'x',
    0,
    -1,
    1.5,
    2 ** 53,
    true,
    [],
    {},
    'legal',
    'llm_usage',
    'meeting_booked',
    '2026-11-20T15:00:00Z',
    '2026-02-30T10:00:00Z',
    '2026-11-20T15:00:00',
    '2026-11-20T25:00:00Z',
    'x'.repeat(501),
    'y'.repeat(201),
    [0, 1],
  ),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

/** A change: delete a key, replace a value, or add an unknown key to an object. */
const change = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('delete', 'replace', 'add_unknown'),
  value: jsonValue,
  name: fc.oneof(fc.constantFrom('extra', 'sentiment', 'x-new'), fc.string({ minLength: 1, maxLength: 8 })),
});

interface Change {
  at: number;
  kind: 'delete' | 'replace' | 'add_unknown';
  value: Json;
  name: string;
}

function apply(doc: Json, c: Change): void {
  const all = places(doc);
  const [container, key] = all[c.at % all.length] as [Json[] | Record<string, Json>, string | number];
  if (c.kind === 'delete') {
    if (Array.isArray(container)) container.splice(key as number, 1);
    else delete container[key as string];
  } else if (c.kind === 'replace') {
    (container as Record<string | number, Json>)[key] = structuredClone(c.value);
  } else {
    const target = (container as Record<string | number, Json>)[key];
    const obj = target !== null && typeof target === 'object' && !Array.isArray(target) ? target : container;
    // (`__proto__` is refused by the parser on purpose; see the other test.)
    if (!Array.isArray(obj) && c.name !== '__proto__') obj[c.name] = structuredClone(c.value);
  }
}

describe('payload contract: zod and the JSON Schema', () => {
  it('the committed JSON Schema is the one generated from zod (run `npm run schema`)', () => {
    expect(committed).toBe(renderJsonSchema());
  });

  it('says unknown keys are kept: every object of the JSON Schema allows additional properties', () => {
    const objects: Record<string, unknown>[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (o.type === 'object' && 'properties' in o) objects.push(o);
        Object.values(o).forEach(walk);
      }
    };
    walk(JSON.parse(committed));
    expect(objects.length).toBeGreaterThan(20);
    for (const o of objects) expect(o.additionalProperties, JSON.stringify(o).slice(0, 120)).toEqual({});
  });

  it('zod and ajv agree on 1,500 seeded variants (valid, broken, with unknown keys)', () => {
    const seen = { bothValid: 0, bothInvalid: 0, unknownKept: 0 };
    fc.assert(
      fc.property(fc.nat({ max: 2 }), fc.array(change, { minLength: 1, maxLength: 3 }), (b, changes) => {
        const doc = structuredClone(BASES[b] as Json);
        for (const c of changes) apply(doc, c);
        const z = SessionPayloadV1.safeParse(doc);
        const a = validate(doc);
        if (z.success !== a) {
          throw new Error(
            `zod ${z.success ? 'accepts' : 'refuses'}, JSON Schema ${a ? 'accepts' : 'refuses'}: ${
              z.success ? JSON.stringify(validate.errors?.[0]) : z.error.issues[0]?.message
            }`,
          );
        }
        if (!a) {
          seen.bothInvalid++;
          return;
        }
        seen.bothValid++;
        // Valid means kept as sent: zod's output and the worker's parser return the document whole.
        expect(z.data).toStrictEqual(doc);
        const parsed = parseSessionPayload(JSON.stringify(doc));
        expect(parsed.ok && parsed.payload).toStrictEqual(doc);
        if (changes.some((c) => c.kind === 'add_unknown')) seen.unknownKept++;
      }),
      { seed: 19, numRuns: 1500 },
    );
    // Both verdicts and the unknown-key path were exercised, so the agreement above means something.
    expect(seen.bothValid).toBeGreaterThan(150);
    expect(seen.bothInvalid).toBeGreaterThan(150);
    expect(seen.unknownKept).toBeGreaterThan(50);
  });
});
