/**
 * Queue benchmarks: `npm run bench:queue [-- --only local,dead,sqs,pubsub]`. Starts and stops its own local-aws-sqs and Pub/Sub
 * emulator. Prints one table and the machine's load average before and after (figures from a
 * loaded machine are not comparable with an idle one). Sizes: QUEUE_BENCH_N (default 10000 local,
 * 1000 remote).
 *
 * Fairness: our driver and the bare SDK loop are measured the same way, publish only (no consumer
 * competing for the server), with the same concurrency (32), the same body size and attribute
 * count, after a warm-up of both clients, in alternating order. local-aws-sqs runs inside this
 * process, so every client-side microsecond (ours or the SDK's) also slows the server.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
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
  Spool,
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
const N_LOCAL = Number(process.env['QUEUE_BENCH_N'] ?? 10_000);
const N_REMOTE = Math.min(N_LOCAL, 1000);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const r1 = (x: number) => Math.round(x * 10) / 10;
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
const CONCURRENCY = 32;
/** Publishers in flight for the saturation rows: more than one group commit's worth. */
const SATURATION = 256;
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

/**
 * Runs `con` with a handler that only counts: `done` resolves at the n-th message, `got` says how
 * many arrived, `stop` stops the consumer and waits for its loop.
 */
function countingRun(con: QueueConsumer, n: number) {
  let got = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  const run = con.run(
    async () => {
      got += 1;
      if (got === n) resolveDone();
    },
    { concurrency: CONCURRENCY },
  );
  return {
    done,
    get got() {
      return got;
    },
    async stop() {
      await con.stop({ deadlineMs: 2000 });
      await run;
    },
  };
}

async function throughput(
  name: string,
  pub: QueuePublisher,
  con: QueueConsumer,
  n: number,
  note: string,
  publishers = CONCURRENCY,
) {
  const items = payloads(n, name);
  const t0 = performance.now();
  const consumed = countingRun(con, n);
  let failed = 0;
  await pool(items, publishers, async (p) => {
    if ((await pub.publish(p)).status !== 'ok') failed += 1;
  });
  const tPub = performance.now() - t0;
  await Promise.race([consumed.done, new Promise((r) => setTimeout(r, 120_000))]);
  const tAll = performance.now() - t0;
  await consumed.stop();
  const got = consumed.got;
  rows.push({
    bench: `${name} publish+consume`,
    n,
    'publish msg/s': Math.round(n / (tPub / 1000)),
    'end-to-end msg/s': Math.round(got / (tAll / 1000)),
    note: `${note}${failed ? `; ${failed} publish failures` : ''}${got < n ? `; only ${got} consumed` : ''}`,
  });
}

/** Times `send` over n items at CONCURRENCY in flight; returns msg/s. */
async function sendRate(n: number, send: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await pool(
    Array.from({ length: n }, (_, i) => i),
    CONCURRENCY,
    send,
  );
  return rate(n, performance.now() - t0);
}

/**
 * Publish-only, ours vs bare SDK, side by side: warm both, then run ours, bare, ours, bare and
 * report each one's best round (the load from other work on the machine only ever slows a round).
 */
async function publishSideBySide(
  name: string,
  n: number,
  ours: (i: number) => Promise<unknown>,
  bare: (i: number) => Promise<unknown>,
  notes: { ours: string; bare: string },
) {
  await sendRate(50, ours);
  await sendRate(50, bare);
  const best = { ours: 0, bare: 0 };
  for (let round = 0; round < 2; round++) {
    best.ours = Math.max(best.ours, await sendRate(n, ours));
    best.bare = Math.max(best.bare, await sendRate(n, bare));
  }
  rows.push({ bench: `${name} publish only, our driver`, n, 'publish msg/s': best.ours, note: notes.ours });
  rows.push({ bench: `${name} publish only, bare SDK`, n, 'publish msg/s': best.bare, note: notes.bare });
}

