/**
 * The default calendar: bookings in a JSON file under the agent's data dir, and an RFC 5545
 * invite (`invites/<id>.ics`) written next to it for each meeting.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildIcs } from './ics.js';
import type { Booking, CalendarProvider, CreateBookingResult, MeetingRequest } from './types.js';

export interface LocalCalendarOptions {
  dataDir: string;
  organizer?: { name: string; email: string };
  meetingTitle?: string;
  now?: () => Date;
}

export const DEFAULT_ORGANIZER = Object.freeze({ name: 'Paperflow Sales', email: 'sales@paperflow.example' });

export class LocalCalendar implements CalendarProvider {
  readonly name = 'local';
  readonly bookingsPath: string;
  readonly invitesDir: string;
  #opts: LocalCalendarOptions;
  #lock: Promise<unknown> = Promise.resolve();

  constructor(opts: LocalCalendarOptions) {
    this.#opts = opts;
    this.bookingsPath = join(opts.dataDir, 'bookings.json');
    this.invitesDir = join(opts.dataDir, 'invites');
  }

  async listBookings(from: Date, to: Date): Promise<Booking[]> {
    const all = await this.#readAll();
    return all.filter((b) => Date.parse(b.start) < to.getTime() && Date.parse(b.end) > from.getTime());
  }

  createBooking(req: MeetingRequest): Promise<CreateBookingResult> {
    // One writer at a time inside this process: check-then-write must not interleave.
    const run = this.#lock.then(() => this.#create(req));
    this.#lock = run.catch(() => undefined);
    return run;
  }

  async #create(req: MeetingRequest): Promise<CreateBookingResult> {
    const all = await this.#readAll();
    const clash = all.find(
      (b) => Date.parse(b.start) < req.end.getTime() && Date.parse(b.end) > req.start.getTime(),
    );
    if (clash) return { status: 'conflict', error: 'the slot overlaps an existing booking' };
    const now = this.#opts.now?.() ?? new Date();
    const id = `bk_${randomUUID()}`;
    const organizer = this.#opts.organizer ?? DEFAULT_ORGANIZER;
    const title = this.#opts.meetingTitle ?? 'Paperflow demo';
    await mkdir(this.invitesDir, { recursive: true });
    const invitePath = join(this.invitesDir, `${id}.ics`);
    const ics = buildIcs({
      uid: `${id}@paperflow.example`,
      start: req.start,
      end: req.end,
      createdAt: now,
      summary: req.company ? `${title}: ${req.company}` : title,
      description: `Paperflow demo with ${req.name}${req.company ? ` (${req.company})` : ''}. Booked by the Paperflow sales assistant.`,
      organizer,
      attendee: { name: req.name, email: req.email },
    });
    await writeAtomic(invitePath, ics);
    const booking: Booking = {
      id,
      provider: this.name,
      start: req.start.toISOString(),
      end: req.end.toISOString(),
      timeZone: req.timeZone,
      name: req.name,
      email: req.email,
      ...(req.company ? { company: req.company } : {}),
      createdAt: now.toISOString(),
      invitePath,
    };
    await writeAtomic(this.bookingsPath, `${JSON.stringify([...all, booking], null, 2)}\n`);
    return { status: 'ok', booking };
  }

  async #readAll(): Promise<Booking[]> {
    try {
      const data = JSON.parse(await readFile(this.bookingsPath, 'utf8')) as unknown;
      return Array.isArray(data) ? (data as Booking[]) : [];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}

export async function writeAtomic(path: string, text: string): Promise<void> {
  const dir = join(path, '..');
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, text, 'utf8');
  await rename(tmp, path);
}
