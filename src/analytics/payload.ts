/** Builds the payload once, validates it against the schema, and never throws. */
import type { Logger } from '../log.js';
import { SCHEMA_VERSION, type SessionPayload, SessionPayloadV1 } from '../schema/session_payload.js';
import type { EndInfo, SessionRecorder } from './recorder.js';
import { summariseUsage } from './usage.js';

export type PublishFn = (payload: SessionPayload) => Promise<unknown> | unknown;

/**
 * The recorder's payload, validated. If building fails, a minimal payload with the ids and
 * timing; if validation fails, the built payload as is. Both are logged and counted in
 * `analytics.handler_errors` (they should never happen).
 */
export function buildPayload(recorder: SessionRecorder, end: EndInfo, log: Logger): SessionPayload {
  let payload: SessionPayload;
  try {
    payload = recorder.build(end);
  } catch (err) {
    recorder.counters.handler_errors += 1;
    log.error(
      { err, sessionId: recorder.init.sessionId },
      'analytics payload build failed, sending a minimal one',
    );
    payload = minimalPayload(recorder, end);
  }
  const parsed = SessionPayloadV1.safeParse(payload);
  if (parsed.success) return parsed.data;
  payload.analytics.handler_errors += 1;
  recorder.counters.handler_errors += 1;
  // Issue paths and codes only: values may be PII.
  const issues = parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), code: i.code }));
  log.error({ issues, sessionId: recorder.init.sessionId }, 'analytics payload failed schema validation');
  return payload;
}

function minimalPayload(recorder: SessionRecorder, end: EndInfo): SessionPayload {
  const { init } = recorder;
  const endedAt = Math.max(end.endedAt, init.startedAt);
  return {
    schema_version: SCHEMA_VERSION,
    session_id: init.sessionId,
    agent: { ...init.agent },
    room: init.room ?? { name: null, sid: null },
    participant: init.participant ?? { identity: null, kind: null },
    started_at: new Date(init.startedAt).toISOString(),
    ended_at: new Date(endedAt).toISOString(),
    duration_ms: endedAt - init.startedAt,
    end_reason: end.endReason,
    signals: {},
    tool_calls: [],
    turns: [],
    unattributed_metrics: [],
    stage: { reached: 'greeting', completed: [] },
    outcome: end.endReason === 'error' ? 'error' : 'completed',
    lead: { pii_mode: init.pii },
    usage: { by_model: [], summary: summariseUsage([]) },
    errors: [],
    analytics: { ...recorder.counters },
  };
}

/**
 * Statuses (of the queue layer's results) that mean the payload is not safe anywhere yet, so the
 * journal must be kept: `failed`/`retryable` (a `QueuePublisher`), `unconfirmed` (the session
 * publisher when neither the queue nor its outbox confirmed within the deadline). Anything else (`ok`, `sent`, `spooled`, no result)
 * counts as handed over.
 */
const NOT_HANDED_OVER = new Set(['failed', 'retryable', 'unconfirmed']);

/** Why a publish callback's result says the payload was not accepted, or undefined if it was. */
export function publishFailed(result: unknown): string | undefined {
  if (result && typeof result === 'object' && 'status' in result) {
    const status = (result as { status: unknown }).status;
    if (typeof status === 'string' && NOT_HANDED_OVER.has(status)) {
      const error = (result as { error?: unknown }).error;
      return typeof error === 'string' ? error : String(status);
    }
  }
  return undefined;
}
