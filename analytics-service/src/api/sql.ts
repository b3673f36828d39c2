/**
 * The little SQL the API writes, kept to what DuckDB and PostgreSQL both run: positional `$n`
 * parameters, `CAST($n AS TIMESTAMPTZ)` for times, `percentile_cont(p) WITHIN GROUP (ORDER BY x)`,
 * `count(*) FILTER (WHERE …)` and `GROUPING SETS`. Integers that were validated by zod (limits,
 * offsets) are inlined, everything else is a parameter.
 */

export interface SessionFilters {
  from?: string | undefined;
  to?: string | undefined;
  tier?: string | undefined;
  outcome?: string | undefined;
  industry?: string | undefined;
  minScore?: number | undefined;
}

/** Collects parameters and hands out their `$n` placeholders. */
export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** `WHERE …` (or '') over the `sessions` table aliased `alias`. */
export function whereSessions(f: SessionFilters, p: Params, alias = 's', extra: string[] = []): string {
  const c: string[] = [...extra];
  if (f.from) c.push(`${alias}.ended_at >= CAST(${p.add(f.from)} AS TIMESTAMPTZ)`);
  if (f.to) c.push(`${alias}.ended_at < CAST(${p.add(f.to)} AS TIMESTAMPTZ)`);
  if (f.tier) c.push(`${alias}.tier = ${p.add(f.tier)}`);
  if (f.outcome) c.push(`${alias}.outcome = ${p.add(f.outcome)}`);
  if (f.industry) c.push(`${alias}.industry = ${p.add(f.industry)}`);
  if (f.minScore !== undefined) c.push(`${alias}.score >= ${p.add(f.minScore)}`);
  return c.length > 0 ? `WHERE ${c.join(' AND ')}` : '';
}

/** A safe integer for inlining (already validated upstream; this only guards against misuse). */
export function int(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${n}`);
  return String(n);
}

export const num = (v: unknown): number | null => {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
};

export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** A timestamp column as an ISO string, whatever the driver returned. */
export const iso = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  const t = Date.parse(String(v));
  return Number.isNaN(t) ? String(v) : new Date(t).toISOString();
};
