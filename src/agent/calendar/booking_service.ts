/**
 * Books a sales meeting: validates the contact and the time, checks working hours in the
 * prospect's time zone and existing bookings, then asks the calendar provider. Every problem
 * the model can act on comes back as `{ status: 'rejected', message }`, never as a throw.
 */
import { describeInZone, isValidTimeZone, localIsoInZone, parseIsoInZone } from './time_zone.js';
import type { Booking, CalendarProvider } from './types.js';
import { describeWorkingHours, type WorkingHours, withinWorkingHours } from './working_hours.js';

export interface BookingServiceOptions {
  calendar: CalendarProvider;
  workingHours: WorkingHours;
  meetingMinutes?: number;
  /** How far ahead to look for a free slot to suggest (default 14 days). */
  searchDays?: number;
  now?: () => Date;
}

export interface BookMeetingInput {
  name: string;
  email: string;
  company?: string;
  time: string;
  timezone: string;
  metadata?: Record<string, string>;
}

export type BookMeetingResult =
  | { status: 'booked'; booking: Booking; message: string }
  | {
      status: 'rejected';
      reason:
        | 'invalid_email'
        | 'invalid_name'
        | 'invalid_time'
        | 'invalid_timezone'
        | 'past'
        | 'outside_hours'
        | 'conflict'
        | 'provider_error';
      message: string;
      /** The next free slot, as local wall time in the prospect's zone, when one was found. */
      suggestion?: string;
    };

const EMAIL =
  /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$/;

export function isValidEmail(email: string): boolean {
  return email.length <= 254 && EMAIL.test(email.trim());
}

export class BookingService {
  readonly #o: Required<Omit<BookingServiceOptions, 'now'>> & { now: () => Date };

  constructor(opts: BookingServiceOptions) {
    this.#o = { meetingMinutes: 30, searchDays: 14, now: () => new Date(), ...opts };
  }

  get calendar(): CalendarProvider {
    return this.#o.calendar;
  }

  async book(input: BookMeetingInput): Promise<BookMeetingResult> {
    const { calendar, workingHours, meetingMinutes } = this.#o;
    const name = input.name.trim();
    const email = input.email.trim();
    const tz = input.timezone.trim();
    if (!name) return reject('invalid_name', 'The attendee name is empty. Ask for their name.');
    if (!isValidEmail(email)) {
      return reject(
        'invalid_email',
        `"${email}" is not a valid email address. Ask the prospect to spell it again.`,
      );
    }
    if (!isValidTimeZone(tz)) {
      return reject(
        'invalid_timezone',
        `"${tz}" is not an IANA time zone. Ask where they are and use a zone like America/New_York or Europe/Berlin.`,
      );
    }
    const start = parseIsoInZone(input.time, tz);
    if (!start) {
      return reject(
        'invalid_time',
        `"${input.time}" is not an ISO-8601 date and time. Use the form 2026-11-24T10:00 (local time in ${tz}).`,
      );
    }
    const end = new Date(start.getTime() + meetingMinutes * 60_000);
    const now = this.#o.now();
    if (start.getTime() <= now.getTime()) {
      const next = await this.nextFreeSlot(now, tz);
      return reject(
        'past',
        `${describeInZone(start, tz)} is in the past. Ask for a future time${next ? `; the next free slot is ${describeInZone(next, tz)} (${localIsoInZone(next, tz)})` : ''}.`,
        next,
        tz,
      );
    }
    if (!withinWorkingHours(start, end, tz, workingHours)) {
      const next = await this.nextFreeSlot(start, tz);
      return reject(
        'outside_hours',
        `${describeInZone(start, tz)} is outside meeting hours (${describeWorkingHours(workingHours)} in ${tz}, ${meetingMinutes}-minute meetings).${next ? ` The next free slot is ${describeInZone(next, tz)} (${localIsoInZone(next, tz)}).` : ''}`,
        next,
        tz,
      );
    }
    const clashes = await calendar.listBookings(start, end);
    if (clashes.length > 0) return this.#conflict(start, tz);

    const result = await calendar.createBooking({
      name,
      email,
      ...(input.company?.trim() ? { company: input.company.trim() } : {}),
      start,
      end,
      timeZone: tz,
      metadata: input.metadata ?? {},
    });
    switch (result.status) {
      case 'ok':
        return {
          status: 'booked',
          booking: result.booking,
          message: `Booked a ${meetingMinutes}-minute Paperflow demo for ${name} on ${describeInZone(start, tz)}. A calendar invite goes to ${email}. Booking id ${result.booking.id}.`,
        };
      case 'conflict':
        return this.#conflict(start, tz);
      case 'failed':
        return reject(
          'provider_error',
          `The calendar could not book it (${result.error}). Apologise and offer a callback instead.`,
        );
      default: {
        const never: never = result;
        return never;
      }
    }
  }

  /** The first slot at or after `from` inside working hours with no booking, in `tz`. */
  async nextFreeSlot(from: Date, tz: string): Promise<Date | undefined> {
    const { calendar, workingHours, meetingMinutes, searchDays } = this.#o;
    const stepMs = 30 * 60_000;
    const now = this.#o.now().getTime();
    let t = Math.ceil(Math.max(from.getTime(), now + 1) / stepMs) * stepMs;
    const limit = t + searchDays * 24 * 3_600_000;
    const horizon = await calendar.listBookings(new Date(t), new Date(limit + meetingMinutes * 60_000));
    for (; t < limit; t += stepMs) {
      const s = new Date(t);
      const e = new Date(t + meetingMinutes * 60_000);
      if (!withinWorkingHours(s, e, tz, workingHours)) continue;
      const busy = horizon.some((b) => Date.parse(b.start) < e.getTime() && Date.parse(b.end) > s.getTime());
      if (!busy) return s;
    }
    return undefined;
  }

  async #conflict(start: Date, tz: string): Promise<BookMeetingResult> {
    const next = await this.nextFreeSlot(new Date(start.getTime() + 1), tz);
    return reject(
      'conflict',
      `${describeInZone(start, tz)} is already taken.${next ? ` The next free slot is ${describeInZone(next, tz)} (${localIsoInZone(next, tz)}); offer it or ask for another time.` : ' Ask for another day.'}`,
      next,
      tz,
    );
  }
}

function reject(
  reason: Extract<BookMeetingResult, { status: 'rejected' }>['reason'],
  message: string,
  next?: Date,
  tz?: string,
): BookMeetingResult {
  return {
    status: 'rejected',
    reason,
    message,
    ...(next && tz ? { suggestion: localIsoInZone(next, tz) } : {}),
  };
}
