/**
 * A real SQS server for tests and benchmarks: `local-aws-sqs` (SQS JSON protocol) on a free port.
 * `stop()` then `restart()` keeps the port (queue URLs stay valid) but the queues come back empty.
 */
import type { Server } from 'node:http';
import { createSqsServer, type ISqsServerOptions } from 'local-aws-sqs';
import type { SqsConfig } from '../../src/queue/index.js';
import { freePort } from './free_port.js';

export type InitialQueue = NonNullable<ISqsServerOptions['queues']>[number];

export const SQS_ACCOUNT_ID = '123456789012';
export const SQS_REGION = 'us-east-1';

export interface SqsTestServer {
  readonly endpoint: string;
  queueUrl(name: string): string;
  queueArn(name: string): string;
  /** Config for our drivers on `queue` (visibility kept longer than the long poll). */
  config(queue: string, overrides?: Partial<SqsConfig>): SqsConfig;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

/** Queue definitions: a main queue with a redrive policy to `<name>-dlq`. */
export function queueWithDlq(name: string, maxReceiveCount: number, visibilityTimeoutS = 3): InitialQueue[] {
  const fifo = name.endsWith('.fifo');
  const dlq = fifo ? `${name.slice(0, -5)}-dlq.fifo` : `${name}-dlq`;
  const fifoAttrs = fifo ? { FifoQueue: true } : {};
  return [
    { QueueName: dlq, Attributes: { ...fifoAttrs } },
    {
      QueueName: name,
      Attributes: {
        ...fifoAttrs,
        VisibilityTimeout: visibilityTimeoutS,
        RedrivePolicy: JSON.stringify({
          maxReceiveCount,
          deadLetterTargetArn: `arn:aws:sqs:${SQS_REGION}:${SQS_ACCOUNT_ID}:${dlq}`,
        }),
      },
    },
  ];
}

export async function startSqsServer(opts: { queues?: InitialQueue[] } = {}): Promise<SqsTestServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const start = () =>
    createSqsServer({
      port,
      hostname: '127.0.0.1',
      region: SQS_REGION,
      accountId: SQS_ACCOUNT_ID,
      emulateQueueCreationLifecycle: false,
      queues: structuredClone(opts.queues ?? []),
    });
  let server: Server | undefined = await start();
  return {
    endpoint,
    queueUrl: (name) => `${endpoint}/${SQS_ACCOUNT_ID}/${name}`,
    queueArn: (name) => `arn:aws:sqs:${SQS_REGION}:${SQS_ACCOUNT_ID}:${name}`,
    config(queue, overrides = {}) {
      return {
        queueUrl: `${endpoint}/${SQS_ACCOUNT_ID}/${queue}`,
        endpoint,
        region: SQS_REGION,
        waitTimeSeconds: 1,
        visibilityTimeoutS: 3,
        ...overrides,
      };
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async restart() {
      if (server) return;
      server = await start();
    },
  };
}
