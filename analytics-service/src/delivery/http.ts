/**
 * One place that turns HTTP outcomes into delivery results, shared by every HTTP destination:
 * - 2xx → ok
 * - 429 → retryable, honouring `Retry-After` (seconds or an HTTP date) as `retryInMs`
 * - 5xx, network errors and timeouts → retryable (a 503 with `Retry-After` honours it too)
 * - any other status (3xx, 4xx) → failed, with the response body kept for the parked entry
 */
import type { DeliveryResult } from '../types.js';

/** Bodies kept in results and parked entries are cut to this many characters. */
export const MAX_BODY_CHARS = 16_000;
const SNIPPET_CHARS = 300;

/** `Retry-After` as milliseconds from `nowMs`; undefined when absent or unparseable. */
export function parseRetryAfter(value: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

const snippet = (body: string) => {
  const one = body.replace(/\s+/g, ' ').trim();
  return one.length > SNIPPET_CHARS ? `${one.slice(0, SNIPPET_CHARS)}…` : one;
};

/** Pure classification of a status, its headers and body text. */
export function classifyHttpStatus(
  status: number,
  headers: Pick<Headers, 'get'>,
  body: string,
  nowMs = Date.now(),
): DeliveryResult {
  if (status >= 200 && status < 300) return { status: 'ok' };
  const error = `HTTP ${status}${body ? `: ${snippet(body)}` : ''}`;
  if (status === 429 || status >= 500) {
    const retryInMs = parseRetryAfter(headers.get('retry-after'), nowMs);
    return retryInMs === undefined
      ? { status: 'retryable', error }
      : { status: 'retryable', error, retryInMs };
  }
  return { status: 'failed', error, responseBody: body.slice(0, MAX_BODY_CHARS) };
}

/** Reads the response body and classifies it (see the file header). */
export async function classifyHttpResponse(res: Response, nowMs = Date.now()): Promise<DeliveryResult> {
  let body = '';
  try {
    body = await res.text();
  } catch {
    // a body that cannot be read does not change the classification
  }
  return classifyHttpStatus(res.status, res.headers, body, nowMs);
}

/** A thrown fetch error (DNS, refused, reset, timeout, abort) as a retryable result. */
export function classifyFetchError(err: unknown, timeoutMs?: number): DeliveryResult {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') {
    return { status: 'retryable', error: `timed out after ${timeoutMs ?? '?'} ms` };
  }
  if (e?.name === 'AbortError') return { status: 'retryable', error: 'request aborted' };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return {
    status: 'retryable',
    error: `network error: ${e?.message ?? String(err)}${cause ? ` (${cause})` : ''}`,
  };
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpRequest {
  url: string;
  method: 'POST' | 'PATCH' | 'PUT';
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  signal?: AbortSignal;
  fetch?: FetchLike;
}

export type HttpOutcome =
  | { kind: 'response'; status: number; headers: Headers; body: string }
  | { kind: 'error'; result: DeliveryResult };

/**
 * Most response bytes read: enough for any vendor's answer; a huge (or endless) body is cut here
 * and the connection closed, instead of being held in memory whole.
 */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** The response body as text, at most `maxBytes` of it (the rest is not read). */
async function readBounded(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= maxBytes) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

/** Sends one request with a timeout; never throws. */
export async function sendHttp(req: HttpRequest): Promise<HttpOutcome> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  try {
    const res = await (req.fetch ?? fetch)(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal,
    });
    const body = await readBounded(res, MAX_RESPONSE_BYTES);
    return { kind: 'response', status: res.status, headers: res.headers, body };
  } catch (err) {
    const timedOut = timeout.aborted && !req.signal?.aborted;
    return {
      kind: 'error',
      result: classifyFetchError(timedOut ? { name: 'TimeoutError' } : err, req.timeoutMs),
    };
  }
}