/** Drains `n` messages already on the queue; returns msg/s (0 consumed = timed out). */
async function drainRate(
  con: QueueConsumer,
  n: number,
  timeoutMs = 120_000,
): Promise<{ rate: number; got: number }> {
  const t0 = performance.now();
  const consumed = countingRun(con, n);
  await Promise.race([consumed.done, new Promise((r) => setTimeout(r, timeoutMs))]);
  const ms = performance.now() - t0;
  await consumed.stop();
  return { rate: rate(consumed.got, ms), got: consumed.got };
}

/**
 * The consumer half of the two-process bench (runs in a child): consumes `n` messages from the
 * spool, then reports to the parent over IPC.
 */
async function consumeChild(dir: string, n: number, fsync: boolean): Promise<void> {
  const con = new LocalConsumer({
    dir,
    logger: silentLogger,
    maxAttempts: 5,
    leaseMs: 30_000,
    maxIdlePollMs: 5,
    fsync,
  });
  const consumed = countingRun(con, n);
  process.send?.({ ready: true });
  await consumed.done;
  process.send?.({ done: true, got: consumed.got });
  await consumed.stop();
}

/**
 * How the product runs: publishers (agent processes) and the consumer (the worker) are separate
 * processes on one spool. This process publishes (32 concurrent `publish()` calls) while a child
 * process consumes; the rate is n over the time from the first publish to the child's last ack.
 */
