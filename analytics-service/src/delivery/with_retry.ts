/**
 * Retry as a wrapper around the Destination interface (never inside a backend):
 * - `ok` and `failed` end at once; a `failed` result is parked with its response body.
 * - A `throttled` retryable (the vendor's rate limit) waits its `retryInMs` and does not use up an
 *   attempt: it is retried until the throttling stops or the deadline comes.
 * - `retryable` waits a jittered exponential backoff (`baseDelayMs · 2^(attempt-1)`, times a factor
 *   in [0.5, 1), capped at `maxDelayMs`), or at least `retryInMs` when the server said (Retry-After),
 *   and tries again until `maxAttempts` or until the next attempt would start after `deadlineMs`;
 *   then the delivery is parked.
 * - A thrown error from a destination counts as retryable (backends should not throw, but a bug
 *   must not lose a delivery).
 * - The caller's abort signal stops waiting at once; an aborted delivery is not parked (the message
 *   was not acknowledged, so the queue will bring it back).
 */
import type { Logger } from 'pino';
import { silentLogger } from '../../../src/log.js';
import type { DeliveryResult, Destination, ScoredSession } from '../types.js';
import type { ParkedEntry, ParkedStore } from './parked_store.js';

export interface RetryOptions {
  maxAttempts: number;
  deadlineMs: number;
  baseDelayMs: number;
  /** Upper bound of one computed backoff (a longer Retry-After is still honoured). Default 30 s. */
  maxDelayMs?: number;
  /** Where deliveries go when they fail for good or run out of retries; without it nothing is parked. */
  parked?: ParkedStore;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
  log?: Logger;
}

export interface DeliveryReport {
  /** The outcome the caller sees (`failed` with `parked after …` when parked). */
  result: DeliveryResult;
  attempts: number;
  parked: ParkedEntry | null;
  /** Every wait between attempts, in ms (for logs and tests). */
  delaysMs: number[];
}

export interface RetryingDestination extends Destination {
  readonly inner: Destination;
  deliverWithReport(session: ScoredSession, opts: { signal: AbortSignal }): Promise<DeliveryReport>;
}

/** Sleeps `ms`, resolving early (without throwing) when the signal aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function backoffMs(
  attempt: number,
  o: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number,
) {
  const exp = Math.min(o.maxDelayMs ?? 30_000, o.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exp * (0.5 + random() * 0.5));
}

/** Throttled retries allowed on top of `maxAttempts` (the deadline normally ends them first). */
const MAX_THROTTLED_ATTEMPTS = 1000;

export function withRetry(destination: Destination, opts: RetryOptions): RetryingDestination {
  const sleep = opts.sleep ?? abortableSleep;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const log = (opts.log ?? silentLogger).child({ component: 'delivery', destination: destination.name });
  const maxAttempts = Math.max(1, opts.maxAttempts);

  async function attempt(session: ScoredSession, signal: AbortSignal): Promise<DeliveryResult> {
    try {
      return await destination.deliver(session, { signal });
    } catch (err) {
      return { status: 'retryable', error: `destination threw: ${(err as Error)?.message ?? String(err)}` };
    }
  }

  async function park(session: ScoredSession, last: DeliveryResult, attempts: number, why: string) {
    const responseBody = last.status === 'ok' ? null : (last.responseBody ?? null);
    const error = last.status === 'ok' ? '' : last.error;
    if (!opts.parked) return null;
    try {
      const entry = await opts.parked.park({
        destination: destination.name,
        session_id: session.session_id,
        error,
        response_body: responseBody,
        attempts,
        session,
      });
      log.warn({ sessionId: session.session_id, attempts, why, parkedId: entry.id }, 'delivery parked');
      return entry;
    } catch (err) {
      log.error({ sessionId: session.session_id, err }, 'parking a delivery failed');
      return null;
    }
  }

  async function deliverWithReport(
    session: ScoredSession,
    o: { signal: AbortSignal },
  ): Promise<DeliveryReport> {
    const started = now();
    const delaysMs: number[] = [];
    let attempts = 0;
    /** Attempts that count against `maxAttempts` (a throttled answer does not). */
    let counted = 0;
    let last: DeliveryResult = { status: 'retryable', error: 'not attempted' };
    let pastDeadline = false;
    // a clock that never moves (a test's sleep) must not make a throttled loop endless
    while (!pastDeadline && counted < maxAttempts && attempts < maxAttempts + MAX_THROTTLED_ATTEMPTS) {
      if (o.signal.aborted)
        return { result: { status: 'retryable', error: 'aborted' }, attempts, parked: null, delaysMs };
      attempts++;
      last = await attempt(session, o.signal);
      switch (last.status) {
        case 'ok':
          return { result: last, attempts, parked: null, delaysMs };
        case 'failed': {
          const parked = await park(session, last, attempts, 'failed');
          return { result: parkedResult(last, attempts, parked), attempts, parked, delaysMs };
        }
        case 'retryable': {
          if (!last.throttled) counted++;
          if (counted >= maxAttempts) break;
          const delay = last.throttled
            ? Math.max(last.retryInMs ?? 0, opts.baseDelayMs)
            : Math.max(last.retryInMs ?? 0, backoffMs(counted, opts, random));
          if (now() + delay - started > opts.deadlineMs) {
            log.info({ sessionId: session.session_id, attempts, delay }, 'retry would pass the deadline');
            pastDeadline = true;
            break;
          }
          log.debug(
            { sessionId: session.session_id, attempts, delay, error: last.error },
            'delivery retrying',
          );
          delaysMs.push(delay);
          await sleep(delay, o.signal);
          break;
        }
        default: {
          const never: never = last;
          throw new Error(`unknown delivery status ${JSON.stringify(never)}`);
        }
      }
    }
    if (o.signal.aborted) return { result: last, attempts, parked: null, delaysMs };
    const parked = await park(
      session,
      last,
      attempts,
      pastDeadline ? 'deadline reached' : 'attempts exhausted',
    );
    return { result: parkedResult(last, attempts, parked), attempts, parked, delaysMs };
  }

  return {
    name: destination.name,
    inner: destination,
    deliverWithReport,
    async deliver(session, o) {
      return (await deliverWithReport(session, o)).result;
    },
    close: destination.close ? () => destination.close!() : undefined,
  };
}

function parkedResult(last: DeliveryResult, attempts: number, parked: ParkedEntry | null): DeliveryResult {
  if (!parked || last.status === 'ok') return last;
  return {
    status: 'failed',
    error: `parked after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${last.error}`,
    ...(last.responseBody !== undefined ? { responseBody: last.responseBody } : {}),
  };
}
