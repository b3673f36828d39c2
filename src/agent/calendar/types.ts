/**
 * Calendar providers book sales meetings. The booking service (`booking_service.ts`) validates
 * and checks working hours and conflicts; a provider only stores the meeting (`local`) or
 * forwards it to a calendar API (`calcom`).
 */

export interface MeetingRequest {
  name: string;
  email: string;
  company?: string;
  start: Date;
  end: Date;
  /** The prospect's IANA time zone. */
  timeZone: string;
  /** String labels carried to the provider (session id, agent, …). */
  metadata: Record<string, string>;
}

export interface Booking {
  id: string;
  provider: string;
  start: string;
  end: string;
  timeZone: string;
  name: string;
  email: string;
  company?: string;
  createdAt: string;
  /** Local provider: the `.ics` invite written to disk. */
  invitePath?: string;
  /** Remote provider: a link to the meeting or booking page. */
  url?: string;
}

export type CreateBookingResult =
  | { status: 'ok'; booking: Booking }
  | { status: 'conflict'; error: string }
  | { status: 'failed'; error: string };

export interface CalendarProvider {
  readonly name: string;
  /** Bookings overlapping `[from, to)`; providers that cannot list return []. */
  listBookings(from: Date, to: Date): Promise<Booking[]>;
  createBooking(req: MeetingRequest): Promise<CreateBookingResult>;
}
