/**
 * The worker's message handler: validate → score → deliver everywhere → ack.
 *
 * - A body that is not a valid payload (invalid JSON, unknown schema_version, schema mismatch)
 *   throws `DeadLetter` with the reason; the queue keeps it in its dead-letter place.
 * - Delivery runs to the warehouse (micro-batched) and to every other destination independently
 *   (`Promise.allSettled`): one failing destination never blocks another.
 * - Each destination returns a report from `withRetry`: `ok`, or parked after a permanent failure or
 *   exhausted retries. Both count as done. Anything else (aborted, parking failed, warehouse
 *   down) throws, so the message is nacked and redelivered; redelivery is idempotent everywhere.
 * - The delivery status of every destination is recorded in the warehouse `deliveries` table.
 * - A session the warehouse refuses (`WarehouseDataError`: a value it cannot store) is dead-lettered
 *   with the reason at once; the sessions batched with it are written (`isolate_refused.ts`).
 */
// From the file, not the queue index: the index also loads the SQS and Pub/Sub SDKs.
import {
  DeadLetter,
  type HandlerContext,
  type MessageHandler,
  type QueueMessage,
} from '../../../src/queue/types.js';
import {
  parseSessionPayload,
  type SessionPayload,
  SessionPayloadV1,
  unknownKeyPaths,
} from '../../../src/schema/index.js';
import type { DeliveryReport } from '../delivery/index.js';
import type { ScoredSession } from '../types.js';
import { type DeliveryStatus, WarehouseDataError } from '../warehouse/types.js';
import type { WorkerMetrics } from './metrics.js';

export const WAREHOUSE_DESTINATION = 'warehouse';

/** A destination wrapped in `withRetry` (only the reporting call is used here). */
export interface ReportingDestination {
  readonly name: string;
  deliverWithReport(session: ScoredSession, opts: { signal: AbortSignal }): Promise<DeliveryReport>;
}

export interface WarehouseItem {
  session: ScoredSession;
  delivery: DeliveryStatus;
}

export interface SessionHandlerDeps {
  /** May be async: the post-call analysis runs first, within its own hard timeout. */
  score(payload: SessionPayload, ctx?: { signal?: AbortSignal }): ScoredSession | Promise<ScoredSession>;
  /** Resolves once the session (and its warehouse delivery row) is committed. */
  writeWarehouse(item: WarehouseItem): Promise<void>;
  /** Resolves once the status rows are committed. */
  recordDeliveries(rows: DeliveryStatus[]): Promise<void>;
  destinations: readonly ReportingDestination[];
  metrics: WorkerMetrics;
  now?: () => number;
}

export class DeliveryIncomplete extends Error {
  override readonly name = 'DeliveryIncomplete';
}

function statusOf(report: DeliveryReport): { status: DeliveryStatus['status']; error: string | null } {
  const r = report.result;
  switch (r.status) {
    case 'ok':
      return { status: 'ok', error: null };
    case 'failed':
      return { status: report.parked ? 'parked' : 'failed', error: r.error };
    case 'retryable':
      return { status: 'retrying', error: r.error };
    default: {
      const never: never = r;
      throw new Error(`unknown delivery status ${JSON.stringify(never)}`);
    }
  }
}

