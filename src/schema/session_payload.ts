/**
 * The session payload, version 1: the one message an agent sends per call, and the only
 * thing the analytics worker reads. Validated with zod at the publisher and at the consumer.
 *
 * Glossary
 * - session:  one call between a prospect and the agent, from `AgentSession.start` to its close.
 *             Identified by `session_id`, which is the idempotency key of every side effect.
 * - turn:     one agent response cycle: the user's end of utterance, the LLM generation and the TTS
 *             of the reply. Its `turn_id` is the agents-js `speechId` that every metric of the turn
 *             carries, so EOU, STT, LLM and TTS rows of one turn join on it.
 * - signal:   a qualification fact the prospect stated (team size, monthly document volume,
 *             integration needs, urgency, industry), with the canonical values of
 *             `shared/spec/signals.md`. A signal the prospect never stated is absent.
 * - evidence: where a signal value came from: the index of the user message in the call, the
 *             character span inside that message, and the id of the detector rule that matched.
 * - confidence: how sure the detector is of a signal's current value, 0–1 (an explicit statement
 *             is high; a value read from the agent's question, a sum, or one that beat another
 *             value is lower). `alternatives` are the values it beat in the same message, with why.
 * - stage:    how far the sales conversation got: greeting → discovery → qualification →
 *             solution → booking → closing. `stage.reached` is the furthest; `completed` lists
 *             every stage whose exit condition was met.
 * - outcome:  how the call ended for sales: a meeting booked, a callback requested, not
 *             interested, completed without a next step, disconnected early, or an error.
 *
 * Units are in field names (`_ms`, `_s`, `_usd`). Times are ISO-8601 strings in UTC.
 */
import { z } from 'zod';
import { compileExactCheck } from './exact_check.js';
import { isStorableText, storableTextProblem } from './storable_text.js';
import { keepUnknownKeys } from './unknown_keys.js';

export const SCHEMA_VERSION = 1 as const;

export const STAGES = ['greeting', 'discovery', 'qualification', 'solution', 'booking', 'closing'] as const;
export const Stage = z.enum(STAGES);
export type Stage = z.infer<typeof Stage>;

export const OUTCOMES = [
  'meeting_booked',
  'callback_requested',
  'not_interested',
  'completed',
  'disconnected',
  'error',
] as const;
export const Outcome = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof Outcome>;

export const END_REASONS = [
  'user_initiated',
  'participant_disconnected',
  'job_shutdown',
  'agent_ended',
  'error',
  'recovered',
  'unknown',
] as const;
export const EndReason = z.enum(END_REASONS);
export type EndReason = z.infer<typeof EndReason>;

export const INTEGRATION_IDS = [
  'salesforce',
  'hubspot',
  'pipedrive',
  'zoho',
  'dynamics',
  'slack',
  'teams',
  'google_drive',
  'sharepoint',
  'dropbox',
  'box',
  'docusign',
  'zapier',
  'quickbooks',
  'xero',
  'netsuite',
  'clio',
  'api',
] as const;
export const IntegrationId = z.enum(INTEGRATION_IDS);
export type IntegrationId = z.infer<typeof IntegrationId>;

export const INDUSTRY_IDS = [
  'legal',
  'healthcare',
  'finance',
  'insurance',
  'real_estate',
  'education',
  'technology',
  'manufacturing',
  'retail',
  'government',
  'nonprofit',
  'construction',
  'logistics',
  'staffing',
] as const;
export const IndustryId = z.enum(INDUSTRY_IDS);
export type IndustryId = z.infer<typeof IndustryId>;

export const URGENCY_LEVELS = ['high', 'medium', 'low'] as const;
export const Urgency = z.enum(URGENCY_LEVELS);
export type Urgency = z.infer<typeof Urgency>;

const IsoTime = z.iso.datetime({ offset: true });
const NonNegMs = z.number().nonnegative();

export const Evidence = z.object({
  /** Index of the user message in the call (0 = the prospect's first message). */
  turn_index: z.number().int().nonnegative(),
  /** Character span `[start, end)` of the matched text inside that message. */
  span: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  /** Id of the detector rule that matched, e.g. `team_size.people`. */
  rule: z.string().min(1),
  /** The matched text; present only when the transcript policy keeps text. */
  excerpt: z.string().optional(),
});
export type Evidence = z.infer<typeof Evidence>;

/** Most alternatives a signal carries: enough to explain a value, bounded for long calls. */
export const MAX_SIGNAL_ALTERNATIVES = 8;

