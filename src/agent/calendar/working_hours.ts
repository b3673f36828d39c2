/** Working hours for meetings: which weekdays and which hours, in the prospect's time zone. */
import { wallTimeIn } from './time_zone.js';

export interface WorkingHours {
  /** 0 = Sunday … 6 = Saturday. Default Monday–Friday. */
  days: readonly number[];
  /** Inclusive start hour, default 9. */
  startHour: number;
  /** Exclusive end hour: a meeting must end by then. Default 17. */
  endHour: number;
}

export const DEFAULT_WORKING_HOURS: WorkingHours = Object.freeze({
  days: [1, 2, 3, 4, 5],
  startHour: 9,
  endHour: 17,
});

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Parses `9-17` style hours; returns null when malformed. */
export function parseHoursRange(text: string): { startHour: number; endHour: number } | null {
  const m = /^\s*(\d{1,2})(?::00)?\s*-\s*(\d{1,2})(?::00)?\s*$/.exec(text);
  if (!m) return null;
  const startHour = Number(m[1]);
  const endHour = Number(m[2]);
  if (startHour < 0 || endHour > 24 || startHour >= endHour) return null;
  return { startHour, endHour };
}

/** Parses `1-5` or `1,2,3,4,5` weekday lists (0 = Sunday). */
export function parseDays(text: string): number[] | null {
  const range = /^\s*([0-6])\s*-\s*([0-6])\s*$/.exec(text);
  if (range) {
    const a = Number(range[1]);
    const b = Number(range[2]);
    if (a > b) return null;
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  const list = text.split(',').map((s) => s.trim());
  if (list.length === 0 || list.some((s) => !/^[0-6]$/.test(s))) return null;
  return [...new Set(list.map(Number))].sort();
}

/** Whether `[start, end)` lies inside working hours in `tz` (same local day). */
export function withinWorkingHours(start: Date, end: Date, tz: string, hours: WorkingHours): boolean {
  const s = wallTimeIn(start, tz);
  const e = wallTimeIn(new Date(end.getTime() - 1), tz);
  if (!hours.days.includes(s.weekday)) return false;
  if (s.year !== e.year || s.month !== e.month || s.day !== e.day) return false;
  const startMin = s.hour * 60 + s.minute;
  const endMin = e.hour * 60 + e.minute + 1;
  return startMin >= hours.startHour * 60 && endMin <= hours.endHour * 60;
}

export function describeWorkingHours(hours: WorkingHours): string {
  const days = hours.days.map((d) => DAY_NAMES[d] ?? String(d));
  const dayText =
    days.length > 2 && isConsecutive(hours.days) ? `${days[0]} to ${days[days.length - 1]}` : days.join(', ');
  return `${dayText}, ${hours.startHour}:00 to ${hours.endHour}:00`;
}

function isConsecutive(days: readonly number[]): boolean {
  return days.every((d, i) => i === 0 || d === (days[i - 1] ?? -2) + 1);
}
