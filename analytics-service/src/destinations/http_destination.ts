/**
 * Base of the HTTP destinations: `deliver` builds the request (each backend's `_buildRequest`),
 * sends it with a timeout, classifies the answer (`_classify`, default `classifyHttpStatus`) and
 * logs the outcome. It never throws; retry and parking are `withRetry`'s job.
 */
import type { Logger } from 'pino';
import { silentLogger } from '../../../src/log.js';
import { classifyHttpStatus, type FetchLike, type HttpRequest, sendHttp } from '../delivery/http.js';
import type { PiiHasher } from '../privacy/index.js';
import type { DeliveryResult, Destination, ScoredSession } from '../types.js';

export interface HttpDestinationDeps {
  fetch?: FetchLike;
  /** Keyed hashing (PII_HASH_KEY): required by a destination whose PII mode hashes values. */
  hasher?: PiiHasher;
  log?: Logger;
  now?: () => number;
}

export type BuiltRequest =
  | {
      kind: 'send';
      request: Omit<HttpRequest, 'signal' | 'fetch'>;
      /** Called when the vendor answers 401 (e.g. to forget a refused token). */
      onUnauthorized?: () => void;
      /** The rate-limit keys this request counts against (Amplitude: its user and device ids). */
      limitKeys?: readonly string[];
    }
  /** Nothing to send for this session (e.g. no email for a CRM keyed on email): reported as ok. */
  | { kind: 'skip'; reason: string }
  /** Not sent; this is the outcome (e.g. a token could not be fetched, or the vendor asked to pause). */
  | { kind: 'result'; result: DeliveryResult };

export abstract class HttpDestination implements Destination {
  abstract readonly name: string;
  protected readonly now: () => number;
  private logger: Logger | undefined;

  constructor(protected readonly deps: HttpDestinationDeps = {}) {
    this.now = deps.now ?? Date.now;
  }

  protected get log(): Logger {
    this.logger ??= (this.deps.log ?? silentLogger).child({
      component: 'destination',
      destination: this.name,
    });
    return this.logger;
  }

  async deliver(session: ScoredSession, opts: { signal: AbortSignal }): Promise<DeliveryResult> {
    const started = this.now();
    let built: BuiltRequest;
    try {
      built = await this._buildRequest(session, opts.signal);
    } catch (err) {
      return { status: 'failed', error: `cannot build request: ${(err as Error).message}` };
    }
    if (built.kind === 'skip') {
      this.log.info({ sessionId: session.session_id, reason: built.reason }, 'delivery skipped');
      return { status: 'ok' };
    }
    if (built.kind === 'result') {
      if (built.result.status !== 'ok')
        this.log.warn(
          { sessionId: session.session_id, result: built.result.status, error: built.result.error },
          'delivery not sent',
        );
      return built.result;
    }
    const out = await sendHttp({ ...built.request, signal: opts.signal, fetch: this.deps.fetch });
    const result =
      out.kind === 'error'
        ? out.result
        : this._classify(out.status, out.headers, out.body, built.limitKeys ?? []);
    const ms = this.now() - started;
    const status = out.kind === 'response' ? out.status : null;
    if (status === 401) built.onUnauthorized?.();
    if (result.status === 'ok') this.log.debug({ sessionId: session.session_id, status, ms }, 'delivered');
    else
      this.log.warn(
        { sessionId: session.session_id, status, ms, result: result.status, error: result.error },
        'delivery not accepted',
      );
    return result;
  }

  protected abstract _buildRequest(
    session: ScoredSession,
    signal?: AbortSignal,
  ): BuiltRequest | Promise<BuiltRequest>;

  protected _classify(
    status: number,
    headers: Headers,
    body: string,
    _limitKeys: readonly string[] = [],
  ): DeliveryResult {
    return classifyHttpStatus(status, headers, body, this.now());
  }
}
