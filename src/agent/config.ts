/**
 * The agent's configuration, parsed once from the environment in `main` (never at import).
 * What is required depends on the run mode: `console` needs only the LLM; `dev`, `start` and
 * `connect` also need LiveKit credentials, STT and TTS. A missing or malformed variable stops
 * start-up with a message naming the variable and the mode that needs it.
 */
import { z } from 'zod';
import { PII_HASH_KEY_MIN_CHARS } from '../analytics/pii_keyed.js';
import { PiiMode } from '../schema/index.js';
import { parseDays, parseHoursRange, type WorkingHours } from './calendar/working_hours.js';

export const AGENT_MODES = ['dev', 'start', 'connect', 'console', 'download-files', 'job'] as const;
/** `job`: a job process forked by a `dev`/`start` worker (credentials come from the worker). */
export type AgentMode = (typeof AGENT_MODES)[number];

const ROOM_MODES: readonly AgentMode[] = ['dev', 'start', 'connect'];
const VOICE_MODES: readonly AgentMode[] = ['dev', 'start', 'connect', 'job'];
const LLM_MODES: readonly AgentMode[] = ['dev', 'start', 'connect', 'job', 'console'];

const Bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const Env = z.object({
  LIVEKIT_URL: z.url({ protocol: /^(wss?|https?)$/ }).optional(),
  LIVEKIT_API_KEY: z.string().min(1).optional(),
  LIVEKIT_API_SECRET: z.string().min(1).optional(),
  LIVEKIT_AGENT_NAME: z.string().optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  LLM_MODEL: z.string().min(1).default('gpt-4.1-mini'),
  LLM_TEMPERATURE: z.coerce.number().min(0).max(2).optional(),
  DEEPGRAM_API_KEY: z.string().min(1).optional(),
  /** Deepgram's API host for STT (`/v1/listen`) and TTS (`/v1/speak`); http(s) or ws(s). */
  DEEPGRAM_BASE_URL: z.url({ protocol: /^(wss?|https?)$/ }).optional(),
  STT_MODEL: z.string().min(1).default('nova-3'),
  STT_LANGUAGE: z.string().min(1).default('en-US'),
  TTS_PROVIDER: z.enum(['openai', 'deepgram']).default('openai'),
  TTS_MODEL: z.string().min(1).optional(),
  TTS_VOICE: z.string().min(1).optional(),
  TURN_DETECTION: z.enum(['vad', 'stt', 'multilingual', 'manual']).default('vad'),
  CALENDAR_PROVIDER: z.enum(['local', 'calcom']).default('local'),
  CALCOM_API_KEY: z.string().min(1).optional(),
  CALCOM_EVENT_TYPE_ID: z.coerce.number().int().positive().optional(),
  CALCOM_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://api.cal.com'),
  MEETING_DAYS: z.string().default('1-5'),
  MEETING_HOURS: z.string().default('9-17'),
  MEETING_MINUTES: z.coerce.number().int().min(5).max(240).default(30),
  CALLBACK_DEFAULT_COUNTRY_CODE: z
    .string()
    .regex(/^\d{1,3}$/)
    .default('1'),
  AGENT_DATA_DIR: z.string().min(1).default('.data/agent'),
  KNOWLEDGE_DIR: z.string().min(1).optional(),
  ANALYTICS_PII_MODE: PiiMode.default('hashed'),
  /** The deployment's PII hash key (the worker's): with it, `hashed` contact values are keyed at the source. */
  PII_HASH_KEY: z
    .string()
    .min(
      PII_HASH_KEY_MIN_CHARS,
      `must be at least ${PII_HASH_KEY_MIN_CHARS} characters (e.g. openssl rand -hex 32)`,
    )
    .optional(),
  ANALYTICS_TRANSCRIPTS: Bool.default(false),
  ANALYTICS_JOURNAL_DIR: z.string().min(1).default('.data/journal'),
  /** Progress snapshots of a running call to the queue every N ms (and on stage changes); 0 = off. */
  ANALYTICS_PROGRESS_INTERVAL_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
  /** Internal: set by `npm run console` so the agent hands the finished payload back to it. */
  CONSOLE_PAYLOAD_FILE: z.string().min(1).optional(),
  /** Internal: set by `npm run console -- --audio-in …`: the console carries audio (STT, TTS, VAD). */
  CONSOLE_AUDIO: Bool.default(false),
  /** OpenAI-compatible TTS endpoint when it differs from the LLM's (default OPENAI_BASE_URL). */
  TTS_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  AGENT_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export interface AgentConfig {
  readonly mode: AgentMode;
  readonly livekit: {
    readonly url?: string;
    readonly apiKey?: string;
    readonly apiSecret?: string;
    readonly agentName: string;
  };
  readonly llm: {
    readonly apiKey?: string;
    readonly baseURL?: string;
    readonly model: string;
    readonly temperature?: number;
  };
  readonly stt: {
    readonly apiKey?: string;
    readonly model: string;
    readonly language: string;
    /** Deepgram host without a trailing slash, e.g. `https://api.deepgram.com` (default: the plugin's). */
    readonly baseUrl?: string;
  };
  readonly tts: {
    readonly provider: 'openai' | 'deepgram';
    readonly model: string;
    readonly voice?: string;
    readonly baseURL?: string;
  };
  readonly turnDetection: 'vad' | 'stt' | 'multilingual' | 'manual';
  readonly calendar:
    | { readonly provider: 'local' }
    | {
        readonly provider: 'calcom';
        readonly apiKey: string;
        readonly eventTypeId: number;
        readonly baseUrl: string;
      };
  readonly workingHours: WorkingHours;
  readonly meetingMinutes: number;
  readonly callbackCountryCode: string;
  readonly dataDir: string;
  readonly knowledgeDir?: string;
  readonly analytics: {
    readonly piiMode: PiiMode;
    readonly transcripts: boolean;
    readonly journalDir: string;
    /** 0 = no progress snapshots. */
    readonly progressIntervalMs: number;
    /** PII_HASH_KEY; never logged. */
    readonly hashKey?: string;
  };
  readonly logLevel: string;
  readonly consolePayloadFile?: string;
  /** `console` runs text only: no STT, TTS or VAD. */
  readonly textOnly: boolean;
}

export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';
  constructor(
    readonly problems: readonly string[],
    readonly variables: readonly string[],
  ) {
    super(`invalid agent configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const DEFAULT_TTS_MODEL = { openai: 'gpt-4o-mini-tts', deepgram: 'aura-2-thalia-en' } as const;

/** Parses the agent's settings for `mode`; throws `AgentConfigError` listing every problem. */
export function loadAgentConfig(
  env: Readonly<Record<string, string | undefined>>,
  mode: AgentMode,
): AgentConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Env.safeParse(cleaned);
  const problems: string[] = [];
  const variables: string[] = [];
  const add = (name: string, message: string) => {
    problems.push(message);
    if (!variables.includes(name)) variables.push(name);
  };
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '(env)');
      // A secret is never echoed: its length says enough.
      const got = /KEY|SECRET|TOKEN|PASSWORD/.test(name)
        ? `${String(cleaned[name] ?? '').length} characters`
        : JSON.stringify(cleaned[name]);
      add(name, `${name} is invalid (got ${got}): ${issue.message}`);
    }
    throw new AgentConfigError(problems, variables);
  }
  const e = parsed.data;
  const need = (name: keyof typeof e, modes: readonly AgentMode[], what: string) => {
    if (modes.includes(mode) && e[name] === undefined)
      add(name, `${name} is required for \`${mode}\` (${what})`);
  };
  need('LIVEKIT_URL', ROOM_MODES, 'LiveKit server');
  need('LIVEKIT_API_KEY', ROOM_MODES, 'LiveKit server');
  need('LIVEKIT_API_SECRET', ROOM_MODES, 'LiveKit server');
  need('OPENAI_API_KEY', LLM_MODES, 'LLM');
  need('DEEPGRAM_API_KEY', e.CONSOLE_AUDIO ? [...VOICE_MODES, 'console'] : VOICE_MODES, 'STT');
  // TTS uses OPENAI_API_KEY or DEEPGRAM_API_KEY, both already required in every voice mode.
  if (e.CALENDAR_PROVIDER === 'calcom' && mode !== 'download-files') {
    if (e.CALCOM_API_KEY === undefined)
      add('CALCOM_API_KEY', `CALCOM_API_KEY is required when CALENDAR_PROVIDER=calcom (\`${mode}\`)`);
    if (e.CALCOM_EVENT_TYPE_ID === undefined) {
      add(
        'CALCOM_EVENT_TYPE_ID',
        `CALCOM_EVENT_TYPE_ID is required when CALENDAR_PROVIDER=calcom (\`${mode}\`)`,
      );
    }
  }
  const hours = parseHoursRange(e.MEETING_HOURS);
  if (!hours)
    add('MEETING_HOURS', `MEETING_HOURS must look like 9-17 (got ${JSON.stringify(e.MEETING_HOURS)})`);
  const days = parseDays(e.MEETING_DAYS);
  if (!days)
    add(
      'MEETING_DAYS',
      `MEETING_DAYS must look like 1-5 or 1,2,3 with 0 = Sunday (got ${JSON.stringify(e.MEETING_DAYS)})`,
    );
  if (problems.length > 0) throw new AgentConfigError(problems, variables);

  const calendar: AgentConfig['calendar'] =
    e.CALENDAR_PROVIDER === 'calcom' && e.CALCOM_API_KEY && e.CALCOM_EVENT_TYPE_ID
      ? {
          provider: 'calcom',
          apiKey: e.CALCOM_API_KEY,
          eventTypeId: e.CALCOM_EVENT_TYPE_ID,
          baseUrl: e.CALCOM_BASE_URL,
        }
      : { provider: 'local' };
  return Object.freeze({
    mode,
    livekit: {
      ...(e.LIVEKIT_URL ? { url: e.LIVEKIT_URL } : {}),
      ...(e.LIVEKIT_API_KEY ? { apiKey: e.LIVEKIT_API_KEY } : {}),
      ...(e.LIVEKIT_API_SECRET ? { apiSecret: e.LIVEKIT_API_SECRET } : {}),
      agentName: e.LIVEKIT_AGENT_NAME ?? '',
    },
    llm: {
      ...(e.OPENAI_API_KEY ? { apiKey: e.OPENAI_API_KEY } : {}),
      ...(e.OPENAI_BASE_URL ? { baseURL: e.OPENAI_BASE_URL } : {}),
      model: e.LLM_MODEL,
      ...(e.LLM_TEMPERATURE !== undefined ? { temperature: e.LLM_TEMPERATURE } : {}),
    },
    stt: {
      ...(e.DEEPGRAM_API_KEY ? { apiKey: e.DEEPGRAM_API_KEY } : {}),
      ...(e.DEEPGRAM_BASE_URL ? { baseUrl: e.DEEPGRAM_BASE_URL.replace(/\/+$/, '') } : {}),
      model: e.STT_MODEL,
      language: e.STT_LANGUAGE,
    },
    tts: {
      provider: e.TTS_PROVIDER,
      model: e.TTS_MODEL ?? DEFAULT_TTS_MODEL[e.TTS_PROVIDER],
      ...(e.TTS_BASE_URL ? { baseURL: e.TTS_BASE_URL } : {}),
      ...(e.TTS_VOICE ? { voice: e.TTS_VOICE } : e.TTS_PROVIDER === 'openai' ? { voice: 'alloy' } : {}),
    },
    turnDetection: e.TURN_DETECTION,
    calendar,
    workingHours: {
      days: days ?? [1, 2, 3, 4, 5],
      startHour: hours?.startHour ?? 9,
      endHour: hours?.endHour ?? 17,
    },
    meetingMinutes: e.MEETING_MINUTES,
    callbackCountryCode: e.CALLBACK_DEFAULT_COUNTRY_CODE,
    dataDir: e.AGENT_DATA_DIR,
    ...(e.KNOWLEDGE_DIR ? { knowledgeDir: e.KNOWLEDGE_DIR } : {}),
    analytics: {
      piiMode: e.ANALYTICS_PII_MODE,
      transcripts: e.ANALYTICS_TRANSCRIPTS,
      journalDir: e.ANALYTICS_JOURNAL_DIR,
      progressIntervalMs: e.ANALYTICS_PROGRESS_INTERVAL_MS,
      ...(e.PII_HASH_KEY ? { hashKey: e.PII_HASH_KEY } : {}),
    },
    logLevel: e.AGENT_LOG_LEVEL,
    ...(e.CONSOLE_PAYLOAD_FILE ? { consolePayloadFile: e.CONSOLE_PAYLOAD_FILE } : {}),
    textOnly: mode === 'console' && !e.CONSOLE_AUDIO,
  });
}

/** The run mode from `argv` (`tsx src/agent/main.ts <mode> …`); a forked job process has none. */
export function modeFromArgv(argv: readonly string[]): AgentMode | undefined {
  const m = argv[2];
  return (AGENT_MODES as readonly string[]).includes(m ?? '') && m !== 'job' ? (m as AgentMode) : undefined;
}
