import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Spool } from '../../../src/queue/index.js';
import { samplePayload } from '../../../src/schema/testing/index.js';
import { watchLoopDelay } from '../../../test/support/loop_delay.js';
import { loadWorkerConfig, type WorkerConfig } from '../../src/config.js';
import { MemoryParkedStore } from '../../src/delivery/index.js';
import { createWebhookDestination } from '../../src/destinations/index.js';
import { startWorker, type WorkerHandle } from '../../src/pipeline/index.js';
import { createWebhookReceiver } from '../../src/testing/vendor_servers.js';
import type { DeliveryResult, Destination, ScoredSession } from '../../src/types.js';
import { DuckDbWarehouse } from '../../src/warehouse/index.js';
import { testHasher } from '../destinations/fixtures.js';

let dir: string;
let warehouse: DuckDbWarehouse;
let worker: WorkerHandle | undefined;
let caseNo = 0;
const WEBHOOK_SECRET = 'whsec_pipeline_test_0123456789';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-pipe-'));
  warehouse = await DuckDbWarehouse.open(join(dir, 'wh.duckdb'));
  await warehouse.migrate();
});
const cleanups: (() => Promise<void>)[] = [];
const afterThisTest = (fn: () => Promise<void>) => cleanups.push(fn);
afterEach(async () => {
  await worker?.stop({ deadlineMs: 2000 });
  worker = undefined;
  for (const fn of cleanups.splice(0)) await fn();
});
afterAll(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

/** A fresh spool per test; the warehouse is shared (session ids differ per test). */
function setup(env: Record<string, string> = {}): { config: WorkerConfig; spool: Spool } {
  caseNo += 1;
  const spoolDir = join(dir, `spool${caseNo}`);
  const config = loadWorkerConfig({
    QUEUE_SPOOL_DIR: spoolDir,
    QUEUE_SPOOL_FSYNC: 'false',
    QUEUE_MAX_ATTEMPTS: '3',
    PARKED_DIR: join(dir, `parked${caseNo}`),
    DELIVERY_MAX_ATTEMPTS: '2',
    DELIVERY_BASE_DELAY_MS: '5',
    WORKER_BATCH_MAX_WAIT_MS: '10',
    LOG_LEVEL: 'silent',
    PII_HASH_KEY: 'worker-test-pii-hash-key-0123456789',
    ...env,
  });
  return { config, spool: new Spool(spoolDir, { fsync: false }) };
}

async function publish(spool: Spool, body: string | object): Promise<string> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return spool.write({}, Buffer.from(text));
}

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function destination(name: string, fn: (s: ScoredSession, signal: AbortSignal) => Promise<DeliveryResult>) {
  const calls: string[] = [];
  const d: Destination = {
    name,
    async deliver(s, { signal }) {
      calls.push(s.session_id);
      return fn(s, signal);
    },
  };
  return { d, calls };
}

async function deliveries(sessionId: string) {
  return warehouse.query<{ destination: string; status: string }>(
    'SELECT destination, status FROM deliveries WHERE session_id = $1 ORDER BY destination',
    [sessionId],
  );
}