/** A value the prospect also stated that the detector did not take, and why ("past size"). */
const alternativeOf = <T extends z.ZodType>(value: T) =>
  z.object({
    value,
    /** Why it lost, e.g. `past size`, `planned size`, `another organisation`, `not about buying`. */
    reason: z.string().min(1),
    turn_index: z.number().int().nonnegative(),
    span: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  });

const signalOf = <T extends z.ZodType, A extends z.ZodType = T>(value: T, alternative?: A) =>
  z.object({
    value,
    /** The statement(s) behind the current value; for a list, one per item, in order stated. */
    evidence: z.array(Evidence).min(1),
    /** Earlier values that a later statement replaced, oldest first. */
    history: z.array(z.object({ value, evidence: Evidence })).optional(),
    /** How sure the detector is of the current value, 0–1; absent from detectors that do not say. */
    confidence: z.number().min(0).max(1).optional(),
    /** Candidates the current value beat in the statements behind it, with why. */
    alternatives: z
      .array(alternativeOf(alternative ?? value))
      .max(MAX_SIGNAL_ALTERNATIVES)
      .optional(),
  });

export const Signals = z
  .object({
    team_size: signalOf(z.number().int().positive()),
    monthly_volume: signalOf(z.number().int().positive()),
    // An alternative of a list is one tool that was mentioned but is not a need.
    integration_needs: signalOf(z.array(IntegrationId).min(1), IntegrationId),
    urgency: signalOf(Urgency),
    industry: signalOf(IndustryId),
  })
  .partial()
  .strict();
export type Signals = z.infer<typeof Signals>;
export type SignalName = keyof Signals;
export const SIGNAL_NAMES = [
  'team_size',
  'monthly_volume',
  'integration_needs',
  'urgency',
  'industry',
] as const;

export const ToolCall = z.object({
  call_id: z.string(),
  name: z.string().min(1),
  /** Arguments as the model sent them, contact fields under the payload's PII policy. */
  arguments: z.record(z.string(), z.unknown()),
  status: z.enum(['ok', 'error']),
  error: z.string().optional(),
  /** First characters of the tool's output, for humans. */
  output_summary: z.string().max(500),
  started_at: IsoTime.nullable(),
  duration_ms: NonNegMs.nullable(),
  /** The turn during which the tool ran, when known. */
  turn_id: z.string().nullable(),
});
export type ToolCall = z.infer<typeof ToolCall>;

export const Turn = z.object({
  /** agents-js `speechId`; stable across the EOU, LLM and TTS metrics of the turn. */
  turn_id: z.string().min(1),
  index: z.number().int().nonnegative(),
  started_at: IsoTime.nullable(),
  eou_delay_ms: NonNegMs.nullable(),
  transcription_delay_ms: NonNegMs.nullable(),
  on_user_turn_completed_delay_ms: NonNegMs.nullable(),
  llm_ttft_ms: z.number().nullable(),
  llm_duration_ms: NonNegMs.nullable(),
  llm_prompt_tokens: z.number().int().nonnegative().nullable(),
  llm_prompt_cached_tokens: z.number().int().nonnegative().nullable(),
  llm_completion_tokens: z.number().int().nonnegative().nullable(),
  tts_ttfb_ms: z.number().nullable(),
  tts_duration_ms: NonNegMs.nullable(),
  tts_audio_duration_ms: NonNegMs.nullable(),
  tts_characters: z.number().int().nonnegative().nullable(),
  /** EOU delay + LLM TTFT + TTS TTFB; null unless all three are known. */
  e2e_latency_ms: NonNegMs.nullable(),
  /** The user interrupted the agent during this turn. */
  interrupted: z.boolean(),
  /**
   * The silence the user heard, from the session's own events: end of the user's speech to the
   * agent's first audio frame handed to playout (agents-js's `e2eLatency` on the reply). Unlike
   * `e2e_latency_ms` (a sum of component delays) it includes what happens between them.
   */
  perceived_latency_ms: NonNegMs.nullable().optional(),
  /** STT audio of the user speech this turn answers, joined by time (streaming STT metrics carry no turn id). */
  stt_audio_duration_ms: NonNegMs.nullable().optional(),
  /** How long the user spoke before this turn, and how long the agent's reply played. */
  user_speech_ms: NonNegMs.nullable().optional(),
  agent_speech_ms: NonNegMs.nullable().optional(),
  /** Transcript text of the turn; only when the transcript policy keeps text. */
  user_text: z.string().optional(),
  agent_text: z.string().optional(),
});
export type Turn = z.infer<typeof Turn>;

