/**
 * Queue benchmarks: `npm run bench:queue`. Starts and stops its own local-aws-sqs and Pub/Sub
 * emulator. Prints one table. Sizes: QUEUE_BENCH_N (default 3000 local, 1000 remote).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { silentLogger } from '../src/log.js';
import {
  createPubSub,
  createSessionPublisher,
  createSqsClient,
  ensurePubsubTopology,
  LocalConsumer,
  LocalPublisher,
  type PubsubConfig,
  PubsubConsumer,
  PubsubPublisher,
  type QueueConsumer,
  type QueuePublisher,
  SqsConsumer,
  SqsPublisher,
} from '../src/queue/index.js';
import type { SessionPayload } from '../src/schema/index.js';
import { samplePayload } from '../src/schema/testing/index.js';
import { freePort } from '../test/support/free_port.js';
import { pubsubEmulatorMissing, startPubsubEmulator } from '../test/support/pubsub_emulator.js';
import { queueWithDlq, startSqsServer } from '../test/support/sqs_server.js';

type Row = Record<string, string | number>;
const rows: Row[] = [];
const N_LOCAL = Number(process.env['QUEUE_BENCH_N'] ?? 3000);
const N_REMOTE = Math.min(N_LOCAL, 1000);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const r1 = (x: number) => Math.round(x * 10) / 10;
const payloads = (n: number, prefix: string): SessionPayload[] =>
  Array.from({ length: n }, (_, i) => samplePayload({ session_id: `${prefix}_${i}` }));

/** Runs `fn` over items with at most `concurrency` in flight. */
async function pool<T>(items: T[], concurrency: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function throughput(name: string, pub: QueuePublisher, con: QueueConsumer, n: number, note: string) {
  const items = payloads(n, name);
  let got = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  const t0 = performance.now();
  const run = con.run(
    async () => {
      got += 1;
      if (got === n) resolveDone();
    },
    { concurrency: 32 },
  );
  let failed = 0;
  await pool(items, 32, async (p) => {
    if ((await pub.publish(p)).status !== 'ok') failed += 1;
  });
  const tPub = performance.now() - t0;
  await Promise.race([done, new Promise((r) => setTimeout(r, 120_000))]);
  const tAll = performance.now() - t0;
  await con.stop({ deadlineMs: 2000 });
  await run;
  rows.push({
    bench: `${name} publish+consume`,
    n,
    'publish msg/s': Math.round(n / (tPub / 1000)),
    'end-to-end msg/s': Math.round(got / (tAll / 1000)),
    note: `${note}${failed ? `; ${failed} publish failures` : ''}${got < n ? `; only ${got} consumed` : ''}`,
  });
}

async function bare(name: string, n: number, send: (i: number) => Promise<unknown>, note: string) {
  const t0 = performance.now();
  await pool(
    Array.from({ length: n }, (_, i) => i),
    32,
    send,
  );
  rows.push({
    bench: `${name} bare SDK send`,
    n,
    'publish msg/s': Math.round(n / ((performance.now() - t0) / 1000)),
    note,
  });
}

async function localBenches() {
  for (const fsync of [true, false]) {
    const dir = await mkdtemp(join(tmpdir(), 'bench-spool-'));
    const pub = new LocalPublisher({ dir, logger: silentLogger, fsync });
    const ms: number[] = [];
    for (const p of payloads(300, 'durable')) {
      const t = performance.now();
      await pub.publish(p);
      ms.push(performance.now() - t);
    }
    rows.push({
      bench: `local spool shutdown-to-durable (fsync=${fsync})`,
      n: 300,
      'p50 ms': r1(pct(ms, 50)),
      'p99 ms': r1(pct(ms, 99)),
      note: `validate + write${fsync ? ' + fsync' : ''} + rename, sequential`,
    });
    await rm(dir, { recursive: true, force: true });
    const dir2 = await mkdtemp(join(tmpdir(), 'bench-spool-'));
    await throughput(
      `local (fsync=${fsync})`,
      new LocalPublisher({ dir: dir2, logger: silentLogger, fsync }),
      new LocalConsumer({
        dir: dir2,
        logger: silentLogger,
        maxAttempts: 5,
        leaseMs: 30_000,
        maxIdlePollMs: 20,
      }),
      N_LOCAL,
      '32 publishers, consumer concurrency 32, same process',
    );
    await rm(dir2, { recursive: true, force: true });
  }
}

async function deadRemoteBench() {
  const port = await freePort(); // nothing listens here: connection refused
  const endpoint = `http://127.0.0.1:${port}`;
  const deadlineMs = 3000;
  const dir = await mkdtemp(join(tmpdir(), 'bench-outbox-'));
  const remote = new SqsPublisher({
    config: {
      queueUrl: `${endpoint}/123456789012/x`,
      endpoint,
      region: 'us-east-1',
      waitTimeSeconds: 1,
      visibilityTimeoutS: 3,
    },
    logger: silentLogger,
  });
  const s = createSessionPublisher({
    publisher: remote,
    outbox: new LocalPublisher({ dir, logger: silentLogger }),
    deadlineMs,
    logger: silentLogger,
  });
  const results = await Promise.all(payloads(50, 'dead').map((p) => s.publish(p)));
  const ms = results.map((r) => r.ms);
  rows.push({
    bench: 'session publisher, dead remote → outbox',
    n: 50,
    'p50 ms': r1(pct(ms, 50)),
    'p99 ms': r1(pct(ms, 99)),
    note: `deadline ${deadlineMs} ms; max ${r1(Math.max(...ms))} ms; statuses ${[...new Set(results.map((r) => r.status))].join(',')}`,
  });
  await remote.close();
  await rm(dir, { recursive: true, force: true });
}

async function sqsBenches() {
  const server = await startSqsServer({ queues: [...queueWithDlq('bench', 5, 30), { QueueName: 'bare' }] });
  try {
    const config = server.config('bench', { visibilityTimeoutS: 30, waitTimeSeconds: 1 });
    await throughput(
      'sqs (local-aws-sqs)',
      new SqsPublisher({ config, logger: silentLogger }),
      new SqsConsumer({ config, logger: silentLogger, maxAttempts: 5 }),
      N_REMOTE,
      'our drivers; 1 SendMessage per payload',
    );
    const client = createSqsClient(server.config('bare'));
    const body = JSON.stringify(samplePayload());
    await bare(
      'sqs (local-aws-sqs)',
      N_REMOTE,
      (i) =>
        client.send(
          new SendMessageCommand({
            QueueUrl: server.queueUrl('bare'),
            MessageBody: body,
            MessageAttributes: { session_id: { DataType: 'String', StringValue: `b${i}` } },
          }),
        ),
      'SendMessage loop, no validation/encoding',
    );
    client.destroy();
  } finally {
    await server.stop();
  }
}

async function pubsubBenches() {
  const missing = pubsubEmulatorMissing();
  if (missing) {
    rows.push({ bench: 'pubsub', note: `SKIPPED: ${missing}` });
    return;
  }
  const emulator = await startPubsubEmulator();
  try {
    const config: PubsubConfig = {
      projectId: 'bench',
      topic: 'bench-topic',
      subscription: 'bench-sub',
      deadLetterTopic: 'bench-dead',
      deadLetterSubscription: 'bench-dead-sub',
      emulatorHost: emulator.host,
    };
    await ensurePubsubTopology({ pubsub: config, maxAttempts: 5, leaseMs: 30_000 });
    await throughput(
      'pubsub (emulator)',
      new PubsubPublisher({ config, logger: silentLogger }),
      new PubsubConsumer({ config, logger: silentLogger, maxAttempts: 5, leaseMs: 30_000 }),
      N_REMOTE,
      'our drivers; client batching 5 ms, sync pull',
    );
    const bareConfig = { ...config, topic: 'bare-topic', subscription: 'bare-sub' };
    await ensurePubsubTopology({ pubsub: bareConfig, maxAttempts: 5, leaseMs: 30_000 });
    const client = createPubSub(bareConfig);
    const topic = client.topic('bare-topic');
    const data = Buffer.from(JSON.stringify(samplePayload()));
    await bare(
      'pubsub (emulator)',
      N_REMOTE,
      (i) => topic.publishMessage({ data, attributes: { session_id: `b${i}` } }),
      'publishMessage loop, default batching',
    );
    await client.close();
  } finally {
    await emulator.stop();
  }
}

async function main() {
  await localBenches();
  await deadRemoteBench();
  await sqsBenches();
  await pubsubBenches();
  console.table(rows);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
