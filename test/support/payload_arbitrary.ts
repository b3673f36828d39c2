/**
 * fast-check arbitraries of session payloads that the contract calls valid: any Unicode text
 * (storable: no NUL, no lone surrogate), times in canonical UTC (years 1–9999), numbers across
 * their ranges, optional parts present or not, and unknown keys a newer agent might add, at every
 * level. A generated payload is returned as it arrives on the wire (after JSON), so it can be
 * compared with what comes out the other end.
 */
import fc from 'fast-check';
import {
  INDUSTRY_IDS,
  OUTCOMES,
  type SessionPayload,
  STAGES,
  URGENCY_LEVELS,
} from '../../src/schema/index.js';
import { samplePayload } from '../../src/schema/testing/index.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** `s` made storable: NUL → U+2400 (␀), lone surrogates → U+FFFD. */
const storable = (s: string): string =>
  (s.replaceAll('\0', '\u2400') as unknown as { toWellFormed(): string }).toWellFormed();

/** Any storable Unicode text: graphemes of every plane, controls and combining marks included. */
export const text = (opts: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> =>
  fc
    .oneof(fc.string({ unit: 'grapheme', ...opts }), fc.string({ unit: 'binary', ...opts }))
    .map(storable)
    // The one key the contract refuses (any copy would turn it into the prototype).
    .filter((s) => s !== '__proto__');

function sanitize(v: unknown): Json {
  if (typeof v === 'string') return storable(v);
  if (Array.isArray(v)) return v.map(sanitize);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) if (k !== '__proto__') out[storable(k)] = sanitize(x);
    return out;
  }
  return v as Json;
}

const isoTime = fc
  .date({
    min: new Date('0001-01-01T00:00:00.000Z'),
    max: new Date('9999-12-31T23:59:59.999Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString());

const ms = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e12, noNaN: true, noDefaultInfinity: true }));
const count = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.maxSafeNat());

/**
 * A key a newer agent might add: `zz_`-prefixed, so no schema field (today's or one another change
 * adds) can ever be hit by it.
 */
const unknownKey = fc.oneof(
  fc.constantFrom('zz_sentiment', 'zz_new', 'zz_build'),
  text({ minLength: 1, maxLength: 12 }).map((s) => `zz_${s}`),
);
const jsonValue = fc.jsonValue({ maxDepth: 3 }).map(sanitize);
const extras = fc.dictionary(unknownKey, jsonValue, { maxKeys: 2 });

function withExtras<T extends object>(o: T, x: Record<string, Json>, known: object): T {
  const out: Record<string, unknown> = { ...(o as Record<string, unknown>) };
  for (const [k, v] of Object.entries(x)) if (!(k in known) && k !== '__proto__') out[k] = v;
  return out as T;
}

export const validPayload: fc.Arbitrary<SessionPayload> = fc
  .record({
    turns: fc.integer({ min: 0, max: 8 }),
    session_id: text({ minLength: 1, maxLength: 60 }).filter((s) => s.length <= 200),
    agentName: text({ minLength: 1, maxLength: 20 }),
    room: fc.option(text({ maxLength: 30 }), { nil: null }),
    identity: fc.option(text({ maxLength: 30 }), { nil: null }),
    started: isoTime,
    duration: ms,
    outcome: fc.constantFrom(...OUTCOMES),
    reached: fc.constantFrom(...STAGES),
    industry: fc.option(fc.constantFrom(...INDUSTRY_IDS), { nil: undefined }),
    urgency: fc.option(fc.constantFrom(...URGENCY_LEVELS), { nil: undefined }),
    teamSize: fc.option(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { nil: undefined }),
    transcript: fc.option(fc.array(text({ maxLength: 80 }), { maxLength: 3 }), { nil: undefined }),
    labels: fc.option(
      fc.dictionary(text({ minLength: 1, maxLength: 10 }), text({ maxLength: 20 }), { maxKeys: 3 }),
      {
        nil: undefined,
      },
    ),
    turnNumbers: fc.array(fc.tuple(ms, count, fc.option(isoTime, { nil: null }), fc.boolean(), extras), {
      minLength: 8,
      maxLength: 8,
    }),
    // (Argument names that look like contact fields follow the PII policy: kept apart here.)
    toolArgs: fc.dictionary(
      text({ minLength: 1, maxLength: 10 }).map((k) => `arg_${k}`),
      jsonValue,
      { maxKeys: 3 },
    ),
    toolExtras: extras,
    topExtras: extras,
    agentExtras: extras,
    signalExtras: extras,
  })
  .map((g) => {
    const base = samplePayload({}, { turns: g.turns });
    const start = Date.parse(g.started);
    const p: SessionPayload = {
      ...base,
      session_id: g.session_id,
      agent: withExtras({ ...base.agent, name: g.agentName }, g.agentExtras, base.agent),
      room: { name: g.room, sid: null },
      participant: { identity: g.identity, kind: 'standard' },
      started_at: g.started,
      ended_at: new Date(Math.min(start + g.duration, Date.parse('9999-12-31T23:59:59.999Z'))).toISOString(),
      duration_ms: g.duration,
      outcome: g.outcome,
      stage: { reached: g.reached, completed: [] },
      turns: base.turns.map((t, i) => {
        const [delay, tokens, at, interrupted, x] = g.turnNumbers[i] as (typeof g.turnNumbers)[number];
        return withExtras(
          { ...t, eou_delay_ms: delay, llm_prompt_tokens: tokens, started_at: at, interrupted },
          x,
          t,
        );
      }),
      tool_calls: base.tool_calls.map((c) => withExtras({ ...c, arguments: g.toolArgs }, g.toolExtras, c)),
      ...(g.transcript && {
        transcript: g.transcript.map((t, i) => ({ role: i % 2 ? 'assistant' : 'user', text: t, at: null })),
      }),
      ...(g.labels && { labels: g.labels }),
    } as SessionPayload;
    const signals = { ...base.signals } as Record<string, unknown>;
    if (g.industry && signals.industry)
      signals.industry = { ...(signals.industry as object), value: g.industry };
    else delete signals.industry;
    if (g.urgency && signals.urgency) signals.urgency = { ...(signals.urgency as object), value: g.urgency };
    if (g.teamSize !== undefined && signals.team_size)
      signals.team_size = withExtras(
        { ...(signals.team_size as object), value: g.teamSize },
        g.signalExtras,
        {
          value: 1,
          evidence: 1,
          history: 1,
        },
      );
    p.signals = signals as SessionPayload['signals'];
    // As it arrives: through JSON (no -0, no undefined keys).
    return JSON.parse(JSON.stringify(withExtras(p, g.topExtras, base))) as SessionPayload;
  });
