/** Building SQS clients and reading SQS errors; shared by the SQS publisher and consumer. */
import { createHash } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SqsConfig } from './config.js';

/** The SQS limit on body plus attributes (the classic 256 KiB; AWS now allows 1 MiB per queue). */
export const SQS_MAX_MESSAGE_BYTES = 256 * 1024;

export function createSqsClient(config: SqsConfig, opts: { maxAttempts?: number } = {}): SQSClient {
  // A plain-http endpoint is a local server (local-aws-sqs, ElasticMQ): it ignores credentials,
  // so fixed fake ones save developers from having to configure AWS.
  const local = config.endpoint?.startsWith('http://') ?? false;
  return new SQSClient({
    region: config.region,
    ...(config.endpoint !== undefined && { endpoint: config.endpoint }),
    ...(local && { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    ...(opts.maxAttempts !== undefined && { maxAttempts: opts.maxAttempts }),
  });
}

/** Errors caused by this message itself; anything else (network, throttling, 5xx, auth) can pass. */
const PERMANENT = new Set([
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'InvalidMessageContents',
  'InvalidAttributeName',
  'InvalidAttributeValue',
  'MissingParameter',
]);

export function isPermanentSqsError(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; __type?: string } | null;
  const names = [e?.name, e?.Code, e?.__type?.split('#').pop()];
  return names.some((n) => n !== undefined && PERMANENT.has(n));
}

export function isFifoQueue(queueUrl: string): boolean {
  return queueUrl.endsWith('.fifo');
}

/** FIFO group and deduplication ids: the session id, hashed when longer than SQS's 128 characters. */
export function fifoIds(sessionId: string): { MessageGroupId: string; MessageDeduplicationId: string } {
  const id = sessionId.length <= 128 ? sessionId : createHash('sha256').update(sessionId).digest('hex');
  return { MessageGroupId: id, MessageDeduplicationId: id };
}
