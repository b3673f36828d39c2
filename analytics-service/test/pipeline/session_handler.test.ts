/**
 * The worker's message handler decides, per message, between ack, retry and dead letter, and says
 * so in its metrics and logs. These tests give it in-memory destinations and warehouse callbacks
 * (its dependencies are plain functions) and check each decision a user would see: a session
 * redelivered until every destination has it or parked it, a refused session dead-lettered with
 * its reason, and the /metrics figures that show it.
 */
import { describe, expect, it } from 'vitest';
import { DeadLetter, type HandlerContext, type QueueMessage } from '../../../src/queue/types.js';
import type { SessionPayload } from '../../../src/schema/index.js';
import { samplePayload } from '../../../src/schema/testing/index.js';
import type { DeliveryReport } from '../../src/delivery/index.js';
import { createWorkerMetrics } from '../../src/pipeline/metrics.js';
import {
  createSessionHandler,
  DeliveryIncomplete,
  type ReportingDestination,
  type WarehouseItem,
} from '../../src/pipeline/session_handler.js';
import { type DeliveryStatus, WarehouseDataError } from '../../src/warehouse/types.js';
import { scoredFromPayload } from '../warehouse/scored_fixture.js';

const NOW = Date.parse('2026-12-07T10:00:00Z');

type Logged = { level: 'info' | 'warn'; fields: Record<string, unknown>; msg: string };

function context(attempt = 1): { ctx: HandlerContext; logged: Logged[] } {
  const logged: Logged[] = [];
  const at = (level: Logged['level']) => (fields: Record<string, unknown>, msg: string) =>
    logged.push({ level, fields, msg });
  const log = { info: at('info'), warn: at('warn'), error: at('warn'), debug: () => undefined };
  return {
    ctx: { log: log as unknown as HandlerContext['log'], attempt, signal: new AbortController().signal },
    logged,
  };
}

function message(body: string, attempt = 1): QueueMessage {
  return { id: 'm1', body, attributes: {}, attempt };
}

const report = (result: DeliveryReport['result'], extra: Partial<DeliveryReport> = {}): DeliveryReport => ({
  result,
  attempts: 1,
  parked: null,
  delaysMs: [],
  ...extra,
});

function destination(
  name: string,
  answer: () => Promise<DeliveryReport>,
): ReportingDestination & { calls: number } {
  const d = {
    name,
    calls: 0,
    deliverWithReport: () => {
      d.calls++;
      return answer();
    },
  };
  return d;
}

function setup(opts: {
  destinations?: ReportingDestination[];
  warehouse?: (item: WarehouseItem) => Promise<void>;
}) {
  const metrics = createWorkerMetrics();
  const written: WarehouseItem[] = [];
  const recorded: DeliveryStatus[][] = [];
  let scored = 0;
  const handler = createSessionHandler({
    score: (payload: SessionPayload) => {
      scored++;
      return scoredFromPayload(payload);
    },
    writeWarehouse: async (item) => {
      await opts.warehouse?.(item);
      written.push(item);
    },
    recordDeliveries: async (rows) => {
      recorded.push(rows);
    },
    destinations: opts.destinations ?? [],
    metrics,
    now: () => NOW,
  });
  return { handler, metrics, written, recorded, scoredCount: () => scored };
}

const body = (over: Partial<SessionPayload> = {}) =>
  JSON.stringify({
    ...samplePayload({ session_id: 'sess_h' }),
    ended_at: '2026-12-07T09:59:30.000Z',
    ...over,
  });

