/**
 * Cal.com API v2 provider: `POST {baseUrl}/v2/bookings` with `cal-api-version: 2024-08-13` and a
 * bearer API key; body `{ start (UTC ISO), eventTypeId, attendee: { name, email, timeZone },
 * metadata }`. Cal.com checks availability itself; a taken slot comes back as a 4xx error.
 */
import type { Booking, CalendarProvider, CreateBookingResult, MeetingRequest } from './types.js';

export const CALCOM_API_VERSION = '2024-08-13';
export const CALCOM_DEFAULT_BASE_URL = 'https://api.cal.com';

export interface CalComOptions {
  apiKey: string;
  eventTypeId: number;
  baseUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface CalComBookingData {
  id?: number;
  uid?: string;
  start?: string;
  end?: string;
  meetingUrl?: string;
  location?: string;
}

export class CalComCalendar implements CalendarProvider {
  readonly name = 'calcom';
  #opts: CalComOptions;

  constructor(opts: CalComOptions) {
    this.#opts = opts;
  }

  async listBookings(): Promise<Booking[]> {
    return [];
  }

  async createBooking(req: MeetingRequest): Promise<CreateBookingResult> {
    const base = (this.#opts.baseUrl ?? CALCOM_DEFAULT_BASE_URL).replace(/\/+$/, '');
    const doFetch = this.#opts.fetch ?? fetch;
    // Cal.com metadata: at most 50 keys, string values up to 500 characters.
    const metadata = Object.fromEntries(
      Object.entries(req.metadata)
        .slice(0, 50)
        .map(([k, v]) => [k.slice(0, 40), v.slice(0, 500)]),
    );
    if (req.company && !metadata['company']) metadata['company'] = req.company.slice(0, 500);
    const body = {
      start: req.start.toISOString(),
      eventTypeId: this.#opts.eventTypeId,
      attendee: { name: req.name, email: req.email, timeZone: req.timeZone },
      metadata,
    };
    let res: Response;
    try {
      res = await doFetch(`${base}/v2/bookings`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.#opts.apiKey}`,
          'cal-api-version': CALCOM_API_VERSION,
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.#opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      return { status: 'failed', error: `calendar service unreachable: ${(err as Error).message}` };
    }
    const json = (await res.json().catch(() => null)) as {
      status?: string;
      data?: CalComBookingData | CalComBookingData[];
      error?: { message?: string; code?: string };
      message?: string;
    } | null;
    if (!res.ok || json?.status === 'error') {
      const message = json?.error?.message ?? json?.message ?? `HTTP ${res.status}`;
      const conflict =
        res.status === 409 || /already has booking|not available|no available|unavailable/i.test(message);
      return conflict
        ? { status: 'conflict', error: message }
        : { status: 'failed', error: `calendar service error: ${message}` };
    }
    const data = Array.isArray(json?.data) ? json?.data[0] : json?.data;
    const booking: Booking = {
      id: data?.uid ?? String(data?.id ?? ''),
      provider: this.name,
      start: data?.start ?? body.start,
      end: data?.end ?? req.end.toISOString(),
      timeZone: req.timeZone,
      name: req.name,
      email: req.email,
      ...(req.company ? { company: req.company } : {}),
      createdAt: new Date().toISOString(),
      ...(data?.meetingUrl || data?.location ? { url: data?.meetingUrl ?? data?.location } : {}),
    };
    return { status: 'ok', booking };
  }
}