describe('pipeline worker (local spool, DuckDB)', () => {
  it('writes a valid payload to the warehouse and every destination, then acks it', async () => {
    const { config, spool } = setup();
    const crm = destination('crm', async () => ({ status: 'ok' }));
    worker = await startWorker(config, { warehouse, destinations: [crm.d], parked: new MemoryParkedStore() });
    await publish(spool, samplePayload({ session_id: 'pipe_ok_1' }));
    await until('delivery rows', async () => (await deliveries('pipe_ok_1')).length === 2);
    expect(await deliveries('pipe_ok_1')).toEqual([
      { destination: 'crm', status: 'ok' },
      { destination: 'warehouse', status: 'ok' },
    ]);
    const [row] = await warehouse.query(
      'SELECT tier, price_book_version, turn_count FROM sessions WHERE session_id = $1',
      ['pipe_ok_1'],
    );
    expect(row?.turn_count).toBe(6);
    expect(typeof row?.tier).toBe('string');
    const [turns] = await warehouse.query<{ n: number }>(
      'SELECT count(*) AS n FROM turns WHERE session_id = $1',
      ['pipe_ok_1'],
    );
    expect(turns?.n).toBe(6);
    expect(crm.calls).toEqual(['pipe_ok_1']);
    await until('ack', async () => (await spool.counts()).leased === 0 && (await spool.counts()).ready === 0);
    expect(worker.metrics.consumed.total()).toBe(1);
    expect(worker.metrics.delivered.get({ destination: 'warehouse', status: 'ok' })).toBe(1);
    expect(await worker.metrics.registry.metrics()).toContain(
      'signalroom_worker_deliveries_total{destination="crm",status="ok"} 1',
    );
  });

  it('dead-letters invalid JSON, a schema mismatch and an unknown version with the reason, and goes on', async () => {
    const { config, spool } = setup();
    worker = await startWorker(config, { warehouse, destinations: [], parked: new MemoryParkedStore() });
    await publish(spool, '{not json');
    await publish(spool, { ...samplePayload({ session_id: 'pipe_bad_schema' }), outcome: 'sold_a_yacht' });
    await publish(spool, { ...samplePayload({ session_id: 'pipe_v99' }), schema_version: 99 });
    await publish(spool, samplePayload({ session_id: 'pipe_after_bad' }));
    await until('valid one written', async () => (await deliveries('pipe_after_bad')).length === 1);
    const reasons = await until('three dead letters', async () => {
      const names = (await readdir(join(spool.dir, 'dead'))).filter((n) => n.endsWith('.reason.json'));
      return names.length === 3 ? names : undefined;
    });
    const records = await Promise.all(
      reasons.map(
        async (n) => JSON.parse(await readFile(join(spool.dir, 'dead', n), 'utf8')) as { last_error: string },
      ),
    );
    const errors = records.map((r) => r.last_error).sort();
    expect(errors[0]).toMatch(/^invalid_json: /);
    expect(errors[1]).toMatch(/^schema_mismatch: .*outcome/);
    expect(errors[2]).toMatch(/^unknown_schema_version: unknown schema_version 99/);
    expect(worker.metrics.deadLettered.total()).toBe(3);
    const [n] = await warehouse.query<{ n: number }>(
      "SELECT count(*) AS n FROM sessions WHERE session_id IN ('pipe_bad_schema', 'pipe_v99')",
    );
    expect(n?.n).toBe(0);
  });

  it('dead-letters a session the warehouse refuses with the reason; the sessions batched with it are written once', async () => {
    // One batch of all five: it is written when the fifth arrives (the wait is only a backstop).
    const { config, spool } = setup({ WORKER_BATCH_SIZE: '5', WORKER_BATCH_MAX_WAIT_MS: '2000' });
    const poison = samplePayload({ session_id: 'pipe_poison' }, { turns: 2 });
    // Valid for the schema (a safe integer), too large for the warehouse's INTEGER column.
    (poison.turns[1] as { index: number }).index = 3_000_000_000;
    const good = ['pipe_beside_1', 'pipe_beside_2', 'pipe_beside_3', 'pipe_beside_4'];
    await publish(spool, samplePayload({ session_id: good[0] }));
    await publish(spool, samplePayload({ session_id: good[1] }));
    await publish(spool, poison);
    await publish(spool, samplePayload({ session_id: good[2] }));
    await publish(spool, samplePayload({ session_id: good[3] }));
    worker = await startWorker(config, { warehouse, destinations: [], parked: new MemoryParkedStore() });
    const [reason] = await until('the dead letter', async () => {
      const names = (await readdir(join(spool.dir, 'dead'))).filter((n) => n.endsWith('.reason.json'));
      return names.length === 1 ? names : undefined;
    });
    const record = JSON.parse(await readFile(join(spool.dir, 'dead', reason as string), 'utf8')) as {
      last_error: string;
    };
    expect(record.last_error).toMatch(
      /^warehouse_refused: .*turns\.payload_index: not a 32-bit integer: 3000000000/,
    );
    await until('the others written', async () => {
      const rows = await warehouse.query<{ n: number }>(
        `SELECT count(*) AS n FROM sessions WHERE session_id IN (${good.map((g) => `'${g}'`).join(', ')})`,
      );
      return Number(rows[0]?.n) === good.length;
    });
    // They were in the poison session's batch, yet none needed a second attempt.
    const attempts = await warehouse.query<{ session_id: string; attempts: number }>(
      `SELECT session_id, attempts FROM deliveries WHERE destination = 'warehouse' AND session_id LIKE 'pipe_beside_%' ORDER BY 1`,
    );
    expect(attempts).toEqual(good.map((session_id) => ({ session_id, attempts: 1 })));
    expect(await worker.metrics.registry.metrics()).toContain(
      'signalroom_worker_warehouse_batch_sessions_sum 5',
    );
    expect(worker.metrics.warehouseBatchSize.count()).toBe(1);
    expect(worker.metrics.deadLettered.get({ reason: 'warehouse_refused' })).toBe(1);
    expect(worker.metrics.failed.total()).toBe(0);
    const [n] = await warehouse.query<{ n: number }>(
      "SELECT count(*) AS n FROM sessions WHERE session_id = 'pipe_poison'",
    );
    expect(n?.n).toBe(0);
  });

  it('a failing destination is parked and never blocks the warehouse or the other destinations', async () => {
    const { config, spool } = setup();
    const parked = new MemoryParkedStore();
    const broken = destination('broken_crm', async () => ({
      status: 'failed',
      error: 'HTTP 400 bad property',
    }));
    const flaky = destination('flaky_analytics', async () => ({ status: 'retryable', error: 'HTTP 503' }));
    // The real webhook destination, posting to a receiver that verifies its signature.
    const receiver = await createWebhookReceiver({ secret: WEBHOOK_SECRET }).start();
    afterThisTest(() => receiver.stop());
    const webhook = createWebhookDestination(
      { url: `${receiver.url}/hooks/signalroom`, secret: WEBHOOK_SECRET, piiMode: 'hashed', timeoutMs: 5000 },
      { hasher: testHasher },
    );
    worker = await startWorker(config, { warehouse, destinations: [broken.d, flaky.d, webhook], parked });
    await publish(spool, samplePayload({ session_id: 'pipe_partial' }));
    await until('four delivery rows', async () => (await deliveries('pipe_partial')).length === 4);
    expect(receiver.accepted).toHaveLength(1);
    const posted = receiver.accepted[0]!;
    expect(posted.headers['idempotency-key']).toBe('pipe_partial');
    expect(JSON.parse(posted.body)).toMatchObject({ type: 'sales_call.scored', session_id: 'pipe_partial' });
    expect(await deliveries('pipe_partial')).toEqual([
      { destination: 'broken_crm', status: 'parked' },
      { destination: 'flaky_analytics', status: 'parked' },
      { destination: 'warehouse', status: 'ok' },
      { destination: 'webhook', status: 'ok' },
    ]);
    expect(broken.calls).toHaveLength(1);
    expect(flaky.calls).toHaveLength(2); // DELIVERY_MAX_ATTEMPTS=2, then parked
    expect((await parked.list()).map((e) => e.destination).sort()).toEqual(['broken_crm', 'flaky_analytics']);
    // Parked counts as done: the message is acked, not redelivered.
    await until('acked', async () => {
      const c = await spool.counts();
      return c.ready === 0 && c.leased === 0;
    });
    expect(worker.metrics.delivered.get({ destination: 'broken_crm', status: 'parked' })).toBe(1);
  });

  it('redelivery of the same session changes nothing in the warehouse', async () => {
    const { config, spool } = setup();
    worker = await startWorker(config, { warehouse, destinations: [], parked: new MemoryParkedStore() });
    for (let i = 0; i < 3; i++) await publish(spool, samplePayload({ session_id: 'pipe_dup' }));
    await until(
      'three consumed',
      async () => worker?.metrics.delivered.get({ destination: 'warehouse', status: 'ok' }) === 3,
    );
    const [n] = await warehouse.query<{ s: number; t: number }>(
      "SELECT (SELECT count(*) FROM sessions WHERE session_id = 'pipe_dup') AS s, (SELECT count(*) FROM turns WHERE session_id = 'pipe_dup') AS t",
    );
    expect(n).toEqual({ s: 1, t: 6 });
  });

  it('stop() stops pulling and releases in-flight messages within the deadline', async () => {
    const deadlineMs = 400;
    const { config, spool } = setup({
      WORKER_SHUTDOWN_DEADLINE_MS: String(deadlineMs),
      DELIVERY_DEADLINE_MS: '60000',
    });
    let started = 0;
    let abortedAt = Number.POSITIVE_INFINITY;
    const hanging = destination('hanging', (_s, signal) => {
      started += 1;
      return new Promise<DeliveryResult>((resolve) => {
        signal.addEventListener(
          'abort',
          () => {
            abortedAt = performance.now();
            resolve({ status: 'retryable', error: 'aborted' });
          },
          { once: true },
        );
      });
    });
    const parked = new MemoryParkedStore();
    const w = await startWorker(config, { warehouse, destinations: [hanging.d], parked });
    await publish(spool, samplePayload({ session_id: 'pipe_inflight' }));
    await until('delivery started', async () => started === 1);
    const lag = watchLoopDelay();
    const t0 = performance.now();
    await w.stop();
    const lateMs = await lag.stop();
    // The hanging delivery (its own deadline is 60 s) is abandoned at the shutdown deadline
    // (plus however late this process's timers ran).
    expect(abortedAt - t0).toBeLessThanOrEqual(deadlineMs + lateMs);
    const c = await spool.counts();
    expect(c).toMatchObject({ ready: 1, leased: 0, dead: 0 });
    expect(await parked.list()).toEqual([]);
    // A later worker picks it up again.
    const again = destination('hanging', async () => ({ status: 'ok' }));
    worker = await startWorker(config, { warehouse, destinations: [again.d], parked });
    await until('redelivered', async () => again.calls.length === 1);
    await until(
      'acked',
      async () => (await spool.counts()).ready === 0 && (await spool.counts()).leased === 0,
    );
  });
});
