/** Each destination's env variables are one zod section; the worker's config loader composes them. */
import type { z } from 'zod';

/** `config: null` means the destination is not configured (off). */
export type EnvSectionResult<T> = { ok: true; config: T | null } | { ok: false; error: string };

/** Parses one section; the error names every bad variable (`HUBSPOT_BASE_URL: Invalid URL`). */
export function parseEnvSection<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): { ok: true; value: z.infer<S> } | { ok: false; error: string } {
  const parsed = schema.safeParse(env);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    error: parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`).join('; '),
  };
}

/** `1`/`0` style flags are not used; an empty string counts as unset. */
export function blankToUndefined(
  env: Record<string, string | undefined>,
): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v]));
}
