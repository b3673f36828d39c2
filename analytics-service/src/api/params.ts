/**
 * Query-string schemas of every API route, parsed with zod. A bad parameter gives a 400 whose
 * body names it: `{ error: 'bad_request', parameter: 'limit', message: '…' }`. Unknown
 * parameters are refused too, so a typo (`tiers=A1`) is an error rather than a silent no-op.
 */
import { z } from 'zod';
import { INDUSTRY_IDS, isStorableText, OUTCOMES } from '../../../src/schema/index.js';

export const TIERS = ['A1', 'A2', 'A3', 'B1', 'B2', 'B3', 'C1', 'C2', 'C3'] as const;

/**
 * Times both warehouses can cast (`CAST($n AS TIMESTAMPTZ)`): PostgreSQL has no year 0 and
 * DuckDB none beyond 294247, and an offset can push 9999-12-31 into year 10000, so a time must
 * fall, in UTC, within years 1 to 9999.
 */
export const MIN_TIME_MS = Date.parse('0001-01-01T00:00:00.000Z');
export const MAX_TIME_MS = Date.parse('9999-12-31T23:59:59.999Z');
const TIME_RANGE = '0001-01-01 to 9999-12-31 UTC';

/**
 * An ISO-8601 time with offset, or a plain date (midnight UTC), as the canonical UTC ISO string
 * both warehouses read; null when it is not one or falls outside `TIME_RANGE`.
 */
export function canonicalTime(s: string): string | null {
  const ok = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).safeParse(s);
  if (!ok.success) return null;
  const ms = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
  if (!Number.isFinite(ms) || ms < MIN_TIME_MS || ms > MAX_TIME_MS) return null;
  return new Date(ms).toISOString();
}

const Time = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((s, ctx) => {
  const t = canonicalTime(s);
  if (t === null) {
    ctx.addIssue({ code: 'custom', message: `not a time within ${TIME_RANGE}` });
    return z.NEVER;
  }
  return t;
});

/** Text both warehouses can compare (`isStorableText`). */
const Text = (max: number) =>
  z.string().min(1).max(max).refine(isStorableText, 'must be well-formed Unicode without NUL characters');

const Limit = z.coerce.number().int().min(1).max(500).default(50);
const Offset = z.coerce.number().int().min(0).max(10_000_000).default(0);

const Filters = {
  from: Time.optional(),
  to: Time.optional(),
  tier: z.enum(TIERS).optional(),
  outcome: z.enum(OUTCOMES).optional(),
  industry: z.enum(INDUSTRY_IDS).optional(),
};

export const SessionsQuery = z
  .object({
    ...Filters,
    limit: Limit,
    offset: Offset,
    /** Opaque keyset cursor from a previous page's `next_cursor`; excludes `offset`. */
    cursor: z
      .string()
      .max(400)
      .regex(/^[A-Za-z0-9_-]+$/, 'must be a next_cursor value from a previous page')
      .optional(),
  })
  .strict();
export type SessionsQuery = z.infer<typeof SessionsQuery>;

export const LeadsQuery = z
  .object({
    ...Filters,
    min_score: z.coerce.number().min(0).max(100).optional(),
    limit: Limit,
    offset: Offset,
  })
  .strict();
export type LeadsQuery = z.infer<typeof LeadsQuery>;

export const AggregatesQuery = z
  .object({
    hours: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 366)
      .default(24),
  })
  .strict();
export type AggregatesQuery = z.infer<typeof AggregatesQuery>;

export const ExportQuery = z
  .object({ kind: z.enum(['sessions', 'turns']), from: Time.optional(), to: Time.optional() })
  .strict();
export type ExportQuery = z.infer<typeof ExportQuery>;

export const RetentionQuery = z
  .object({ days: z.coerce.number().int().min(1).max(36_500).default(30) })
  .strict();
export type RetentionQuery = z.infer<typeof RetentionQuery>;

/** Routes that take no query parameters still refuse unknown ones. */
export const NoQuery = z.object({}).strict();

export const SessionIdParam = z.object({ id: Text(200) }).strict();

export interface ParamError {
  parameter: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ParamError };

/** Parses `input` with `schema`; on failure names the first offending parameter. */
export function parseParams<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  if (!issue) return { ok: false, error: { parameter: '(unknown)', message: 'invalid parameters' } };
  if (issue.code === 'unrecognized_keys') {
    const name = issue.keys[0] ?? '(unknown)';
    return { ok: false, error: { parameter: name, message: `unknown query parameter "${name}"` } };
  }
  const name = issue.path.map(String).join('.') || '(root)';
  return { ok: false, error: { parameter: name, message: `invalid parameter "${name}": ${issue.message}` } };
}
