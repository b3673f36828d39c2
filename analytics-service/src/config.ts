/**
 * The worker's configuration, read from the environment once (`loadWorkerConfig`, called from
 * `main` only). Each section is parsed with zod; every bad variable across all sections is
 * reported at once in a `WorkerConfigError` that names it.
 */
import { z } from 'zod';
// From the file, not the queue index: the index also loads the SQS and Pub/Sub SDKs (~40 MB RSS).
import { loadQueueConfig, type QueueConfig, QueueConfigError } from '../../src/queue/config.js';
import { PiiMode } from '../../src/schema/index.js';
import { SlaEnv, type Slas, slasFromEnv } from './analysis/index.js';
import { DeliveryEnv } from './delivery/index.js';
import {
  type AmplitudeConfig,
  amplitudeConfigFromEnv,
  type HubSpotConfig,
  hubspotConfigFromEnv,
  type SalesforceConfig,
  salesforceConfigFromEnv,
  type WebhookConfig,
  webhookConfigFromEnv,
} from './destinations/index.js';
import { type AnalysisEnvConfig, analysisConfigFromEnv } from './intelligence/analysis_env.js';
import { createPiiHasher, PII_HASH_KEY_MIN_CHARS, type PiiHasher } from './privacy/index.js';
import type { WarehouseConfig } from './warehouse/index.js';

const PositiveInt = z.coerce.number().int().positive();

const WorkerEnv = z.object({
  WORKER_CONCURRENCY: PositiveInt.default(8),
  WORKER_BATCH_SIZE: PositiveInt.max(10_000).default(100),
  WORKER_BATCH_MAX_WAIT_MS: z.coerce.number().int().nonnegative().default(50),
  WORKER_SHUTDOWN_DEADLINE_MS: PositiveInt.default(10_000),
  WAREHOUSE_DRIVER: z.enum(['duckdb', 'postgres']).default('duckdb'),
  WAREHOUSE_DUCKDB_PATH: z.string().min(1).default('.data/warehouse.duckdb'),
  WAREHOUSE_DUCKDB_MEMORY_LIMIT: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, 'a size such as 96MB or 1GB')
    .default('96MB'),
  WAREHOUSE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  WAREHOUSE_PII_MODE: PiiMode.default('hashed'),
  PRICE_BOOK_PATH: z.string().min(1).optional(),
  SCORING_CONFIG_PATH: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  API_PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  API_HOST: z.string().min(1).optional(),
  ANALYTICS_API_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** Sessions older than this many days are deleted by the scheduled retention; 0 turns it off. */
  RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
  RETENTION_INTERVAL_MS: PositiveInt.default(6 * 60 * 60 * 1000),
  /** Alert rules (`config/alerts.json` when unset); `ALERTS_ENABLED=false` turns evaluation off. */
  ALERTS_ENABLED: z.enum(['true', 'false']).default('true'),
  ALERTS_CONFIG_PATH: z.string().min(1).optional(),
  ALERTS_SLACK_WEBHOOK_URL: z.url().optional(),
  /** Send alerts to the signed webhook destination too (when WEBHOOK_URL is set). */
  ALERTS_WEBHOOK: z.enum(['true', 'false']).default('true'),
  /** A live call whose progress snapshots stopped this long ago leaves `/api/live`. */
  LIVE_EXPIRE_MS: PositiveInt.default(30_000),
  /** Secret of the keyed hashing (HMAC-SHA256) of personal data; required when a mode hashes. */
  PII_HASH_KEY: z
    .string()
    .min(PII_HASH_KEY_MIN_CHARS, `at least ${PII_HASH_KEY_MIN_CHARS} characters (e.g. openssl rand -hex 32)`)
    .optional(),
});

export interface DeliveryConfig {
  maxAttempts: number;
  deadlineMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
  parkedDir: string;
}

export interface DestinationConfigs {
  hubspot: HubSpotConfig | null;
  salesforce: SalesforceConfig | null;
  amplitude: AmplitudeConfig | null;
  webhook: WebhookConfig | null;
}

