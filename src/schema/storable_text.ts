/**
 * Text every warehouse keeps as it came: no NUL (PostgreSQL `text` and `jsonb` refuse U+0000) and
 * well-formed UTF-16 (a lone surrogate is written as U+FFFD, so two different strings could be
 * stored as one). Payload strings and keys, and the API's text parameters, are held to it.
 */
const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

export function isStorableText(s: string): boolean {
  return !s.includes('\0') && wellFormed(s);
}

/** Why `s` is not storable text, for an error message; null when it is. */
export function storableTextProblem(s: string): string | null {
  if (s.includes('\0')) return 'contains a NUL character (U+0000)';
  if (!wellFormed(s)) return 'contains a lone UTF-16 surrogate (not well-formed Unicode)';
  return null;
}
