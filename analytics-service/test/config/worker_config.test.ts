import { describe, expect, it } from 'vitest';
import { configSummary, loadWorkerConfig, WorkerConfigError } from '../../src/config.js';

const KEY = 'test-pii-hash-key-0123456789abcdef';
/** The worker's config with a PII hash key (the default warehouse mode, hashed, requires one). */
const load = (env: Record<string, string>) => loadWorkerConfig({ PII_HASH_KEY: KEY, ...env });

describe('loadWorkerConfig', () => {
  it('applies the documented defaults with an empty environment', () => {
    const c = load({});
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
    expect(load({}).retention).toEqual({ days: 30, everyMs: 6 * 60 * 60 * 1000 });
    expect(load({ RETENTION_DAYS: '7', RETENTION_INTERVAL_MS: '60000' }).retention).toEqual({
      days: 7,
      everyMs: 60_000,
    });
    expect(load({ RETENTION_DAYS: '0' }).retention).toBeNull();
    expect(() => load({ RETENTION_DAYS: 'soon' })).toThrow(/RETENTION_DAYS/);
  });

  it('reads overrides, SLA overrides and a configured destination', () => {
    const c = load({
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
    expect(summary).not.toContain(KEY);
    expect(summary).toContain(c.piiHasher?.keyId);
    expect(summary).not.toContain('secret');
    expect(summary).not.toContain('x'.repeat(32));
    expect(summary).toContain('webhook');
  });

  it('treats empty variables as unset', () => {
    expect(load({ WORKER_CONCURRENCY: '', WAREHOUSE_DRIVER: '' }).concurrency).toBe(8);
  });

  it('names every bad variable across sections in one error', () => {
    let error: unknown;
    try {
      load({
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
    expect(() => load({ WAREHOUSE_DRIVER: 'postgres', WAREHOUSE_URL: 'mysql://x' })).toThrow(
      /WAREHOUSE_URL: must be a postgres/,
    );
  });

  it('refuses to start without PII_HASH_KEY when a mode hashes, naming the modes', () => {
    let error: unknown;
    try {
      loadWorkerConfig({ AMPLITUDE_API_KEY: 'k', AMPLITUDE_PII_MODE: 'none' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WorkerConfigError);
    const e = error as WorkerConfigError;
    expect(e.variables).toEqual(['PII_HASH_KEY']);
    expect(e.message).toContain('WAREHOUSE_PII_MODE=hashed');
    expect(e.message).toContain('AMPLITUDE_PII_MODE=none');
    expect(() => load({ PII_HASH_KEY: 'short' })).toThrow(/PII_HASH_KEY: at least 32 characters/);
    // nothing hashes: no key needed
    expect(loadWorkerConfig({ WAREHOUSE_PII_MODE: 'none' }).piiHasher).toBeNull();
    expect(load({}).piiHasher?.keyId).toMatch(/^[0-9a-f]{8}$/);
  });

  it('refuses HubSpot under a PII mode that leaves it no email, naming the variable', () => {
    for (const mode of ['hashed', 'none']) {
      expect(() => load({ HUBSPOT_ACCESS_TOKEN: 'pat', HUBSPOT_PII_MODE: mode })).toThrow(
        /HUBSPOT_PII_MODE: HubSpot upserts contacts by email/,
      );
    }
    expect(load({ HUBSPOT_ACCESS_TOKEN: 'pat' }).destinations.hubspot?.piiMode).toBe('full');
  });
});