/** A metrics event that carried no turn id (STT, VAD, …): kept as it came, not dropped. */
export const UnattributedMetric = z.object({
  type: z.string().min(1),
  at: IsoTime.nullable(),
  values: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
});
export type UnattributedMetric = z.infer<typeof UnattributedMetric>;

const Count = z.number().nonnegative();
export const ModelUsage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('llm_usage'),
    provider: z.string(),
    model: z.string(),
    input_tokens: Count,
    input_cached_tokens: Count,
    input_audio_tokens: Count,
    input_text_tokens: Count,
    output_tokens: Count,
    output_audio_tokens: Count,
    output_text_tokens: Count,
    session_duration_ms: Count,
  }),
  z.object({
    type: z.literal('stt_usage'),
    provider: z.string(),
    model: z.string(),
    input_tokens: Count,
    output_tokens: Count,
    audio_duration_ms: Count,
  }),
  z.object({
    type: z.literal('tts_usage'),
    provider: z.string(),
    model: z.string(),
    input_tokens: Count,
    output_tokens: Count,
    characters_count: Count,
    audio_duration_ms: Count,
  }),
  z.object({
    type: z.enum(['interruption_usage', 'eot_usage']),
    provider: z.string(),
    model: z.string(),
    total_requests: Count,
  }),
]);
export type ModelUsage = z.infer<typeof ModelUsage>;

export const Usage = z.object({
  /** From `metrics.ModelUsageCollector`: one row per provider and model. */
  by_model: z.array(ModelUsage),
  /** The totals users know from the deprecated `metrics.UsageCollector`, computed from `by_model`. */
  summary: z.object({
    llm_prompt_tokens: Count,
    llm_prompt_cached_tokens: Count,
    llm_completion_tokens: Count,
    stt_audio_duration_s: Count,
    tts_characters_count: Count,
    tts_audio_duration_s: Count,
  }),
});
export type Usage = z.infer<typeof Usage>;

export const PiiMode = z.enum(['full', 'hashed', 'none']);
export type PiiMode = z.infer<typeof PiiMode>;

/** Contact fields as the prospect gave them to tools. Under `hashed`, each is `sha256:<hex>`. */
export const Lead = z.object({
  pii_mode: PiiMode,
  name: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  company: z.string().optional(),
});
export type Lead = z.infer<typeof Lead>;

/** Where an error came from; `vad` also covers agents-js's interruption detection, which falls back to VAD. */
export const ERROR_COMPONENTS = [
  'stt',
  'llm',
  'tts',
  'vad',
  'tool',
  'realtime',
  'analytics',
  'other',
] as const;
export const ErrorComponent = z.enum(ERROR_COMPONENTS);
export type ErrorComponent = z.infer<typeof ErrorComponent>;

export const SessionError = z.object({
  at: IsoTime,
  /** Where it came from: `llm`, `stt`, `tts`, `realtime`, `tool:<name>`, `analytics`, … */
  source: z.string(),
  message: z.string(),
  recoverable: z.boolean(),
  /** The pipeline component it belongs to (see `ERROR_COMPONENTS`); absent in older payloads. */
  component: ErrorComponent.optional(),
  /** The error's kind: the agents-js error class (`APIStatusError`, `APITimeoutError`, …) or `tool_error`. */
  type: z.string().max(100).optional(),
  /**
   * `warning`: agents-js retries it (`recoverable`); `error`: not retried; `critical`: it closed
   * the session.
   */
  severity: z.enum(['warning', 'error', 'critical']).optional(),
  /** The same component succeeded later in the call (a metrics event of it, or an ok call of the tool). */
  recovered: z.boolean().optional(),
  /** The turn during which it happened, when known. */
  turn_id: z.string().nullable().optional(),
  /** 1 for the first error of this component in this turn, 2 for the next (a retry that failed again), … */
  attempt: z.number().int().positive().optional(),
  /** HTTP status of a provider's answer, when the error carries one. */
  status_code: z.number().int().optional(),
});
export type SessionError = z.infer<typeof SessionError>;

export const TranscriptLine = z.object({
  role: z.enum(['user', 'assistant']),
  text: z.string(),
  at: IsoTime.nullable(),
});

export const VoiceSummary = z.object({
  user_talk_ms: NonNegMs,
  agent_talk_ms: NonNegMs,
  /** Agent talk time / (agent + user); null when nobody spoke. */
  talk_ratio: z.number().min(0).max(1).nullable(),
  perceived_latency_p50_ms: NonNegMs.nullable(),
  perceived_latency_p95_ms: NonNegMs.nullable(),
  /** STT metrics joined to a user turn by time, and those that overlapped no user speech. */
  stt_metrics_attributed: z.number().int().nonnegative(),
  stt_metrics_unattributed: z.number().int().nonnegative(),
  stt_audio_unattributed_ms: NonNegMs,
});
export type VoiceSummary = z.infer<typeof VoiceSummary>;

