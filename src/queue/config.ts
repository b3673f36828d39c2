/**
 * Queue configuration, parsed once from the environment (call `loadQueueConfig` from `main` only).
 * A missing or invalid variable throws a `QueueConfigError` that names every offending variable.
 */
import { z } from 'zod';

const PositiveInt = z.coerce.number().int().positive();
const Bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const Env = z.object({
  QUEUE_DRIVER: z.enum(['local', 'sqs', 'pubsub']).default('local'),
  QUEUE_SPOOL_DIR: z.string().min(1).default('.data/spool'),
  QUEUE_OUTBOX_DIR: z.string().min(1).default('.data/outbox'),
  /** fsync each spooled message before the rename that publishes it (durability vs throughput). */
  QUEUE_SPOOL_FSYNC: Bool.default(true),
  QUEUE_PUBLISH_DEADLINE_MS: PositiveInt.default(3000),
  QUEUE_MAX_ATTEMPTS: PositiveInt.default(5),
  QUEUE_LEASE_MS: PositiveInt.default(30_000),
  SQS_QUEUE_URL: z.url().optional(),
  SQS_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  SQS_WAIT_TIME_SECONDS: z.coerce.number().int().min(0).max(20).default(20),
  SQS_VISIBILITY_TIMEOUT_S: z.coerce.number().int().min(0).max(43_200).default(30),
  PUBSUB_PROJECT_ID: z.string().min(1).optional(),
  PUBSUB_TOPIC: z.string().min(1).optional(),
  PUBSUB_SUBSCRIPTION: z.string().min(1).optional(),
  PUBSUB_DEAD_LETTER_TOPIC: z.string().min(1).optional(),
  /** Where dead-lettered messages are kept; default `<PUBSUB_DEAD_LETTER_TOPIC>-sub`. */
  PUBSUB_DEAD_LETTER_SUBSCRIPTION: z.string().min(1).optional(),
  PUBSUB_EMULATOR_HOST: z.string().min(1).optional(),
});

const REQUIRED_BY_DRIVER: Readonly<Record<string, readonly string[]>> = {
  sqs: ['SQS_QUEUE_URL'],
  pubsub: ['PUBSUB_PROJECT_ID', 'PUBSUB_TOPIC', 'PUBSUB_SUBSCRIPTION', 'PUBSUB_DEAD_LETTER_TOPIC'],
};

export type QueueDriver = 'local' | 'sqs' | 'pubsub';

export interface SqsConfig {
  readonly queueUrl: string;
  readonly endpoint?: string;
  readonly region: string;
  readonly waitTimeSeconds: number;
  readonly visibilityTimeoutS: number;
}

export interface PubsubConfig {
  readonly projectId: string;
  readonly topic: string;
  readonly subscription: string;
  readonly deadLetterTopic: string;
  readonly deadLetterSubscription: string;
  readonly emulatorHost?: string;
}

export interface QueueConfig {
  readonly driver: QueueDriver;
  readonly spoolDir: string;
  readonly outboxDir: string;
  readonly spoolFsync: boolean;
  readonly publishDeadlineMs: number;
  readonly maxAttempts: number;
  readonly leaseMs: number;
  /** Present when `driver === 'sqs'`. */
  readonly sqs?: SqsConfig;
  /** Present when `driver === 'pubsub'`. */
  readonly pubsub?: PubsubConfig;
}

export class QueueConfigError extends Error {
  override readonly name = 'QueueConfigError';
  constructor(
    message: string,
    /** The environment variables that are missing or invalid. */
    readonly variables: readonly string[],
  ) {
    super(message);
  }
}

/** Parses queue settings from `env`; throws `QueueConfigError` naming each bad variable. */
export function loadQueueConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): QueueConfig {
  // An empty variable (`FOO=` in a .env file) means "not set".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Env.safeParse(cleaned);
  // Driver-specific variables are checked on their own so every problem is reported at once.
  const driver = cleaned['QUEUE_DRIVER'] ?? 'local';
  const problems = (REQUIRED_BY_DRIVER[driver] ?? [])
    .filter((name) => cleaned[name] === undefined)
    .map((name) => ({ name, message: `required when QUEUE_DRIVER=${driver}` }));
  if (!parsed.success || problems.length > 0) {
    for (const i of parsed.error?.issues ?? [])
      problems.push({ name: String(i.path[0] ?? '(env)'), message: i.message });
    const variables = [...new Set(problems.map((p) => p.name))];
    const text = problems.map((p) => `${p.name}: ${p.message}`).join('; ');
    throw new QueueConfigError(`invalid queue configuration: ${text}`, variables);
  }
  const e = parsed.data;
  if (e === undefined) throw new QueueConfigError('invalid queue configuration', []);
  const config: QueueConfig = {
    driver: e.QUEUE_DRIVER,
    spoolDir: e.QUEUE_SPOOL_DIR,
    outboxDir: e.QUEUE_OUTBOX_DIR,
    spoolFsync: e.QUEUE_SPOOL_FSYNC,
    publishDeadlineMs: e.QUEUE_PUBLISH_DEADLINE_MS,
    maxAttempts: e.QUEUE_MAX_ATTEMPTS,
    leaseMs: e.QUEUE_LEASE_MS,
    ...(e.SQS_QUEUE_URL !== undefined && {
      sqs: Object.freeze({
        queueUrl: e.SQS_QUEUE_URL,
        ...(e.SQS_ENDPOINT !== undefined && { endpoint: e.SQS_ENDPOINT }),
        region: e.AWS_REGION,
        waitTimeSeconds: e.SQS_WAIT_TIME_SECONDS,
        visibilityTimeoutS: e.SQS_VISIBILITY_TIMEOUT_S,
      }),
    }),
    ...(e.PUBSUB_PROJECT_ID !== undefined &&
      e.PUBSUB_TOPIC !== undefined &&
      e.PUBSUB_SUBSCRIPTION !== undefined &&
      e.PUBSUB_DEAD_LETTER_TOPIC !== undefined && {
        pubsub: Object.freeze({
          projectId: e.PUBSUB_PROJECT_ID,
          topic: e.PUBSUB_TOPIC,
          subscription: e.PUBSUB_SUBSCRIPTION,
          deadLetterTopic: e.PUBSUB_DEAD_LETTER_TOPIC,
          deadLetterSubscription: e.PUBSUB_DEAD_LETTER_SUBSCRIPTION ?? `${e.PUBSUB_DEAD_LETTER_TOPIC}-sub`,
          ...(e.PUBSUB_EMULATOR_HOST !== undefined && { emulatorHost: e.PUBSUB_EMULATOR_HOST }),
        }),
      }),
  };
  return Object.freeze(config);
}
