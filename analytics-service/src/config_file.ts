/** Reading the worker's JSON configuration files (price book, scoring model) with errors that name the problem. */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';

export type LoadResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Formats the first zod issues as `path: message`, naming the bad field. */
export function formatIssues(source: string, error: z.ZodError): string {
  const lines = error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  return `${source}: ${lines.join('; ')}`;
}

/**
 * Reads `path` as JSON and hands it to `parse`; errors say `<label> <path>: cannot read …`,
 * `… invalid JSON …`, or the field `parse` rejected.
 */
export async function readJsonConfig<T>(
  path: string,
  label: string,
  parse: (data: unknown, source: string) => LoadResult<T>,
): Promise<LoadResult<T>> {
  const source = `${label} ${path}`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, error: `${source}: cannot read: ${(err as Error).message}` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `${source}: invalid JSON: ${(err as Error).message}` };
  }
  return parse(data, source);
}
