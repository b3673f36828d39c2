import { describe, expect, it } from 'vitest';
import { loadQueueConfig, QueueConfigError } from '../../src/queue/index.js';

describe('loadQueueConfig', () => {
  it('defaults to the local driver with documented defaults, frozen', () => {
    const c = loadQueueConfig({});
    expect(c).toMatchObject({
      driver: 'local',
      spoolDir: '.data/spool',
      outboxDir: '.data/outbox',
      publishDeadlineMs: 3000,
      maxAttempts: 5,
      spoolFsync: true,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names every missing driver variable and every invalid one', () => {
    let err: unknown;
    try {
      loadQueueConfig({ QUEUE_DRIVER: 'pubsub', QUEUE_MAX_ATTEMPTS: 'many', PUBSUB_TOPIC: 'calls' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QueueConfigError);
    const e = err as QueueConfigError;
    expect([...e.variables].sort()).toEqual([
      'PUBSUB_DEAD_LETTER_TOPIC',
      'PUBSUB_PROJECT_ID',
      'PUBSUB_SUBSCRIPTION',
      'QUEUE_MAX_ATTEMPTS',
    ]);
    expect(e.message).toContain('PUBSUB_PROJECT_ID');
    expect(e.message).toContain('QUEUE_MAX_ATTEMPTS');
  });

  it('requires SQS_QUEUE_URL for sqs and parses the SQS settings', () => {
    expect(() => loadQueueConfig({ QUEUE_DRIVER: 'sqs' })).toThrow(/SQS_QUEUE_URL/);
    const c = loadQueueConfig({
      QUEUE_DRIVER: 'sqs',
      SQS_QUEUE_URL: 'http://127.0.0.1:9324/000000000000/calls',
      SQS_ENDPOINT: 'http://127.0.0.1:9324',
      SQS_WAIT_TIME_SECONDS: '2',
      SQS_VISIBILITY_TIMEOUT_S: '',
    });
    expect(c.sqs).toEqual({
      queueUrl: 'http://127.0.0.1:9324/000000000000/calls',
      endpoint: 'http://127.0.0.1:9324',
      region: 'us-east-1',
      waitTimeSeconds: 2,
      visibilityTimeoutS: 30,
    });
    expect(Object.isFrozen(c.sqs)).toBe(true);
  });

  it('rejects an unknown driver by name', () => {
    expect(() => loadQueueConfig({ QUEUE_DRIVER: 'kafka' })).toThrow(/QUEUE_DRIVER/);
  });
});
