import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BookingService } from '../../src/agent/calendar/booking_service.js';
import { CALCOM_API_VERSION, CalComCalendar } from '../../src/agent/calendar/calcom_calendar.js';
import { DEFAULT_WORKING_HOURS } from '../../src/agent/calendar/working_hours.js';
import { fixedNow } from './helpers.js';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** A local Cal.com v2 stand-in that checks the documented request shape of `POST /v2/bookings`. */
async function startCalCom(respond: (seen: Seen) => { status: number; body: unknown }) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const s: Seen = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(raw || '{}'),
      };
      seen.push(s);
      const r = respond(s);
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('Cal.com calendar provider', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it('POSTs /v2/bookings with the v2 headers and body, and books', async () => {
    const cal = await startCalCom((s) => ({
      status: 201,
      body: {
        status: 'success',
        data: {
          id: 123,
          uid: 'bk_uid_1',
          start: s.body['start'],
          end: '2026-11-24T15:30:00.000Z',
          meetingUrl: 'https://cal.com/video/x',
        },
      },
    }));
    close = cal.close;
    const service = new BookingService({
      calendar: new CalComCalendar({ apiKey: 'cal_live_secret', eventTypeId: 987, baseUrl: cal.baseUrl }),
      workingHours: DEFAULT_WORKING_HOURS,
      now: fixedNow,
    });
    const result = await service.book({
      name: 'Dana Reyes',
      email: 'dana@acme-legal.com',
      company: 'Acme Legal',
      time: '2026-11-24T10:00',
      timezone: 'America/New_York',
      metadata: { session_id: 'sess-1' },
    });
    expect(result.status).toBe('booked');
    expect(cal.seen).toHaveLength(1);
    const req = cal.seen[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v2/bookings');
    expect(req.headers['cal-api-version']).toBe(CALCOM_API_VERSION);
    expect(req.headers['cal-api-version']).toBe('2024-08-13');
    expect(req.headers.authorization).toBe('Bearer cal_live_secret');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual({
      start: '2026-11-24T15:00:00.000Z',
      eventTypeId: 987,
      attendee: { name: 'Dana Reyes', email: 'dana@acme-legal.com', timeZone: 'America/New_York' },
      metadata: { session_id: 'sess-1', company: 'Acme Legal' },
    });
    if (result.status === 'booked') {
      expect(result.booking.id).toBe('bk_uid_1');
      expect(result.booking.url).toBe('https://cal.com/video/x');
    }
  });

  it('turns a taken slot into a conflict message with a suggestion', async () => {
    const cal = await startCalCom(() => ({
      status: 400,
      body: {
        status: 'error',
        error: {
          code: 'BadRequestException',
          message: 'User either already has booking at this time or is not available',
        },
      },
    }));
    close = cal.close;
    const service = new BookingService({
      calendar: new CalComCalendar({ apiKey: 'k', eventTypeId: 1, baseUrl: cal.baseUrl }),
      workingHours: DEFAULT_WORKING_HOURS,
      now: fixedNow,
    });
    const r = await service.book({
      name: 'A',
      email: 'a@b.co',
      time: '2026-11-24T10:00',
      timezone: 'Europe/Berlin',
    });
    expect(r.status).toBe('rejected');
    if (r.status === 'rejected') {
      expect(r.reason).toBe('conflict');
      expect(r.message).toContain('is already taken');
    }
  });

  it('reports other API errors and an unreachable server without throwing', async () => {
    const cal = await startCalCom(() => ({
      status: 401,
      body: { status: 'error', error: { message: 'Invalid API key' } },
    }));
    close = cal.close;
    const bad = new CalComCalendar({ apiKey: 'k', eventTypeId: 1, baseUrl: cal.baseUrl });
    const start = new Date('2026-11-24T15:00:00Z');
    const req = {
      name: 'A',
      email: 'a@b.co',
      start,
      end: new Date(start.getTime() + 1_800_000),
      timeZone: 'UTC',
      metadata: {},
    };
    expect(await bad.createBooking(req)).toEqual({
      status: 'failed',
      error: 'calendar service error: Invalid API key',
    });
    const down = new CalComCalendar({ apiKey: 'k', eventTypeId: 1, baseUrl: 'http://127.0.0.1:1' });
    const r = await down.createBooking(req);
    expect(r.status).toBe('failed');
  });
});