export function createSessionHandler(deps: SessionHandlerDeps): MessageHandler {
  const now = deps.now ?? Date.now;
  const m = deps.metrics;

  async function deliverOne(
    d: ReportingDestination,
    scored: ScoredSession,
    ctx: HandlerContext,
  ): Promise<DeliveryStatus> {
    const started = now();
    let report: DeliveryReport;
    try {
      report = await d.deliverWithReport(scored, { signal: ctx.signal });
    } catch (err) {
      report = {
        result: { status: 'retryable', error: (err as Error)?.message ?? String(err) },
        attempts: 0,
        parked: null,
        delaysMs: [],
      };
    }
    const { status, error } = statusOf(report);
    m.delivered.inc({ destination: d.name, status });
    m.deliveryLatencyMs.observe(now() - started, { destination: d.name });
    return {
      session_id: scored.session_id,
      destination: d.name,
      status,
      attempts: report.attempts,
      last_error: error,
    };
  }

  /** Not async: the returned promise holds no reference to `scored` while the batch commits. */
  function writeWarehouse(scored: ScoredSession, attempt: number): Promise<void> {
    const started = now();
    const written = deps.writeWarehouse({
      session: scored,
      delivery: {
        session_id: scored.session_id,
        destination: WAREHOUSE_DESTINATION,
        status: 'ok',
        attempts: attempt,
        last_error: null,
      },
    });
    return written.then(
      () => {
        m.delivered.inc({ destination: WAREHOUSE_DESTINATION, status: 'ok' });
        m.deliveryLatencyMs.observe(now() - started, { destination: WAREHOUSE_DESTINATION });
      },
      (err: unknown) => {
        m.delivered.inc({ destination: WAREHOUSE_DESTINATION, status: 'retrying' });
        throw err;
      },
    );
  }

  /**
   * Validates and scores the message, and starts its deliveries. Apart from `session_id`, the
   * caller keeps nothing of the session: once the warehouse has built its rows and no destination
   * needs it, the session can be collected while the batch commits.
   */
  async function dispatch(message: QueueMessage, ctx: HandlerContext) {
    const parsed = parseSessionPayload(message.body);
    if (!parsed.ok) {
      m.deadLettered.inc({ reason: parsed.reason });
      ctx.log.warn({ reason: parsed.reason, err: parsed.error }, 'invalid payload, dead-lettering');
      throw new DeadLetter(`${parsed.reason}: ${parsed.error}`);
    }
    const payload = parsed.payload;
    const unknown = unknownKeyPaths(SessionPayloadV1, payload);
    if (unknown.length > 0) {
      // Kept as sent (a newer agent's fields): said once per message, names only, never values.
      m.unknownKeys.inc();
      ctx.log.info({ sessionId: payload.session_id, unknownKeys: unknown }, 'payload has unknown keys, kept');
    }
    const lagS = Math.max(0, (now() - Date.parse(payload.ended_at)) / 1000);
    m.queueLagS.observe(lagS);
    m.queueLagLastS.set(lagS);

    const scored = await deps.score(payload, { signal: ctx.signal });
    const settled = Promise.allSettled([
      writeWarehouse(scored, ctx.attempt),
      ...deps.destinations.map((d) => deliverOne(d, scored, ctx)),
    ]);
    return { sessionId: scored.session_id, settled };
  }

  async function handle(message: QueueMessage, ctx: HandlerContext): Promise<void> {
    m.consumed.inc();
    const { sessionId, settled } = await dispatch(message, ctx);
    const [warehouse, ...others] = await settled;
    const rows = others.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const notDone = rows.filter((r) => r.status !== 'ok' && r.status !== 'parked');
    if (warehouse?.status === 'rejected') {
      const err = warehouse.reason as Error;
      if (err instanceof WarehouseDataError) {
        // The same rows would be refused again: retrying only delays the dead letter.
        m.deadLettered.inc({ reason: 'warehouse_refused' });
        ctx.log.warn({ sessionId, err: err.message }, 'the warehouse refused the session, dead-lettering');
        throw new DeadLetter(`warehouse_refused: ${err.message}`);
      }
      ctx.log.warn({ sessionId, err: err?.message }, 'warehouse write failed, will retry');
      throw new DeliveryIncomplete(`warehouse: ${err?.message ?? String(err)}`);
    }
    if (rows.length > 0) await deps.recordDeliveries(rows);
    if (notDone.length > 0) {
      const text = notDone.map((r) => `${r.destination} ${r.status}: ${r.last_error ?? ''}`).join('; ');
      ctx.log.warn(
        { sessionId, destinations: notDone.map((r) => r.destination) },
        'delivery incomplete, will retry',
      );
      throw new DeliveryIncomplete(text);
    }
  }

  return async (message, ctx) => {
    try {
      await handle(message, ctx);
    } catch (err) {
      if (!(err instanceof DeadLetter)) m.failed.inc();
      throw err;
    }
  };
}
