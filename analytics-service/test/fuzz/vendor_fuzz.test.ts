/**
 * The destinations (HubSpot, Salesforce, Amplitude, webhook) against vendor answers a broken
 * network or vendor gives: any status, wrong or missing content types, truncated JSON, random
 * bytes, huge bodies, slow drips past the timeout, connections cut mid-body, odd Retry-After.
 * A plain local HTTP server plays the vendor; the destinations run unchanged. Property: `deliver`
 * never throws, always settles (bounded by its own timeout), and classifies as documented.
 * Seeded, bounded by numRuns.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RESPONSE_BYTES } from '../../src/delivery/http.js';
import {
  createAmplitudeDestination,
  createHubSpotDestination,
  createSalesforceDestination,
  createWebhookDestination,
  hubspotProperties,
  salesforceFields,
} from '../../src/destinations/index.js';
import type { Destination } from '../../src/types.js';
import { scoredSample, signal } from '../destinations/fixtures.js';

interface Answer {
  status: number;
  contentType: string | undefined;
  retryAfter: string | undefined;
  body: 'empty' | 'json' | 'ok_json' | 'truncated_json' | 'bytes' | 'html' | 'huge' | 'drip' | 'cut';
  bytes: Uint8Array;
}

const TIMEOUT_MS = 400;
let server: Server;
let url = '';
let next: Answer;
/** Bytes the server wrote of the last huge body before the client went away. */
let hugeWritten = 0;
const HUGE_BYTES = 24 * 1024 * 1024;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const a = next;
      const headers: Record<string, string> = {};
      if (a.contentType !== undefined) headers['content-type'] = a.contentType;
      if (a.retryAfter !== undefined) headers['retry-after'] = a.retryAfter;
      try {
        res.writeHead(a.status, headers);
      } catch {
        res.writeHead(500);
      }
      const json = JSON.stringify({ status: 'error', numErrors: 1, errors: [{ message: 'x' }], id: 'abc' });
      switch (a.body) {
        case 'empty':
          return res.end();
        case 'json':
          return res.end(json);
        case 'ok_json':
          // A success as the vendors document it (HubSpot's batch answer: status COMPLETE).
          return res.end(
            JSON.stringify({ status: 'COMPLETE', results: [{ id: '1' }], id: 'abc', success: true }),
          );
        case 'truncated_json':
          return res.end(json.slice(0, Math.max(1, a.bytes.length % json.length)));
        case 'bytes':
          return res.end(Buffer.from(a.bytes));
        case 'html':
          return res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
        case 'cut':
          res.write('{"partial":');
          return setTimeout(() => res.socket?.destroy(), 5);
        case 'drip': {
          const timer = setInterval(() => res.write('.'), 50);
          res.on('close', () => clearInterval(timer));
          return;
        }
        case 'huge': {
          hugeWritten = 0;
          const chunk = Buffer.alloc(64 * 1024, 0x61);
          const pump = () => {
            while (hugeWritten < HUGE_BYTES) {
              hugeWritten += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            res.end();
          };
          res.on('close', () => {
            hugeWritten = Math.min(hugeWritten, HUGE_BYTES);
          });
          return pump();
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Modes that need no hash key (the webhook's `none` still runs the redaction). */
function destinations(): Destination[] {
  return [
    createHubSpotDestination({
      accessToken: 'pat-1',
      baseUrl: url,
      properties: hubspotProperties(),
      piiMode: 'full',
      timeoutMs: TIMEOUT_MS,
    }),
    createSalesforceDestination({
      instanceUrl: url,
      // Both spellings of a static token (a plain field, and the `auth` flow that replaces it).
      accessToken: 'tok',
      auth: { flow: 'static', accessToken: 'tok' },
      apiVersion: 'v62.0',
      externalIdField: 'SignalRoom_Session_Id__c',
      fields: salesforceFields(),
      lastNameFallback: 'Unknown (SignalRoom call)',
      companyFallback: 'Unknown',
      piiMode: 'full',
      timeoutMs: TIMEOUT_MS,
    } as unknown as Parameters<typeof createSalesforceDestination>[0]),
    createAmplitudeDestination({
      apiKey: 'k',
      endpoint: `${url}/2/httpapi`,
      eventType: 'sales_call_scored',
      piiMode: 'full',
      timeoutMs: TIMEOUT_MS,
    }),
    createWebhookDestination({
      url: `${url}/hook`,
      secret: 'a-secret-of-16-chars-at-least',
      piiMode: 'none',
      timeoutMs: TIMEOUT_MS,
    }),
  ];
}

const answer: fc.Arbitrary<Answer> = fc.record({
  status: fc.oneof(
    fc.constantFrom(200, 201, 202, 204, 207, 301, 400, 401, 403, 404, 409, 413, 429, 500, 502, 503, 504),
    fc.integer({ min: 200, max: 599 }),
  ),
  contentType: fc.option(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/html',
      'application/octet-stream',
      'text/plain; charset=latin1',
      'nonsense/',
    ),
    { nil: undefined },
  ),
  retryAfter: fc.option(
    fc.oneof(
      fc.constantFrom(
        '0',
        '1',
        '3600',
        '-5',
        '1e9',
        'Wed, 21 Oct 2015 07:28:00 GMT',
        'Fri, 31 Dec 9999 23:59:59 GMT',
        'soon',
        '',
      ),
      fc.string({ maxLength: 10 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
    ),
    { nil: undefined },
  ),
  body: fc.constantFrom('empty', 'json', 'truncated_json', 'bytes', 'html', 'huge', 'drip', 'cut'),
  bytes: fc.uint8Array({ maxLength: 200 }),
});

describe('fuzz: destinations against hostile vendor answers', () => {
  it('never throws, always settles, classifies by status; errors stay short', async () => {
    const session = scoredSample();
    await fc.assert(
      fc.asyncProperty(answer, fc.nat({ max: 3 }), async (a, which) => {
        // The huge body only once in a while: it is the slowest case.
        next = a.body === 'huge' && which !== 0 ? { ...a, body: 'bytes' } : a;
        const dest = destinations()[which] as Destination;
        const r = await dest.deliver(session, { signal: signal() });
        expect(['ok', 'retryable', 'failed']).toContain(r.status);
        if (r.status !== 'ok') expect(r.error.length).toBeLessThan(2000);
        if (r.status === 'failed') expect((r.responseBody ?? '').length).toBeLessThanOrEqual(16_000);
        if (r.status === 'retryable' && r.retryInMs !== undefined) {
          expect(Number.isFinite(r.retryInMs) && r.retryInMs >= 0).toBe(true);
        }
        const cutShort = next.body === 'drip' || next.body === 'cut';
        if (cutShort) expect(r.status).toBe('retryable');
        else if (next.status === 429 || next.status >= 500) expect(r.status).toBe('retryable');
        else if (next.status >= 300 && !(dest.name === 'salesforce' && next.status === 403))
          expect(r.status).toBe('failed');
      }),
      { seed: 2201, numRuns: 120 },
    );
  });

  it('delivers sessions carrying unknown keys of any shape (a newer agent) to every destination', async () => {
    next = {
      status: 200,
      contentType: 'application/json',
      retryAfter: undefined,
      body: 'ok_json',
      bytes: new Uint8Array(),
    };
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('budget', 'timeline', 'x'), fc.jsonValue({ maxDepth: 2 })),
        fc.jsonValue({ maxDepth: 2 }),
        async (unknownSignals, extra) => {
          const s = scoredSample();
          Object.assign(s.payload.signals, unknownSignals);
          (s.payload as unknown as Record<string, unknown>)['x_new'] = extra;
          for (const d of destinations()) {
            const r = await d.deliver(s, { signal: signal() });
            expect(r, d.name).toEqual({ status: 'ok' });
          }
        },
      ),
      { seed: 2202, numRuns: 40 },
    );
  });

  it('reads at most MAX_RESPONSE_BYTES of a huge body and hangs up on the rest', async () => {
    next = {
      status: 400,
      contentType: 'text/plain',
      retryAfter: undefined,
      body: 'huge',
      bytes: new Uint8Array(),
    };
    const r = await (destinations()[3] as Destination).deliver(scoredSample(), { signal: signal() });
    expect(r.status).toBe('failed');
    expect(r.status === 'failed' && r.responseBody?.length).toBe(16_000);
    // The server could not push the whole body: the client stopped reading near the limit.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hugeWritten).toBeLessThan(HUGE_BYTES);
    expect(hugeWritten).toBeGreaterThanOrEqual(MAX_RESPONSE_BYTES);
  });
});
