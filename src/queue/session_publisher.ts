/**
 * Publishing at session end, in bounded time: try the remote queue (retrying retryable errors
 * with jittered backoff) until shortly before the deadline, then write the payload to the local
 * outbox spool and resolve. A hung network call is abandoned (AbortSignal + a timer race), so the
 * call never outlasts `deadlineMs`. An abandoned call that later succeeds means the drainer sends
 * the payload again: delivery is at least once, consumers are idempotent on `session_id`.
 */
import type { Logger } from '../log.js';
import type { SessionPayload } from '../schema/index.js';
import { errorText } from './base_publisher.js';
import type { LocalPublisher } from './local_publisher.js';
import type { PublishResult, QueuePublisher } from './types.js';
import { validatePayload } from './validated.js';

/**
 * - sent:        the remote queue acknowledged it.
 * - spooled:     the remote failed or was too slow; the outbox holds it durably for the drainer.
 * - unconfirmed: neither confirmed within the deadline (the outbox write may still finish). The
 *                caller must keep its own copy (the analytics journal does) for recovery.
 * - rejected:    the payload is invalid; kept in the outbox's `dead/` with the reason, never sent.
 */
export type SessionPublishStatus = 'sent' | 'spooled' | 'unconfirmed' | 'rejected';

export interface SessionPublishOutcome {
  status: SessionPublishStatus;
  /** Wall time of the call. */
  ms: number;
  /** Why it was not sent (last remote error), or why it is unconfirmed or rejected. */
  error?: string;
}

export interface SessionPublisherOptions {
  publisher: QueuePublisher;
  /** A local spool publisher on `QUEUE_OUTBOX_DIR`. */
  outbox: LocalPublisher;
  deadlineMs: number;
  logger: Logger;
  /** Time kept at the end of the deadline for the outbox write (default min(250, deadline/4)). */
  outboxReserveMs?: number;
  /** Backoff between remote attempts: full jitter over base·2^n, capped (defaults 50 / 1000 ms). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

export interface SessionPublisher {
  publish(payload: SessionPayload): Promise<SessionPublishOutcome>;
}

const ABANDONED = Symbol('abandoned');

/** Resolves with `promise`, or with ABANDONED after `ms` (the promise is left to settle alone). */
function within<T>(promise: Promise<T>, ms: number, onTimeout?: () => void): Promise<T | typeof ABANDONED> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof ABANDONED>((resolve) => {
    timer = setTimeout(
      () => {
        onTimeout?.();
        resolve(ABANDONED);
      },
      Math.max(0, ms),
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createSessionPublisher(opts: SessionPublisherOptions): SessionPublisher {
  const log = opts.logger.child({ component: 'session_publisher' });
  const reserveMs = opts.outboxReserveMs ?? Math.min(250, opts.deadlineMs / 4);
  const baseMs = opts.backoffBaseMs ?? 50;
  const maxMs = opts.backoffMaxMs ?? 1000;

  async function tryRemote(
    payload: SessionPayload,
    untilMs: number,
  ): Promise<{ sent: boolean; error: string }> {
    let error = 'deadline reached before the first attempt';
    for (let attempt = 0; ; attempt++) {
      const remaining = untilMs - performance.now();
      if (remaining <= 0) return { sent: false, error };
      const abort = new AbortController();
      const r: PublishResult | typeof ABANDONED = await within(
        opts.publisher
          .publish(payload, { signal: abort.signal })
          .catch((err): PublishResult => ({ status: 'retryable', error: errorText(err) })),
        remaining,
        () => abort.abort(),
      );
      if (r === ABANDONED)
        return { sent: false, error: `remote publish abandoned at the deadline (${error})` };
      switch (r.status) {
        case 'ok':
          return { sent: true, error: '' };
        case 'failed':
          return { sent: false, error: r.error };
        case 'retryable': {
          error = r.error;
          const backoff = Math.random() * Math.min(maxMs, baseMs * 2 ** attempt);
          const delay = Math.max(backoff, r.retryInMs ?? 0);
          if (performance.now() + delay >= untilMs) return { sent: false, error };
          await new Promise((resolve) => setTimeout(resolve, delay));
          break;
        }
        default: {
          const never: never = r;
          throw new Error(`unreachable ${String(never)}`);
        }
      }
    }
  }

  async function publish(payload: SessionPayload): Promise<SessionPublishOutcome> {
    const startedAt = performance.now();
    const elapsed = () => performance.now() - startedAt;
    const sessionId = (payload as { session_id?: unknown } | null)?.session_id;
    // Validated once here; the remote publisher and the outbox see a recorded parse output and
    // do not parse it again.
    const parsed = validatePayload(payload);
    if (!parsed.ok) {
      const error = `invalid payload: ${parsed.issues[0] ?? 'schema mismatch'}`;
      const kept = await within(
        opts.outbox.spool
          .writeDead(
            `invalid-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
            Buffer.from(safeJson(payload)),
            {
              reason: 'invalid_payload',
              attempts: 0,
              last_error: error,
              at: new Date().toISOString(),
              attributes: {},
            },
          )
          .then(() => true)
          .catch(() => false),
        opts.deadlineMs - elapsed(),
      );
      log.error(
        { sessionId, err: error, keptInOutboxDead: kept === true },
        'session payload invalid, not published',
      );
      return {
        status: 'rejected',
        ms: elapsed(),
        error: `${error}; ${kept === true ? 'kept in outbox dead/' : 'not kept'}`,
      };
    }
    const remote = await tryRemote(parsed.payload, startedAt + opts.deadlineMs - reserveMs);
    if (remote.sent) return { status: 'sent', ms: elapsed() };

    const spooled = await within(
      opts.outbox
        .publish(parsed.payload)
        .catch((err): PublishResult => ({ status: 'failed', error: errorText(err) })),
      opts.deadlineMs - elapsed(),
    );
    if (spooled !== ABANDONED && spooled.status === 'ok') {
      log.warn(
        { sessionId, err: remote.error, ms: elapsed() },
        'remote publish failed, session spooled to outbox',
      );
      return { status: 'spooled', ms: elapsed(), error: remote.error };
    }
    const outboxError =
      spooled === ABANDONED ? 'outbox write did not finish within the deadline' : spooled.error;
    log.error(
      { sessionId, err: remote.error, outboxErr: outboxError },
      'session payload unconfirmed: remote and outbox did not confirm within the deadline',
    );
    return { status: 'unconfirmed', ms: elapsed(), error: `${remote.error}; outbox: ${outboxError}` };
  }

  return { publish };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return '"<unserializable payload>"';
  }
}