async function twoProcessThroughput(fsync: boolean, publishers: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-spool-'));
  await new Spool(dir).init();
  const child = fork(
    fileURLToPath(import.meta.url),
    [
      '--consume-child',
      dir,
      '--fsync',
      String(fsync),
      ...process.argv.slice(2).filter((a) => a.startsWith('--n=')),
    ],
    { execArgv: ['--import', 'tsx'], env: { ...process.env, QUEUE_BENCH_N: String(N_LOCAL) } },
  );
  const message = (key: 'ready' | 'done') =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>) => {
        if (m[key]) {
          child.off('message', onMessage);
          resolve(m);
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`consumer child exited with ${code}`)));
    });
  await message('ready');
  const finished = message('done');
  const pub = new LocalPublisher({ dir, logger: silentLogger, fsync });
  const items = payloads(N_LOCAL, `two_${fsync}`);
  const t0 = performance.now();
  let failed = 0;
  await pool(items, publishers, async (p) => {
    if ((await pub.publish(p)).status !== 'ok') failed += 1;
  });
  const tPub = performance.now() - t0;
  const done = await Promise.race([
    finished,
    new Promise<undefined>((r) => setTimeout(() => r(undefined), 120_000)),
  ]);
  const tAll = performance.now() - t0;
  child.kill();
  const got = Number(done?.['got'] ?? 0);
  rows.push({
    bench: `local (fsync=${fsync}) publisher process (${publishers}) + consumer process`,
    n: N_LOCAL,
    'publish msg/s': rate(N_LOCAL, tPub),
    'end-to-end msg/s': rate(got, tAll),
    note: `${publishers} concurrent publish() calls here, consumer concurrency ${CONCURRENCY} in a child process${failed ? `; ${failed} publish failures` : ''}${got < N_LOCAL ? `; only ${got} consumed` : ''}`,
  });
  await rm(dir, { recursive: true, force: true });
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
      note: `validate + encode + write + rename${fsync ? ' + (fdatasync ∥ dir fsync)' : ''}, sequential`,
    });
    await rm(dir, { recursive: true, force: true });
    // Publishers waiting on their own commits (32: latency-bound, one group commit at a time),
    // then enough in flight to saturate the process (its capacity).
    for (const publishers of [CONCURRENCY, SATURATION]) {
      const dir2 = await mkdtemp(join(tmpdir(), 'bench-spool-'));
      await throughput(
        `local (fsync=${fsync}) ${publishers} publishers,`,
        new LocalPublisher({ dir: dir2, logger: silentLogger, fsync }),
        new LocalConsumer({
          dir: dir2,
          logger: silentLogger,
          maxAttempts: 5,
          leaseMs: 30_000,
          maxIdlePollMs: 20,
          fsync,
        }),
        N_LOCAL,
        `${publishers} concurrent publish() calls, consumer concurrency ${CONCURRENCY}, same process`,
        publishers,
      );
      await rm(dir2, { recursive: true, force: true });
    }
    // A worker backlog: publishMany in batches of 100 (every message durable before its batch
    // resolves), then one consumer drains it.
    const dir3 = await mkdtemp(join(tmpdir(), 'bench-spool-'));
    const batchPub = new LocalPublisher({ dir: dir3, logger: silentLogger, fsync });
    const items = payloads(N_LOCAL, `backlog_${fsync}`);
    const t0 = performance.now();
    let failed = 0;
    for (let i = 0; i < items.length; i += 100) {
      for (const r of await batchPub.publishMany(items.slice(i, i + 100))) if (r.status !== 'ok') failed += 1;
    }
    const fill = rate(N_LOCAL, performance.now() - t0);
    const drained = await drainRate(
      new LocalConsumer({ dir: dir3, logger: silentLogger, maxAttempts: 5, leaseMs: 30_000, fsync }),
      N_LOCAL,
    );
    rows.push({
      bench: `local (fsync=${fsync}) backlog fill + drain`,
      n: N_LOCAL,
      'publish msg/s': fill,
      'consume msg/s': drained.rate,
      note: `publishMany x100, then consumer concurrency ${CONCURRENCY}${failed ? `; ${failed} publish failures` : ''}${drained.got < N_LOCAL ? `; only ${drained.got} consumed` : ''}`,
    });
    await rm(dir3, { recursive: true, force: true });
    await twoProcessThroughput(fsync, SATURATION);
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
  const server = await startSqsServer({
    queues: [...queueWithDlq('bench', 5, 30), ...queueWithDlq('pubonly', 5, 30), { QueueName: 'bare' }],
  });
  try {
    // Publish only, side by side. Same body size and attribute count as our driver sends.
    const config = server.config('pubonly', { visibilityTimeoutS: 30, waitTimeSeconds: 1 });
    const ours = new SqsPublisher({ config, logger: silentLogger });
    const items = payloads(N_REMOTE + 50, 'sqs_pub');
    const client = createSqsClient(server.config('bare'));
    const body = JSON.stringify(samplePayload());
    await publishSideBySide(
      'sqs (local-aws-sqs)',
      N_REMOTE,
      (i) => ours.publish(items[i]!),
      (i) =>
        client.send(
          new SendMessageCommand({
            QueueUrl: server.queueUrl('bare'),
            MessageBody: body,
            MessageAttributes: {
              schema_version: { DataType: 'String', StringValue: '1' },
              session_id: { DataType: 'String', StringValue: `b${i}` },
              content_encoding: { DataType: 'String', StringValue: 'identity' },
            },
          }),
        ),
      {
        ours: `validate + encode + SendMessage, ${CONCURRENCY} in flight`,
        bare: `SendMessage of a pre-serialised body, same attributes, ${CONCURRENCY} in flight`,
      },
    );
    await ours.close();
    client.destroy();
    const drained = await drainRate(
      new SqsConsumer({ config, logger: silentLogger, maxAttempts: 5 }),
      // warm-up (2 x 50) and rounds (2 x N) all went to this queue
      2 * N_REMOTE + 50,
    );
    rows.push({
      bench: 'sqs (local-aws-sqs) consume only',
      n: 2 * N_REMOTE + 50,
      'consume msg/s': drained.rate,
      note: `ReceiveMessage x10 + DeleteMessage per message, concurrency ${CONCURRENCY}`,
    });
    await throughput(
      'sqs (local-aws-sqs)',
      new SqsPublisher({
        config: server.config('bench', { visibilityTimeoutS: 30, waitTimeSeconds: 1 }),
        logger: silentLogger,
      }),
      new SqsConsumer({
        config: server.config('bench', { visibilityTimeoutS: 30, waitTimeSeconds: 1 }),
        logger: silentLogger,
        maxAttempts: 5,
      }),
      N_REMOTE,
      'publisher and consumer at once on one in-process server',
    );
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
    const bareConfig = { ...config, topic: 'bare-topic', subscription: 'bare-sub' };
    await ensurePubsubTopology({ pubsub: bareConfig, maxAttempts: 5, leaseMs: 30_000 });
    const ours = new PubsubPublisher({ config, logger: silentLogger });
    const items = payloads(N_REMOTE + 50, 'ps_pub');
    const client = createPubSub(bareConfig);
    // Same batching as our publisher (100 messages or 5 ms).
    const topic = client.topic('bare-topic', { batching: { maxMessages: 100, maxMilliseconds: 5 } });
    const data = Buffer.from(JSON.stringify(samplePayload()));
    await publishSideBySide(
      'pubsub (emulator)',
      N_REMOTE,
      (i) => ours.publish(items[i]!),
      (i) =>
        topic.publishMessage({
          data,
          attributes: { schema_version: '1', session_id: `b${i}`, content_encoding: 'identity' },
        }),
      {
        ours: `validate + encode + publishMessage, batching 100/5 ms, ${CONCURRENCY} in flight`,
        bare: `publishMessage of a pre-serialised body, same attributes and batching, ${CONCURRENCY} in flight`,
      },
    );
    await ours.close();
    const drained = await drainRate(
      new PubsubConsumer({ config, logger: silentLogger, maxAttempts: 5, leaseMs: 30_000 }),
      2 * N_REMOTE + 50,
    );
    rows.push({
      bench: 'pubsub (emulator) consume only',
      n: 2 * N_REMOTE + 50,
      'consume msg/s': drained.rate,
      note: `sync pull + acknowledge, concurrency ${CONCURRENCY}${drained.got < 2 * N_REMOTE + 50 ? `; only ${drained.got} consumed` : ''}`,
    });
    const e2eConfig = { ...config, topic: 'e2e-topic', subscription: 'e2e-sub' };
    await ensurePubsubTopology({ pubsub: e2eConfig, maxAttempts: 5, leaseMs: 30_000 });
    await throughput(
      'pubsub (emulator)',
      new PubsubPublisher({ config: e2eConfig, logger: silentLogger }),
      new PubsubConsumer({ config: e2eConfig, logger: silentLogger, maxAttempts: 5, leaseMs: 30_000 }),
      N_REMOTE,
      'publisher and consumer at once; client batching 5 ms, sync pull',
    );
    await client.close();
  } finally {
    await emulator.stop();
  }
}