/** As declared; `SessionPayloadV1` below is what every reader uses (unknown keys kept). */
const DeclaredPayloadV1 = z.object({
  schema_version: z.literal(SCHEMA_VERSION),
  session_id: z.string().min(1).max(200),
  agent: z.object({
    name: z.string().min(1),
    version: z.string(),
    prompt_version: z.string(),
  }),
  room: z.object({ name: z.string().nullable(), sid: z.string().nullable() }),
  participant: z.object({ identity: z.string().nullable(), kind: z.string().nullable() }),
  started_at: IsoTime,
  ended_at: IsoTime,
  duration_ms: NonNegMs,
  end_reason: EndReason,
  signals: Signals,
  tool_calls: z.array(ToolCall),
  turns: z.array(Turn),
  unattributed_metrics: z.array(UnattributedMetric),
  stage: z.object({ reached: Stage, completed: z.array(Stage) }),
  outcome: Outcome,
  lead: Lead,
  usage: Usage,
  errors: z.array(SessionError),
  /** Only when the transcript policy keeps text (off by default). */
  transcript: z.array(TranscriptLine).optional(),
  /** Counters of the plugin's own health: events it failed to handle never break the call. */
  analytics: z.object({
    handler_errors: z.number().int().nonnegative(),
    events_seen: z.number().int().nonnegative(),
  }),
  /** Set by the queue layer when bulky optional fields had to be dropped to fit a driver's limit. */
  truncated: z.object({ dropped: z.array(z.string()).min(1) }).optional(),
  /** Free-form string labels from the agent (campaign, region, …). */
  labels: z.record(z.string(), z.string()).optional(),
  /** Voice calls only (a call with audio): talk time, perceived latency and how STT was joined to turns. */
  voice: VoiceSummary.optional(),
});
/**
 * Payload v1 as every reader validates it: unknown keys are accepted and kept, at every level
 * (`unknown_keys.ts` says why). The TypeScript type names only the known fields.
 */
export const SessionPayloadV1 = keepUnknownKeys(DeclaredPayloadV1);
export type SessionPayload = z.infer<typeof SessionPayloadV1>;

/** `true` only when zod would accept the value and return it unchanged (see `exact_check.ts`). */
const isExactV1 = compileExactCheck(SessionPayloadV1);

/** The schema versions this code can read. */
export const KNOWN_SCHEMA_VERSIONS: readonly number[] = [SCHEMA_VERSION];

/**
 * Limits every reader applies before validating: a body longer than `MAX_PAYLOAD_CHARS` (JSON
 * text) or nested deeper than `MAX_PAYLOAD_DEPTH` (objects and arrays, the root being depth 1) is
 * refused with reason `too_large` / `too_deep`; a string or key with a NUL or a lone surrogate
 * (which no warehouse stores as sent) as `schema_mismatch`. The schema's own nesting is 6 deep; the rest of
 * the room is for tool-call arguments and keys added by newer agents.
 */
export const MAX_PAYLOAD_CHARS = 32 * 1024 * 1024;
export const MAX_PAYLOAD_DEPTH = 64;

export type ParseFailureReason =
  | 'invalid_json'
  | 'too_large'
  | 'too_deep'
  | 'unknown_schema_version'
  | 'schema_mismatch';

export type ParseResult =
  | { ok: true; payload: SessionPayload }
  | { ok: false; reason: ParseFailureReason; error: string };

type ShapeProblem = 'too_deep' | 'proto_key' | 'bad_text';

/**
 * What no reader can keep as it came: nesting deeper than `limit` (the root is depth 1), a key
 * named `__proto__` (JSON.parse makes it an own key, but any copy turns it into the prototype and
 * loses it), or a string or key that is not storable text (`storable_text.ts`). Iterative, so no
 * nesting overflows the stack.
 */
