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
  logLevel: string;
  /** For the HTTP API (its engineer owns what is done with these). */
  api: { port: number; host: string | undefined; token: string | undefined };
  /** Scheduled retention; null when RETENTION_DAYS=0. */
  retention: { days: number; everyMs: number } | null;
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

  if (problems.length > 0 || !queue || !worker || !sla || !delivery) {
    const unique = [...new Set(variables)];
    throw new WorkerConfigError(`invalid worker configuration: ${problems.join('; ')}`, unique);
  }
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
    logLevel: worker.LOG_LEVEL,
    api: { port: worker.API_PORT, host: worker.API_HOST, token: worker.ANALYTICS_API_TOKEN },
    retention:
      worker.RETENTION_DAYS > 0
        ? { days: worker.RETENTION_DAYS, everyMs: worker.RETENTION_INTERVAL_MS }
        : null,
    analysis,
  });
}

/** What start-up logs: settings without secrets, URLs without credentials. */
export function configSummary(c: WorkerConfig): Record<string, unknown> {
  const safeUrl = (u: string | undefined) => (u ? u.replace(/\/\/[^@/]*@/, '//***@') : undefined);
  return {
    queue: c.queue.driver,
    concurrency: c.concurrency,
    batchSize: c.batchSize,
    batchMaxWaitMs: c.batchMaxWaitMs,
    shutdownDeadlineMs: c.shutdownDeadlineMs,
    warehouse: c.warehouse.driver,
    warehouseTarget: c.warehouse.driver === 'postgres' ? safeUrl(c.warehouse.url) : c.warehouse.duckdbPath,
    warehousePiiMode: c.warehouse.piiMode,
    priceBook: c.priceBookPath ?? '(bundled)',
    scoringConfig: c.scoringConfigPath ?? '(bundled)',
    slas: c.slas,
    retention: c.retention ?? 'off',
    destinations: Object.entries(c.destinations)
      .filter(([, v]) => v !== null)
      .map(([k]) => k),
    parkedDir: c.delivery.parkedDir,
    analysis: c.analysis
      ? `${c.analysis.model} at ${safeUrl(c.analysis.baseUrl)} (timeout ${c.analysis.timeoutMs} ms, ${c.analysis.maxAttempts} attempts)`
      : 'off (set ANALYSIS_MODEL, ANALYSIS_API_KEY and ANALYSIS_BASE_URL to turn it on)',
  };
}
