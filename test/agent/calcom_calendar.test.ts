import { afterEach, describe, expect, it } from 'vitest';
import { BookingService } from '../../src/agent/calendar/booking_service.js';
import { CALCOM_API_VERSION, CalComCalendar } from '../../src/agent/calendar/calcom_calendar.js';
import { DEFAULT_WORKING_HOURS } from '../../src/agent/calendar/working_hours.js';
import { CALCOM_TEST_API_KEY, startCalComServer } from './calcom_server.js';
import { fixedNow } from './helpers.js';

describe('Cal.com calendar provider', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it('POSTs /v2/bookings with the v2 headers and body, and books', async () => {
    const cal = await startCalComServer({ eventTypeId: 987 });
    close = cal.close;
    const service = new BookingService({
      calendar: new CalComCalendar({ apiKey: CALCOM_TEST_API_KEY, eventTypeId: 987, baseUrl: cal.baseUrl }),
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
    expect(cal.requests).toHaveLength(1);
    const req = cal.requests[0]!;
    expect(req.status).toBe(201);
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v2/bookings');
    expect(req.headers['cal-api-version']).toBe(CALCOM_API_VERSION);
    expect(req.headers['cal-api-version']).toBe('2024-08-13');
    expect(req.headers.authorization).toBe(`Bearer ${CALCOM_TEST_API_KEY}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual({
      start: '2026-11-24T15:00:00.000Z',
      eventTypeId: 987,
      attendee: { name: 'Dana Reyes', email: 'dana@acme-legal.com', timeZone: 'America/New_York' },
      metadata: { session_id: 'sess-1', company: 'Acme Legal' },
    });
    if (result.status === 'booked') {
      expect(result.booking.id).toBe('bk_1000');
      expect(result.booking.url).toBe('https://app.cal.com/video/bk_1000');
      expect(result.booking.end).toBe('2026-11-24T15:30:00.000Z');
    }
  });

  it('turns a taken slot into a conflict message with a suggestion', async () => {
    const cal = await startCalComServer({ eventTypeId: 1 });
    close = cal.close;
    const service = new BookingService({
      calendar: new CalComCalendar({ apiKey: CALCOM_TEST_API_KEY, eventTypeId: 1, baseUrl: cal.baseUrl }),
      workingHours: DEFAULT_WORKING_HOURS,
      now: fixedNow,
    });
    // Someone else took 10:00 Berlin (09:00 UTC) on Cal.com meanwhile.
    cal.booked.add('2026-11-24T09:00:00.000Z');
    const r = await service.book({
      name: 'A',
      email: 'a@b.co',
      time: '2026-11-24T10:00',
      timezone: 'Europe/Berlin',
    });
    expect(cal.requests.map((q) => q.status)).toEqual([400]);
    expect(r.status).toBe('rejected');
    if (r.status === 'rejected') {
      expect(r.reason).toBe('conflict');
      expect(r.message).toContain('is already taken');
    }
  });

  it('reports other API errors and an unreachable server without throwing', async () => {
    const cal = await startCalComServer({ eventTypeId: 1 });
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
    expect(r).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^calendar service unreachable: /),
    });
  });

  it("keeps metadata within Cal.com's documented limits (50 keys, 40-character keys, 500-character values)", async () => {
    const cal = await startCalComServer({ eventTypeId: 5 });
    close = cal.close;
    const start = new Date('2026-11-24T15:00:00Z');
    const metadata = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [`key_${i}_${'k'.repeat(50)}`, 'v'.repeat(600)]),
    );
    const r = await new CalComCalendar({
      apiKey: CALCOM_TEST_API_KEY,
      eventTypeId: 5,
      baseUrl: cal.baseUrl,
    }).createBooking({
      name: 'A',
      email: 'a@b.co',
      start,
      end: new Date(start.getTime() + 1_800_000),
      timeZone: 'Europe/Berlin',
      metadata,
    });
    expect(cal.requests.map((q) => q.status)).toEqual([201]);
    expect(r.status).toBe('ok');
    const sent = (cal.requests[0]!.body as { metadata: Record<string, string> }).metadata;
    expect(Object.keys(sent)).toHaveLength(50);
    expect(Object.values(sent).every((v) => v.length === 500)).toBe(true);
  });
});
