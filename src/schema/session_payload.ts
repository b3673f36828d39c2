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

const signalOf = <T extends z.ZodType>(value: T) =>
  z.object({
    value,
    /** The statement(s) behind the current value; for a list, one per item, in order stated. */
    evidence: z.array(Evidence).min(1),
    /** Earlier values that a later statement replaced, oldest first. */
    history: z.array(z.object({ value, evidence: Evidence })).optional(),
  });

export const Signals = z
  .object({
    team_size: signalOf(z.number().int().positive()),
    monthly_volume: signalOf(z.number().int().positive()),
    integration_needs: signalOf(z.array(IntegrationId).min(1)),
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

export const SessionError = z.object({
  at: IsoTime,
  /** Where it came from: `llm`, `stt`, `tts`, `realtime`, `tool:<name>`, `analytics`, … */
  source: z.string(),
  message: z.string(),
  recoverable: z.boolean(),
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

export const SessionPayloadV1 = z.object({
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
export type SessionPayload = z.infer<typeof SessionPayloadV1>;

/** `true` only when zod would accept the value and return it unchanged (see `exact_check.ts`). */
const isExactV1 = compileExactCheck(SessionPayloadV1);

/** The schema versions this code can read. */
export const KNOWN_SCHEMA_VERSIONS: readonly number[] = [SCHEMA_VERSION];

export type ParseResult =
  | { ok: true; payload: SessionPayload }
  | { ok: false; reason: 'invalid_json' | 'unknown_schema_version' | 'schema_mismatch'; error: string };

/** Parses a raw message body into a payload, or says exactly why it cannot. Never throws. */
export function parseSessionPayload(raw: string | unknown): ParseResult {
  let data: unknown = raw;
  if (typeof raw === 'string') {
    try {
      data = JSON.parse(raw);
    } catch (err) {
      return { ok: false, reason: 'invalid_json', error: `invalid JSON: ${(err as Error).message}` };
    }
  }
  const version = (data as { schema_version?: unknown } | null)?.schema_version;
  if (typeof version !== 'number' || !KNOWN_SCHEMA_VERSIONS.includes(version)) {
    return {
      ok: false,
      reason: 'unknown_schema_version',
      error: `unknown schema_version ${JSON.stringify(version)} (this build reads ${KNOWN_SCHEMA_VERSIONS.join(', ')})`,
    };
  }
  // Fresh from JSON.parse, the value is ours: when it is exactly the schema's shape, zod's copy
  // would equal it, so it is used as it is (`exact_check.ts`). Anything else goes to zod.
  if (typeof raw === 'string' && isExactV1(data)) return { ok: true, payload: data as SessionPayload };
  const parsed = SessionPayloadV1.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    return { ok: false, reason: 'schema_mismatch', error: `payload does not match schema v1: ${first}` };
  }
  return { ok: true, payload: parsed.data };
}