export interface WorkerConfig {
  queue: QueueConfig;
  /** Messages handled at once (the consumer's concurrency). */
  concurrency: number;
  /** Most sessions per warehouse transaction (a batch never exceeds `concurrency`). */
  batchSize: number;
  /** Longest a session waits for its batch to fill before it is written anyway. */
  batchMaxWaitMs: number;
  shutdownDeadlineMs: number;
  warehouse: WarehouseConfig;
  priceBookPath: string | undefined;
  scoringConfigPath: string | undefined;
  slas: Slas;
  delivery: DeliveryConfig;
  destinations: DestinationConfigs;
  /** Keyed hashing of personal data (from PII_HASH_KEY); null when no mode hashes and no key is set. */
  piiHasher: PiiHasher | null;
  logLevel: string;
  /** For the HTTP API (its engineer owns what is done with these). */
  api: { port: number; host: string | undefined; token: string | undefined };
  /** Scheduled retention; null when RETENTION_DAYS=0. */
  retention: { days: number; everyMs: number } | null;
  alerts: {
    enabled: boolean;
    configPath: string | undefined;
    slackWebhookUrl: string | undefined;
    webhook: boolean;
  };
  live: { expireAfterMs: number };
  /** Post-call LLM analysis (`intelligence/`); null (off) without ANALYSIS_MODEL. */
  analysis?: AnalysisEnvConfig | null;
}

export class WorkerConfigError extends Error {
  override readonly name = 'WorkerConfigError';
  constructor(
    message: string,
    /** Every environment variable that is missing or invalid. */
    readonly variables: readonly string[],
  ) {
    super(message);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function blank(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''),
  );
}

/** `NAME: message; NAME2: message` → the names. */
function namesIn(text: string): string[] {
  return [...text.matchAll(/(?:^|; )([A-Z][A-Z0-9_]*)(?=[.:])/g)].map((m) => m[1] ?? '').filter(Boolean);
}

/** The settings that hash values, as `NAME=mode` (each needs PII_HASH_KEY). */
function modesNeedingKey(warehouse: string | undefined, d: DestinationConfigs): string[] {
  const out: string[] = [];
  if (warehouse === 'hashed') out.push('WAREHOUSE_PII_MODE=hashed');
  // Amplitude's device_id is a keyed hash of the caller's identity under hashed and none
  if (d.amplitude && d.amplitude.piiMode !== 'full') out.push(`AMPLITUDE_PII_MODE=${d.amplitude.piiMode}`);
  if (d.webhook?.piiMode === 'hashed') out.push('WEBHOOK_PII_MODE=hashed');
  return out;
}

