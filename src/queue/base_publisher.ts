/**
 * The shared half of every publisher: the public `publish` validates the payload (once: a payload
 * this layer already parsed is not parsed again, see `validated.ts`), fits it to the driver's size
 * limit (gzip, then truncation), measures, and turns thrown errors into results.
 * A backend implements only `_send`; it may override `_sendMany` for a cheaper batch.
 */
import type { Logger } from '../log.js';
import { type ProgressSnapshot, ProgressSnapshotV1, type SessionPayload } from '../schema/index.js';
import { type EncodedMessage, encodeMessage, encodeProgress, type WireFormat } from './encoding.js';
import type { PublishResult, QueuePublisher } from './types.js';
import { validatePayload } from './validated.js';

/** Counters every publisher keeps; read them for metrics. */
export interface PublisherStats {
  ok: number;
  retryable: number;
  failed: number;
  compressed: number;
  truncated: number;
  /** Sum of `publish` durations, for a mean. */
  totalMs: number;
  /** Progress snapshots sent, and those that failed (snapshots are never retried). */
  progressOk: number;
  progressFailed: number;
}

/** What a backend's `_send` returns; the base adds `compressed` and `truncated`. */
export type SendOutcome = { status: 'ok'; messageId: string } | Exclude<PublishResult, { status: 'ok' }>;

export abstract class BasePublisher implements QueuePublisher {
  abstract readonly driver: string;
  readonly stats: PublisherStats = {
    ok: 0,
    retryable: 0,
    failed: 0,
    compressed: 0,
    truncated: 0,
    totalMs: 0,
    progressOk: 0,
    progressFailed: 0,
  };
  protected readonly log: Logger;

  constructor(
    logger: Logger,
    protected readonly limits: { maxMessageBytes: number; wire: WireFormat },
  ) {
    this.log = logger;
  }

  async publish(payload: SessionPayload, opts: { signal?: AbortSignal } = {}): Promise<PublishResult> {
    const startedAt = performance.now();
    const result = await this.publishInner(payload, opts);
    this.record(payload, result, performance.now() - startedAt);
    return result;
  }

  /**
   * Publishes several payloads as one batch (a backlog fill): each gets its own result, in order,
   * with the same guarantee as `publish` (ok = on the queue; durable for the local spool). A
   * backend with a batch primitive overrides `_sendMany`; the default sends them concurrently.
   */
  async publishMany(
    payloads: readonly SessionPayload[],
    opts: { signal?: AbortSignal } = {},
  ): Promise<PublishResult[]> {
    const startedAt = performance.now();
    const prepared = await Promise.all(payloads.map((p) => this.prepare(p)));
    const results: PublishResult[] = new Array(payloads.length);
    const toSend: { index: number; message: EncodedMessage }[] = [];
    prepared.forEach((r, index) => {
      if ('status' in r) results[index] = r;
      else if (opts.signal?.aborted) results[index] = { status: 'retryable', error: 'aborted before send' };
      else toSend.push({ index, message: r.message });
    });
    if (toSend.length > 0) {
      let sent: SendOutcome[];
      try {
        sent = await this._sendMany(
          toSend.map((m) => m.message),
          opts,
        );
      } catch (err) {
        const error = errorText(err);
        sent = toSend.map(() => ({ status: 'retryable', error }));
      }
      toSend.forEach(({ index, message }, i) => {
        results[index] = this.outcome(
          sent[i] ?? { status: 'retryable', error: 'no result from batch send' },
          message,
        );
      });
    }
    // Each message is charged the batch's mean time.
    const ms = (performance.now() - startedAt) / Math.max(1, payloads.length);
    payloads.forEach((p, i) => {
      this.record(p, results[i]!, ms);
    });
    return results;
  }

  /**
   * Sends a progress snapshot as its own message kind (`kind=progress`), in one attempt: no
   * retry, no outbox, no spool of its own. Callers bound it with `signal` and drop it on failure.
   */
  async publishProgress(
    snapshot: ProgressSnapshot,
    opts: { signal?: AbortSignal } = {},
  ): Promise<PublishResult> {
    const result = await this.progressInner(snapshot, opts);
    if (result.status === 'ok') this.stats.progressOk += 1;
    else this.stats.progressFailed += 1;
    return result;
  }

  private async progressInner(
    snapshot: ProgressSnapshot,
    opts: { signal?: AbortSignal },
  ): Promise<PublishResult> {
    const valid = ProgressSnapshotV1.safeParse(snapshot);
    if (!valid.success)
      return { status: 'failed', error: `invalid progress snapshot: ${valid.error.issues[0]?.message}` };
    const encoded = encodeProgress(valid.data);
    if (!encoded.ok) return { status: 'failed', error: encoded.error };
    if (opts.signal?.aborted) return { status: 'retryable', error: 'aborted before send' };
    try {
      return this.outcome(await this._send(encoded.message, opts), encoded.message);
    } catch (err) {
      return { status: 'retryable', error: errorText(err) };
    }
  }

  private record(payload: SessionPayload, result: PublishResult, ms: number): void {
    this.stats.totalMs += ms;
    this.stats[result.status] += 1;
    if (result.status !== 'ok') {
      this.log.warn(
        { sessionId: payload?.session_id, status: result.status, err: result.error, ms },
        'publish failed',
      );
    }
  }

  /** Validates (once) and encodes; a result when the payload cannot be sent at all. */
  private async prepare(payload: SessionPayload): Promise<PublishResult | { message: EncodedMessage }> {
    const valid = validatePayload(payload);
    if (!valid.ok) {
      return { status: 'failed', error: `invalid payload: ${valid.issues.slice(0, 3).join('; ')}` };
    }
    const encoded = await encodeMessage(valid.payload, {
      maxBytes: this.limits.maxMessageBytes,
      wire: this.limits.wire,
    });
    if (!encoded.ok) return { status: 'failed', error: encoded.error };
    const message = encoded.message;
    if (message.dropped.length > 0) {
      this.stats.truncated += 1;
      this.log.warn(
        { sessionId: message.sessionId, dropped: message.dropped, limitBytes: this.limits.maxMessageBytes },
        'payload truncated to fit the queue limit',
      );
    }
    if (message.compressed) this.stats.compressed += 1;
    return { message };
  }

  private outcome(sent: SendOutcome, message: EncodedMessage): PublishResult {
    if (sent.status !== 'ok') return sent;
    return {
      status: 'ok',
      messageId: sent.messageId,
      compressed: message.compressed,
      truncated: message.dropped.length > 0,
    };
  }

  private async publishInner(
    payload: SessionPayload,
    opts: { signal?: AbortSignal },
  ): Promise<PublishResult> {
    const prepared = await this.prepare(payload);
    if ('status' in prepared) return prepared;
    if (opts.signal?.aborted) return { status: 'retryable', error: 'aborted before send' };
    try {
      return this.outcome(await this._send(prepared.message, opts), prepared.message);
    } catch (err) {
      return { status: 'retryable', error: errorText(err) };
    }
  }

  /** Sends a batch; one outcome per message, in order. Default: `_send` for each, concurrently. */
  protected _sendMany(messages: EncodedMessage[], opts: { signal?: AbortSignal }): Promise<SendOutcome[]> {
    return Promise.all(
      messages.map((m) =>
        this._send(m, opts).catch((err): SendOutcome => ({ status: 'retryable', error: errorText(err) })),
      ),
    );
  }

  /** Puts one encoded message on the queue. Returns a result; a thrown error counts as retryable. */
  protected abstract _send(message: EncodedMessage, opts: { signal?: AbortSignal }): Promise<SendOutcome>;

  abstract close(): Promise<void>;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
