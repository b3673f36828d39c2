/**
 * A local stand-in for Cal.com API v2's `POST /v2/bookings` (`cal-api-version: 2024-08-13`), strict
 * about the documented request (CreateBookingInput_2024_08_13 in calcom/cal.com
 * `packages/platform/types/bookings/2024-08-13/inputs`): a bearer API key; `start` an ISO 8601
 * date-time in UTC; `eventTypeId` an integer; `attendee` { name, email, timeZone (IANA) } and
 * nothing else unknown; `metadata` at most 50 keys of at most 40 characters, string values of at
 * most 500 characters. Anything else gets Cal.com's error envelope
 * `{ status: 'error', error: { code, message } }`. A start that is already booked is refused like
 * Cal.com refuses it; a booking answers `{ status: 'success', data: { id, uid, start, end, … } }`.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

export const CALCOM_TEST_API_KEY = 'cal_live_test_key_0123456789';

const isIanaZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
};

const CreateBooking = z
  .object({
    start: z.iso.datetime({ offset: false }), // UTC, `Z`
    eventTypeId: z.number().int(),
    lengthInMinutes: z.number().int().min(1).optional(),
    attendee: z
      .object({
        name: z.string(),
        email: z.email(),
        timeZone: z.string().refine(isIanaZone, 'attendee.timeZone must be a valid IANA time zone'),
        phoneNumber: z.string().optional(),
        language: z.string().optional(),
      })
      .strict(),
    guests: z.array(z.email()).optional(),
    location: z.unknown().optional(),
    bookingFieldsResponses: z.record(z.string(), z.unknown()).optional(),
    metadata: z
      .record(z.string().max(40), z.union([z.string().max(500), z.number(), z.boolean()]))
      .refine((m) => Object.keys(m).length <= 50, 'metadata must have at most 50 keys')
      .optional(),
  })
  .strict();

export interface CalComRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  status: number;
}

export interface CalComServer {
  baseUrl: string;
  requests: CalComRequest[];
  /** Starts already booked (ISO); a second booking on one is refused. */
  booked: Set<string>;
  close(): Promise<void>;
}

const error = (status: number, code: string, message: string) => ({
  status,
  body: {
    status: 'error',
    timestamp: new Date().toISOString(),
    path: '/v2/bookings',
    error: { code, message },
  },
});

export async function startCalComServer(opts: {
  eventTypeId: number;
  lengthMinutes?: number;
}): Promise<CalComServer> {
  const requests: CalComRequest[] = [];
  const booked = new Set<string>();
  let nextId = 1000;
  const handle = (req: IncomingMessage, raw: string): { status: number; body: unknown } => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/v2/bookings') return error(404, 'NotFoundException', `Cannot ${req.method} ${path}`);
    if (req.method !== 'POST') return error(405, 'MethodNotAllowed', `${req.method} not allowed`);
    if (req.headers.authorization !== `Bearer ${CALCOM_TEST_API_KEY}`)
      return error(401, 'UnauthorizedException', 'Invalid API key');
    if (req.headers['cal-api-version'] !== '2024-08-13')
      return error(400, 'BadRequestException', 'cal-api-version header must be 2024-08-13 for this body');
    if (!String(req.headers['content-type']).startsWith('application/json'))
      return error(415, 'UnsupportedMediaType', 'Content-Type must be application/json');
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return error(400, 'BadRequestException', 'Invalid JSON body');
    }
    const parsed = CreateBooking.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return error(400, 'BadRequestException', `${issue?.path.join('.')}: ${issue?.message}`);
    }
    const b = parsed.data;
    if (b.eventTypeId !== opts.eventTypeId)
      return error(404, 'NotFoundException', `Event type with id=${b.eventTypeId} was not found.`);
    const start = new Date(b.start).toISOString();
    if (booked.has(start))
      return error(
        400,
        'BadRequestException',
        'User either already has booking at this time or is not available',
      );
    booked.add(start);
    const minutes = b.lengthInMinutes ?? opts.lengthMinutes ?? 30;
    const id = nextId++;
    return {
      status: 201,
      body: {
        status: 'success',
        data: {
          id,
          uid: `bk_${id}`,
          title: `Meeting between Sales and ${b.attendee.name}`,
          status: 'accepted',
          start,
          end: new Date(Date.parse(start) + minutes * 60_000).toISOString(),
          duration: minutes,
          eventTypeId: b.eventTypeId,
          meetingUrl: `https://app.cal.com/video/bk_${id}`,
          location: `https://app.cal.com/video/bk_${id}`,
          attendees: [{ ...b.attendee, absent: false }],
          guests: b.guests ?? [],
          metadata: b.metadata ?? {},
          createdAt: new Date().toISOString(),
        },
      },
    };
  };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const r = handle(req, raw);
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // kept raw
      }
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        status: r.status,
      });
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    booked,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