export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const cleaned = blank(env);
  const problems: string[] = [];
  const variables: string[] = [];
  const fail = (text: string, names: readonly string[]) => {
    problems.push(text);
    variables.push(...names);
  };
  const zodSection = <S extends z.ZodType>(schema: S): z.infer<S> | undefined => {
    const r = schema.safeParse(cleaned);
    if (r.success) return r.data;
    for (const i of r.error.issues)
      fail(`${String(i.path[0] ?? '(env)')}: ${i.message}`, [String(i.path[0])]);
    return undefined;
  };

  let queue: QueueConfig | undefined;
  try {
    queue = loadQueueConfig(cleaned);
  } catch (err) {
    if (!(err instanceof QueueConfigError)) throw err;
    fail(err.message.replace(/^invalid queue configuration: /, ''), err.variables);
  }
  const worker = zodSection(WorkerEnv);
  // Checked outside zod so it is reported even when other worker variables are invalid.
  if (cleaned.WAREHOUSE_DRIVER === 'postgres' && cleaned.WAREHOUSE_URL === undefined) {
    fail('WAREHOUSE_URL: required when WAREHOUSE_DRIVER=postgres', ['WAREHOUSE_URL']);
  }
  const sla = zodSection(SlaEnv);
  const delivery = zodSection(DeliveryEnv);
  const destination = <T>(r: { ok: true; config: T | null } | { ok: false; error: string }): T | null => {
    if (r.ok) return r.config;
    fail(r.error, namesIn(r.error));
    return null;
  };
  const destinations: DestinationConfigs = {
    hubspot: destination(hubspotConfigFromEnv(cleaned)),
    salesforce: destination(salesforceConfigFromEnv(cleaned)),
    amplitude: destination(amplitudeConfigFromEnv(cleaned)),
    webhook: destination(webhookConfigFromEnv(cleaned)),
  };
  const analysis = destination(analysisConfigFromEnv(cleaned));

  const needsKey = modesNeedingKey(worker?.WAREHOUSE_PII_MODE, destinations);
  if (worker && !worker.PII_HASH_KEY && needsKey.length > 0) {
    fail(
      `PII_HASH_KEY: required because ${needsKey.join(', ')} (values are hashed with a keyed ` +
        'HMAC-SHA256; set a secret of at least 32 characters, e.g. openssl rand -hex 32, and keep it)',
      ['PII_HASH_KEY'],
    );
  }

  if (problems.length > 0 || !queue || !worker || !sla || !delivery) {
    const unique = [...new Set(variables)];
    throw new WorkerConfigError(`invalid worker configuration: ${problems.join('; ')}`, unique);
  }
  const piiHasher = worker.PII_HASH_KEY ? createPiiHasher(worker.PII_HASH_KEY) : null;
  return Object.freeze({
    queue,
    concurrency: worker.WORKER_CONCURRENCY,
    batchSize: worker.WORKER_BATCH_SIZE,
    batchMaxWaitMs: worker.WORKER_BATCH_MAX_WAIT_MS,
    shutdownDeadlineMs: worker.WORKER_SHUTDOWN_DEADLINE_MS,
    warehouse: {
      driver: worker.WAREHOUSE_DRIVER,
      duckdbPath: worker.WAREHOUSE_DUCKDB_PATH,
      duckdbMemoryLimit: worker.WAREHOUSE_DUCKDB_MEMORY_LIMIT,
      ...(worker.WAREHOUSE_URL !== undefined && { url: worker.WAREHOUSE_URL }),
      piiMode: worker.WAREHOUSE_PII_MODE,
      ...(piiHasher && { hasher: piiHasher }),
    },
    priceBookPath: worker.PRICE_BOOK_PATH,
    scoringConfigPath: worker.SCORING_CONFIG_PATH,
    slas: slasFromEnv(sla),
    delivery: {
      maxAttempts: delivery.DELIVERY_MAX_ATTEMPTS,
      deadlineMs: delivery.DELIVERY_DEADLINE_MS,
      baseDelayMs: delivery.DELIVERY_BASE_DELAY_MS,
      maxDelayMs: delivery.DELIVERY_MAX_DELAY_MS,
      parkedDir: delivery.PARKED_DIR,
    },
    destinations,
    piiHasher,
    logLevel: worker.LOG_LEVEL,
    api: { port: worker.API_PORT, host: worker.API_HOST, token: worker.ANALYTICS_API_TOKEN },
    retention:
      worker.RETENTION_DAYS > 0
        ? { days: worker.RETENTION_DAYS, everyMs: worker.RETENTION_INTERVAL_MS }
        : null,
    alerts: {
      enabled: worker.ALERTS_ENABLED === 'true',
      configPath: worker.ALERTS_CONFIG_PATH,
      slackWebhookUrl: worker.ALERTS_SLACK_WEBHOOK_URL,
      webhook: worker.ALERTS_WEBHOOK === 'true',
    },
    live: { expireAfterMs: worker.LIVE_EXPIRE_MS },
    analysis,
  });
}

/** What start-up logs: settings without secrets, URLs without credentials. */
export function configSummary(c: WorkerConfig): Record<string, unknown> {
  const safeUrl = (u: string | undefined) => (u ? u.replace(/\/\/[^@/]*@/, '//***@') : undefined);
  return {
    node: process.version,
    queue: c.queue.driver,
    concurrency: c.concurrency,
    batchSize: c.batchSize,
    batchMaxWaitMs: c.batchMaxWaitMs,
    shutdownDeadlineMs: c.shutdownDeadlineMs,
    warehouse: c.warehouse.driver,
    warehouseTarget: c.warehouse.driver === 'postgres' ? safeUrl(c.warehouse.url) : c.warehouse.duckdbPath,
    warehousePiiMode: c.warehouse.piiMode,
    piiHashKeyId: c.piiHasher?.keyId ?? '(no key)',
    priceBook: c.priceBookPath ?? '(bundled)',
    scoringConfig: c.scoringConfigPath ?? '(bundled)',
    slas: c.slas,
    retention: c.retention ?? 'off',
    destinations: Object.entries(c.destinations)
      .filter(([, v]) => v !== null)
      .map(([k]) => k),
    parkedDir: c.delivery.parkedDir,
    alerts: c.alerts.enabled
      ? {
          config: c.alerts.configPath ?? '(bundled)',
          slack: c.alerts.slackWebhookUrl !== undefined,
          webhook: c.alerts.webhook && c.destinations.webhook !== null,
        }
      : 'off',
    analysis: c.analysis
      ? `${c.analysis.model} at ${safeUrl(c.analysis.baseUrl)} (timeout ${c.analysis.timeoutMs} ms, ${c.analysis.maxAttempts} attempts)`
      : 'off (set ANALYSIS_MODEL, ANALYSIS_API_KEY and ANALYSIS_BASE_URL to turn it on)',
  };
}
