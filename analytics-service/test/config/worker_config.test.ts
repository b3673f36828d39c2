import { describe, expect, it } from 'vitest';
import { configSummary, loadWorkerConfig, WorkerConfigError } from '../../src/config.js';

describe('loadWorkerConfig', () => {
  it('applies the documented defaults with an empty environment', () => {
    const c = loadWorkerConfig({});
    expect(c).toMatchObject({
      concurrency: 8,
      batchSize: 100,
      batchMaxWaitMs: 50,
      shutdownDeadlineMs: 10_000,
      warehouse: { driver: 'duckdb', duckdbPath: '.data/warehouse.duckdb', piiMode: 'hashed' },
      priceBookPath: undefined,
      scoringConfigPath: undefined,
      logLevel: 'info',
      destinations: { hubspot: null, salesforce: null, amplitude: null, webhook: null },
      delivery: { maxAttempts: 5, parkedDir: '.data/parked' },
      api: { port: 8787, token: undefined },
    });
    expect(c.queue.driver).toBe('local');
    expect(c.slas.llm).toBe(2000);
  });

  it('schedules retention at 30 days by default, at the configured age, and not at all with 0', () => {
    expect(loadWorkerConfig({}).retention).toEqual({ days: 30, everyMs: 6 * 60 * 60 * 1000 });
    expect(loadWorkerConfig({ RETENTION_DAYS: '7', RETENTION_INTERVAL_MS: '60000' }).retention).toEqual({
      days: 7,
      everyMs: 60_000,
    });
    expect(loadWorkerConfig({ RETENTION_DAYS: '0' }).retention).toBeNull();
    expect(() => loadWorkerConfig({ RETENTION_DAYS: 'soon' })).toThrow(/RETENTION_DAYS/);
  });

  it('reads overrides, SLA overrides and a configured destination', () => {
    const c = loadWorkerConfig({
      WORKER_CONCURRENCY: '32',
      WORKER_BATCH_SIZE: '200',
      WAREHOUSE_DRIVER: 'postgres',
      WAREHOUSE_URL: 'postgres://u:secret@db:5432/wh',
      SLA_LLM_P95_MS: '1500',
      SLA_E2E_P95_MS: '0',
      WEBHOOK_URL: 'https://example.com/hook',
      WEBHOOK_SECRET: 'x'.repeat(32),
      LOG_LEVEL: 'debug',
      QUEUE_DRIVER: 'sqs',
      SQS_QUEUE_URL: 'http://127.0.0.1:9324/000/q',
    });
    expect(c.concurrency).toBe(32);
    expect(c.warehouse).toMatchObject({ driver: 'postgres', url: 'postgres://u:secret@db:5432/wh' });
    expect(c.slas).toMatchObject({ llm: 1500, e2e: null });
    expect(c.destinations.webhook).not.toBeNull();
    expect(c.queue.driver).toBe('sqs');
    const summary = JSON.stringify(configSummary(c));
    expect(summary).not.toContain('secret');
    expect(summary).not.toContain('x'.repeat(32));
    expect(summary).toContain('webhook');
  });

  it('treats empty variables as unset', () => {
    expect(loadWorkerConfig({ WORKER_CONCURRENCY: '', WAREHOUSE_DRIVER: '' }).concurrency).toBe(8);
  });

  it('names every bad variable across sections in one error', () => {
    let error: unknown;
    try {
      loadWorkerConfig({
        WORKER_CONCURRENCY: 'many',
        WAREHOUSE_DRIVER: 'postgres',
        SLA_LLM_P95_MS: '-3',
        HUBSPOT_BASE_URL: 'not a url',
        QUEUE_DRIVER: 'carrier_pigeon',
        DELIVERY_MAX_ATTEMPTS: '0',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WorkerConfigError);
    const e = error as WorkerConfigError;
    expect([...e.variables].sort()).toEqual(
      [
        'DELIVERY_MAX_ATTEMPTS',
        'HUBSPOT_BASE_URL',
        'QUEUE_DRIVER',
        'SLA_LLM_P95_MS',
        'WAREHOUSE_URL',
        'WORKER_CONCURRENCY',
      ].sort(),
    );
    for (const name of e.variables) expect(e.message).toContain(name);
  });

  it('rejects a WAREHOUSE_URL that is not PostgreSQL', () => {
    expect(() => loadWorkerConfig({ WAREHOUSE_DRIVER: 'postgres', WAREHOUSE_URL: 'mysql://x' })).toThrow(
      /WAREHOUSE_URL: must be a postgres/,
    );
  });
});