function shapeProblem(value: unknown, limit: number): ShapeProblem | null {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop();
    const depth = depths.pop() as number;
    if (typeof v === 'string') {
      if (!isStorableText(v)) return 'bad_text';
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return 'too_deep';
    if (Array.isArray(v)) {
      for (const x of v) {
        if ((typeof x === 'object' && x !== null) || typeof x === 'string') {
          values.push(x);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const k in v) {
        if (k === '__proto__') return 'proto_key';
        if (!isStorableText(k)) return 'bad_text';
        const x = (v as Record<string, unknown>)[k];
        if (((typeof x === 'object' && x !== null) || typeof x === 'string') && Object.hasOwn(v, k)) {
          values.push(x);
          depths.push(depth + 1);
        }
      }
    }
  }
  return null;
}

/** Where the first string or key that is not storable text sits, and why (for the error text). */
function badTextAt(v: unknown, path: string, depth = 0): string | null {
  if (typeof v === 'string') {
    const why = storableTextProblem(v);
    return why && `${path || '(root)'} ${why}`;
  }
  if (typeof v !== 'object' || v === null || depth > MAX_PAYLOAD_DEPTH) return null;
  for (const [k, x] of Object.entries(v)) {
    const at = Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    const why = storableTextProblem(k);
    if (why && !Array.isArray(v)) return `key ${JSON.stringify(at.slice(0, 100))} ${why}`;
    const found = badTextAt(x, at, depth + 1);
    if (found) return found;
  }
  return null;
}

/** A short, safe description of a value for an error text (never recurses into it). */
function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v;
}

/**
 * The limits that hold beyond the schema (nesting depth, `__proto__` keys, storable text), as a
 * parse failure; null when the value is within them. The publisher applies them too, so it never
 * sends what the worker would refuse or a copy would lose.
 */
export function payloadShapeError(
  data: unknown,
): { reason: 'too_deep' | 'schema_mismatch'; error: string } | null {
  const problem = shapeProblem(data, MAX_PAYLOAD_DEPTH);
  switch (problem) {
    case null:
      return null;
    case 'too_deep':
      return {
        reason: 'too_deep',
        error: `payload nests objects/arrays more than ${MAX_PAYLOAD_DEPTH} levels deep`,
      };
    case 'bad_text':
      return {
        reason: 'schema_mismatch',
        error: `payload does not match schema v1: ${(badTextAt(data, '') ?? 'a string').slice(0, 300)}`,
      };
    case 'proto_key':
      return {
        reason: 'schema_mismatch',
        error: 'payload does not match schema v1: a key named "__proto__" cannot be kept',
      };
    default: {
      const never: never = problem;
      throw new Error(`unknown problem ${String(never)}`);
    }
  }
}

/**
 * Parses a raw message body into a payload, or says exactly why it cannot. Never throws: sizes
 * and nesting are bounded first, and error texts never format the offending value whole.
 */
export function parseSessionPayload(raw: string | unknown): ParseResult {
  try {
    return parseUnsafe(raw);
  } catch (err) {
    // Nothing above is expected to throw; a value that makes it (a hostile getter, a Proxy) is
    // still an answer, not a crash.
    const text = err instanceof Error ? `${err.name}: ${err.message}` : 'unknown error';
    return {
      ok: false,
      reason: 'schema_mismatch',
      error: `payload cannot be validated: ${text.slice(0, 200)}`,
    };
  }
}

function parseUnsafe(raw: string | unknown): ParseResult {
  let data: unknown = raw;
  if (typeof raw === 'string') {
    if (raw.length > MAX_PAYLOAD_CHARS) {
      return {
        ok: false,
        reason: 'too_large',
        error: `payload is ${raw.length} characters of JSON, more than the limit of ${MAX_PAYLOAD_CHARS}`,
      };
    }
    try {
      data = JSON.parse(raw);
    } catch (err) {
      return {
        ok: false,
        reason: 'invalid_json',
        error: `invalid JSON: ${(err as Error).message.slice(0, 200)}`,
      };
    }
  }
  const shape = payloadShapeError(data);
  if (shape) return { ok: false, ...shape };
  const version = (data as { schema_version?: unknown } | null)?.schema_version;
  if (typeof version !== 'number' || !KNOWN_SCHEMA_VERSIONS.includes(version)) {
    return {
      ok: false,
      reason: 'unknown_schema_version',
      error: `unknown schema_version ${describe(version)} (this build reads ${KNOWN_SCHEMA_VERSIONS.join(', ')})`,
    };
  }
  // Fresh from JSON.parse, the value is ours: when it is exactly the schema's shape, zod's copy
  // would equal it, so it is used as it is (`exact_check.ts`). Anything else goes to zod.
  if (typeof raw === 'string' && isExactV1(data)) return { ok: true, payload: data as SessionPayload };
  const parsed = SessionPayloadV1.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.').slice(0, 200) || '(root)'}: ${i.message.slice(0, 300)}`)
      .join('; ');
    return { ok: false, reason: 'schema_mismatch', error: `payload does not match schema v1: ${first}` };
  }
  return { ok: true, payload: parsed.data };
}
