/**
 * Scale-out: two worker processes (`main.ts` compiled by `scripts/build.mjs`, run as `npm run
 * worker` runs it, each its own `startWorker`) compete for one SQS
 * queue (local-aws-sqs) and write to one PostgreSQL warehouse. 2,000 sessions plus 200 deliberate
 * duplicates: every session lands exactly once, none is lost, duplicates change nothing.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePayload } from '../../../src/schema/testing/index.js';
import { freePort } from '../../../test/support/free_port.js';
import { queueWithDlq, type SqsTestServer, startSqsServer } from '../../../test/support/sqs_server.js';
import { PostgresWarehouse } from '../../src/warehouse/index.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

const SESSIONS = 2000;
const DUPLICATES = 200;
const QUEUE = 'sessions';

let dir: string;
let sqs: SqsTestServer;
let pgServer: TestPostgres;
let warehouseUrl: string;
let warehouse: PostgresWarehouse;
const children: ChildProcess[] = [];
const ROOT = join(import.meta.dirname, '../../..');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-scale-'));
  [sqs, pgServer] = await Promise.all([
    startSqsServer({ queues: queueWithDlq(QUEUE, 5, 30) }),
    startPostgres(),
    promisify(execFile)(process.execPath, ['scripts/build.mjs', '--quiet'], { cwd: ROOT }),
  ]);
  warehouseUrl = await pgServer.createDatabase('scale');
  warehouse = PostgresWarehouse.open(warehouseUrl);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await warehouse?.close();
  await sqs?.stop();
  await pgServer?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function publishAll(client: SQSClient, bodies: string[]): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < bodies.length; i += 10) batches.push(bodies.slice(i, i + 10));
  let next = 0;
  const sendWorker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] ?? [];
      const res = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: sqs.queueUrl(QUEUE),
          Entries: batch.map((body, i) => ({ Id: String(i), MessageBody: body })),
        }),
      );
      if (res.Failed?.length) throw new Error(`publish failed: ${JSON.stringify(res.Failed[0])}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, sendWorker));
}

async function queueDepth(client: SQSClient, name: string): Promise<number> {
  const res = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: sqs.queueUrl(name),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(res.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

function startWorkerProcess(apiPort: number, name: string): ChildProcess {
  const child = spawn(process.execPath, ['dist/analytics-service/src/main.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      QUEUE_DRIVER: 'sqs',
      SQS_QUEUE_URL: sqs.queueUrl(QUEUE),
      SQS_ENDPOINT: sqs.endpoint,
      SQS_WAIT_TIME_SECONDS: '1',
      SQS_VISIBILITY_TIMEOUT_S: '30',
      WAREHOUSE_DRIVER: 'postgres',
      WAREHOUSE_URL: warehouseUrl,
      // the default warehouse mode (hashed) needs the deployment's key; both workers share it
      PII_HASH_KEY: 'scale-test-pii-hash-key-0123456789abcdef',
      WORKER_CONCURRENCY: '40',
      WORKER_BATCH_SIZE: '40',
      WORKER_SHUTDOWN_DEADLINE_MS: '5000',
      PARKED_DIR: join(dir, `parked-${name}`),
      API_PORT: String(apiPort),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.on('exit', (code) => {
    if (code !== 0) console.error(`worker ${name} exited ${code}: ${output.slice(-2000)}`);
  });
  children.push(child);
  return child;
}

async function consumedCount(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = /^signalroom_worker_messages_consumed_total (\d+)/m.exec(text);
  return Number(m?.[1] ?? 0);
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('scale-out: two worker processes, SQS, PostgreSQL', () => {
  it('writes every session exactly once and absorbs duplicates', async () => {
    const client = new SQSClient({
      region: 'us-east-1',
      endpoint: sqs.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const ids = Array.from({ length: SESSIONS }, (_, i) => `scale_${String(i).padStart(5, '0')}`);
    const bodies = ids.map((id) => JSON.stringify(samplePayload({ session_id: id }, { turns: 4 })));
    // Deliberate duplicates: the same payload published again.
    for (let i = 0; i < DUPLICATES; i++) bodies.push(bodies[(i * 7) % SESSIONS] ?? '');
    await publishAll(client, bodies);

    const ports = [await freePort(), await freePort()];
    const workers = ports.map((p, i) => startWorkerProcess(p, `w${i}`));

    const deadline = Date.now() + 90_000;
    let sessions = 0;
    let depth = -1;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      const [row] = await warehouse
        .query<{ n: number }>('SELECT count(*)::int AS n FROM sessions')
        .catch(() => [{ n: 0 }]);
      sessions = row?.n ?? 0;
      depth = await queueDepth(client, QUEUE);
      if (sessions >= SESSIONS && depth === 0) break;
    }
    expect(depth).toBe(0);
    expect(sessions).toBe(SESSIONS);

    // Both processes took part.
    const consumed = await Promise.all(ports.map(consumedCount));
    expect(consumed.every((n) => n > 0)).toBe(true);
    expect(consumed[0]! + consumed[1]!).toBeGreaterThanOrEqual(SESSIONS + DUPLICATES);

    for (const w of workers) w.kill('SIGTERM');
    expect(await Promise.all(workers.map(exitOf))).toEqual([0, 0]);

    const [dlq] = [await queueDepth(client, `${QUEUE}-dlq`)];
    expect(dlq).toBe(0);
    const stored = await warehouse.query<{ session_id: string }>(
      'SELECT session_id FROM sessions ORDER BY session_id',
    );
    expect(stored.map((r) => r.session_id)).toEqual(ids);
    const [counts] = await warehouse.query<{
      turns: number;
      signals: number;
      leads: number;
      deliveries: number;
    }>(
      `SELECT (SELECT count(*)::int FROM turns) AS turns, (SELECT count(*)::int FROM signals) AS signals,
              (SELECT count(*)::int FROM leads) AS leads,
              (SELECT count(*)::int FROM deliveries WHERE destination = 'warehouse' AND status = 'ok') AS deliveries`,
    );
    expect(counts).toEqual({
      turns: SESSIONS * 4,
      signals: SESSIONS * 5,
      leads: SESSIONS,
      deliveries: SESSIONS,
    });
    const [dups] = await warehouse.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM (SELECT session_id, turn_index FROM turns GROUP BY 1, 2 HAVING count(*) > 1) d',
    );
    expect(dups?.n).toBe(0);
    client.destroy();
  }, 150_000);
});
