/**
 * The shared half of every publisher: the public `publish` validates the payload, fits it to the
 * driver's size limit (gzip, then truncation), measures, and turns thrown errors into results.
 * A backend implements only `_send`.
 */
import type { Logger } from '../log.js';
import { type SessionPayload, SessionPayloadV1 } from '../schema/index.js';
import { type EncodedMessage, encodeMessage, type WireFormat } from './encoding.js';
import type { PublishResult, QueuePublisher } from './types.js';

/** Counters every publisher keeps; read them for metrics. */
export interface PublisherStats {
  ok: number;
  retryable: number;
  failed: number;
  compressed: number;
  truncated: number;
  /** Sum of `publish` durations, for a mean. */
  totalMs: number;
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
    const ms = performance.now() - startedAt;
    this.stats.totalMs += ms;
    this.stats[result.status] += 1;
    if (result.status !== 'ok') {
      this.log.warn(
        { sessionId: payload?.session_id, status: result.status, err: result.error, ms },
        'publish failed',
      );
    }
    return result;
  }

  private async publishInner(
    payload: SessionPayload,
    opts: { signal?: AbortSignal },
  ): Promise<PublishResult> {
    const parsed = SessionPayloadV1.safeParse(payload);
    if (!parsed.success) {
      const first = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
      return { status: 'failed', error: `invalid payload: ${first}` };
    }
    const encoded = await encodeMessage(parsed.data, {
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
    if (opts.signal?.aborted) return { status: 'retryable', error: 'aborted before send' };
    try {
      const sent = await this._send(message, opts);
      if (sent.status !== 'ok') return sent;
      return {
        status: 'ok',
        messageId: sent.messageId,
        compressed: message.compressed,
        truncated: message.dropped.length > 0,
      };
    } catch (err) {
      return { status: 'retryable', error: errorText(err) };
    }
  }

  /** Puts one encoded message on the queue. Returns a result; a thrown error counts as retryable. */
  protected abstract _send(message: EncodedMessage, opts: { signal?: AbortSignal }): Promise<SendOutcome>;

  abstract close(): Promise<void>;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