describe('session handler', () => {
  it('delivers everywhere, records each destination, and measures queue lag and delivery latency', async () => {
    const crm = destination('crm', async () => report({ status: 'ok' }, { attempts: 2 }));
    const { handler, metrics, written, recorded } = setup({ destinations: [crm] });
    const { ctx } = context(3);
    await handler(message(body(), 3), ctx);

    expect(written.map((w) => w.delivery)).toEqual([
      { session_id: 'sess_h', destination: 'warehouse', status: 'ok', attempts: 3, last_error: null },
    ]);
    expect(recorded).toEqual([
      [{ session_id: 'sess_h', destination: 'crm', status: 'ok', attempts: 2, last_error: null }],
    ]);
    expect(metrics.consumed.total()).toBe(1);
    expect(metrics.delivered.get({ destination: 'crm', status: 'ok' })).toBe(1);
    expect(metrics.delivered.get({ destination: 'warehouse', status: 'ok' })).toBe(1);
    expect(metrics.deliveryLatencyMs.count({ destination: 'crm' })).toBe(1);
    expect(metrics.deliveryLatencyMs.count({ destination: 'warehouse' })).toBe(1);
    // Ended 30 s before it was handled.
    expect(metrics.queueLagLastS.get()).toBe(30);
    expect(metrics.queueLagS.count()).toBe(1);
    expect(metrics.failed.total()).toBe(0);
  });

  it('a session whose end lies ahead of the worker clock has no lag, not a negative one', async () => {
    const { handler, metrics } = setup({});
    await handler(message(body({ ended_at: '2026-12-07T10:00:05.000Z' })), context().ctx);
    expect(metrics.queueLagLastS.get()).toBe(0);
  });

  it.each([
    [
      'answers retryable',
      async () => report({ status: 'retryable', error: 'HTTP 503' }),
      'retrying',
      'HTTP 503',
      1,
    ],
    ['throws', async () => Promise.reject(new Error('socket hang up')), 'retrying', 'socket hang up', 0],
    [
      'fails without being parked',
      async () => report({ status: 'failed', error: 'HTTP 400' }),
      'failed',
      'HTTP 400',
      1,
    ],
  ] as const)(
    'a destination that %s leaves the message unacked, named with its error, and recorded',
    async (_how, answer, status, error, attempts) => {
      const crm = destination('crm', answer);
      const ok = destination('amplitude', async () => report({ status: 'ok' }));
      const { handler, metrics, recorded } = setup({ destinations: [crm, ok] });
      const { ctx, logged } = context();
      const run = handler(message(body()), ctx);
      await expect(run).rejects.toThrow(DeliveryIncomplete);
      await expect(run).rejects.toThrow(`crm ${status}: ${error}`);
      expect(recorded).toEqual([
        [
          { session_id: 'sess_h', destination: 'crm', status, attempts, last_error: error },
          { session_id: 'sess_h', destination: 'amplitude', status: 'ok', attempts: 1, last_error: null },
        ],
      ]);
      expect(metrics.delivered.get({ destination: 'crm', status })).toBe(1);
      expect(metrics.failed.total()).toBe(1);
      expect(metrics.deadLettered.total()).toBe(0);
      expect(logged).toContainEqual({
        level: 'warn',
        fields: { sessionId: 'sess_h', destinations: ['crm'] },
        msg: 'delivery incomplete, will retry',
      });
    },
  );

  it('a destination that parked the session counts as done: the message is acked', async () => {
    const parked = { destination: 'crm', reason: 'HTTP 400' } as unknown as DeliveryReport['parked'];
    const crm = destination('crm', async () =>
      report({ status: 'failed', error: 'parked after HTTP 400' }, { attempts: 1, parked }),
    );
    const { handler, metrics, recorded } = setup({ destinations: [crm] });
    await handler(message(body()), context().ctx);
    expect(recorded[0]?.[0]).toMatchObject({ destination: 'crm', status: 'parked' });
    expect(metrics.failed.total()).toBe(0);
  });

  it('a warehouse that is down leaves the message for redelivery; one that refuses the session dead-letters it', async () => {
    const down = setup({
      destinations: [destination('crm', async () => report({ status: 'ok' }))],
      warehouse: async () => Promise.reject(new Error('connection terminated')),
    });
    const first = context();
    await expect(down.handler(message(body()), first.ctx)).rejects.toThrow(
      new DeliveryIncomplete('warehouse: connection terminated'),
    );
    expect(down.metrics.delivered.get({ destination: 'warehouse', status: 'retrying' })).toBe(1);
    expect(down.metrics.failed.total()).toBe(1);
    expect(down.metrics.deadLettered.total()).toBe(0);
    expect(first.logged.map((l) => l.msg)).toContain('warehouse write failed, will retry');

    const refusing = setup({
      warehouse: async () => Promise.reject(new WarehouseDataError('turns.turn_index: 1e99 out of range')),
    });
    const second = context();
    const run = refusing.handler(message(body()), second.ctx);
    await expect(run).rejects.toThrow(DeadLetter);
    await expect(run).rejects.toThrow('warehouse_refused: turns.turn_index: 1e99 out of range');
    expect(refusing.metrics.deadLettered.get({ reason: 'warehouse_refused' })).toBe(1);
    expect(refusing.metrics.failed.total()).toBe(0);
  });

  it('dead-letters a body that is not a payload with the parser’s reason, before scoring anything', async () => {
    const { handler, metrics, scoredCount } = setup({});
    const { ctx, logged } = context();
    const run = handler(message('{"schema_version": 1, "session_id": '), ctx);
    await expect(run).rejects.toThrow(DeadLetter);
    await expect(run).rejects.toThrow(/^invalid_json: invalid JSON/);
    expect(metrics.deadLettered.get({ reason: 'invalid_json' })).toBe(1);
    expect(metrics.failed.total()).toBe(0);
    expect(scoredCount()).toBe(0);
    expect(logged[0]).toMatchObject({ level: 'warn', fields: { reason: 'invalid_json' } });
  });

  it('keeps a newer agent’s unknown keys, counts the payload once and logs their names, never their values', async () => {
    const { handler, metrics, written } = setup({});
    const { ctx, logged } = context();
    const withExtra = JSON.stringify({ ...JSON.parse(body()), crm_owner: 'maria@example.com' });
    await handler(message(withExtra), ctx);
    expect(metrics.unknownKeys.total()).toBe(1);
    const said = logged.find((l) => l.msg === 'payload has unknown keys, kept');
    expect(said?.fields).toEqual({ sessionId: 'sess_h', unknownKeys: ['crm_owner'] });
    expect(JSON.stringify(logged)).not.toContain('maria@example.com');
    expect(written).toHaveLength(1);

    // A payload without any: nothing counted, nothing said.
    const clean = setup({});
    const quiet = context();
    await clean.handler(message(body()), quiet.ctx);
    expect(clean.metrics.unknownKeys.total()).toBe(0);
    expect(quiet.logged).toEqual([]);
  });
});