const ARGS = parseArgs({
  options: {
    /** `--only local,dead,sqs,pubsub` runs a subset (default: all). */
    only: { type: 'string', default: 'local,dead,sqs,pubsub' },
    /** Internal: be the consumer process of the two-process bench on this spool directory. */
    'consume-child': { type: 'string' },
    fsync: { type: 'string', default: 'true' },
  },
}).values;
const ONLY = new Set((ARGS.only ?? '').split(',').filter(Boolean));

async function main() {
  if (ARGS['consume-child']) {
    await consumeChild(ARGS['consume-child'], N_LOCAL, ARGS.fsync !== 'false');
    return;
  }
  const loadBefore = loadavg().map(r1);
  if (ONLY.has('local')) await localBenches();
  if (ONLY.has('dead')) await deadRemoteBench();
  if (ONLY.has('sqs')) await sqsBenches();
  if (ONLY.has('pubsub')) await pubsubBenches();
  // Figures first (narrow enough for a terminal), then what each row measured.
  console.table(rows.map(({ note: _note, ...figures }) => figures));
  rows.forEach((r, i) => {
    if (r['note']) console.log(`${i}: ${r['note']}`);
  });
  console.log(
    `load average (1/5/15 min) before: ${loadBefore.join(' ')}; after: ${loadavg().map(r1).join(' ')}`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
