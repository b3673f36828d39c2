import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  classifyHttpResponse,
  classifyHttpStatus,
  parseRetryAfter,
  sendHttp,
} from '../../src/delivery/index.js';

const h = (headers: Record<string, string> = {}) => new Headers(headers);
const NOW = Date.parse('2026-11-20T15:00:00.000Z');

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates; ignores garbage', () => {
    expect(parseRetryAfter('3', NOW)).toBe(3000);
    expect(parseRetryAfter('0.5', NOW)).toBe(500);
    expect(parseRetryAfter('Fri, 20 Nov 2026 15:00:10 GMT', NOW)).toBe(10_000);
    expect(parseRetryAfter('Fri, 20 Nov 2026 14:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });
});

describe('classifyHttpStatus', () => {
  it('2xx is ok', () => {
    expect(classifyHttpStatus(200, h(), '')).toEqual({ status: 'ok' });
    expect(classifyHttpStatus(204, h(), '')).toEqual({ status: 'ok' });
  });
  it('429 is retryable with retryInMs from Retry-After', () => {
    expect(classifyHttpStatus(429, h({ 'retry-after': '7' }), 'slow down', NOW)).toEqual({
      status: 'retryable',
      error: 'HTTP 429: slow down',
      retryInMs: 7000,
    });
    expect(classifyHttpStatus(429, h(), '')).toEqual({ status: 'retryable', error: 'HTTP 429' });
  });
  it('5xx is retryable', () => {
    expect(classifyHttpStatus(502, h(), '<html>bad gateway</html>').status).toBe('retryable');
    expect(classifyHttpStatus(503, h({ 'retry-after': '1' }), '', NOW)).toMatchObject({ retryInMs: 1000 });
  });
  it('other 4xx (and 3xx) fail with the response body', () => {
    expect(classifyHttpStatus(400, h(), '{"error":"bad"}')).toEqual({
      status: 'failed',
      error: 'HTTP 400: {"error":"bad"}',
      responseBody: '{"error":"bad"}',
    });
    expect(classifyHttpStatus(300, h(), '[]').status).toBe('failed');
  });
  it('classifyHttpResponse reads the body of a fetch Response', async () => {
    expect(await classifyHttpResponse(new Response('nope', { status: 404 }))).toMatchObject({
      status: 'failed',
      responseBody: 'nope',
    });
  });
});

describe('sendHttp', () => {
  it('a refused connection is retryable', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const out = await sendHttp({
      url: `http://127.0.0.1:${port}/`,
      method: 'POST',
      headers: {},
      body: '',
      timeoutMs: 1000,
    });
    expect(out).toMatchObject({
      kind: 'error',
      result: { status: 'retryable', error: expect.stringContaining('network error') },
    });
  });

  it('a server that never answers times out as retryable', async () => {
    const srv = createServer(() => {
      /* never responds */
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/`;
    try {
      const out = await sendHttp({ url, method: 'POST', headers: {}, body: '{}', timeoutMs: 200 });
      expect(out).toEqual({
        kind: 'error',
        result: { status: 'retryable', error: 'timed out after 200 ms' },
      });
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });
});
