/** Time-zone arithmetic with `Intl` only: IANA validation and local wall time ⇄ UTC. */

export function isValidTimeZone(tz: string): boolean {
  if (!tz || !(tz.includes('/') || tz === 'UTC')) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall-clock time of instant `at` in `tz`. */
export function wallTimeIn(at: Date, tz: string): WallTime {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    weekday: 'short',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')) % 24,
    minute: Number(get('minute')),
    second: Number(get('second')),
    weekday: WEEKDAYS[get('weekday')] ?? 0,
  };
}

/** Offset of `tz` from UTC at instant `at`, in minutes (e.g. -300 for New York in winter). */
export function offsetMinutes(at: Date, tz: string): number {
  const w = wallTimeIn(at, tz);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** The instant when the wall clock in `tz` shows the given local time. */
export function zonedToUtc(local: Omit<WallTime, 'weekday'>, tz: string): Date {
  const guess = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  let t = guess - offsetMinutes(new Date(guess), tz) * 60_000;
  // A second pass settles instants near a DST change.
  t = guess - offsetMinutes(new Date(t), tz) * 60_000;
  return new Date(t);
}

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;
const ISO_ABSOLUTE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Parses an ISO-8601 date-time. With `Z` or an offset it is absolute; without, it is wall-clock
 * time in `tz`. Returns null when the text is not such a date-time.
 */
export function parseIsoInZone(text: string, tz: string): Date | null {
  const s = text.trim();
  if (ISO_ABSOLUTE.test(s)) {
    const d = new Date(s.replace(' ', 'T'));
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const m = ISO_LOCAL.exec(s);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((x) => Number(x ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const d = zonedToUtc({ year, month, day, hour, minute, second }, tz);
  // Reject dates that do not exist (Feb 30) by round-tripping the wall time.
  const back = wallTimeIn(d, tz);
  if (back.day !== day || back.month !== month) return null;
  return d;
}

/** `Tuesday, November 24, 2026 at 10:00 AM EST` — for messages the model reads aloud. */
export function describeInZone(at: Date, tz: string): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(at);
}

/** `2026-11-24T10:00` wall time in `tz` (no offset), the form the tool accepts back. */
export function localIsoInZone(at: Date, tz: string): string {
  const w = wallTimeIn(at, tz);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${p(w.month)}-${p(w.day)}T${p(w.hour)}:${p(w.minute)}`;
}
