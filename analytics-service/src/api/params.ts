/**
 * Query-string schemas of every API route, parsed with zod. A bad parameter gives a 400 whose
 * body names it: `{ error: 'bad_request', parameter: 'limit', message: '…' }`. Unknown
 * parameters are refused too, so a typo (`tiers=A1`) is an error rather than a silent no-op.
 */
import { z } from 'zod';
import { INDUSTRY_IDS, OUTCOMES } from '../../../src/schema/index.js';

export const TIERS = ['A1', 'A2', 'A3', 'B1', 'B2', 'B3', 'C1', 'C2', 'C3'] as const;

/** An ISO-8601 time with offset, or a plain date (read as midnight UTC). */
const Time = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((s) => new Date(s.length === 10 ? `${s}T00:00:00Z` : s).toISOString());

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

export const SessionIdParam = z.object({ id: z.string().min(1).max(200) }).strict();

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
