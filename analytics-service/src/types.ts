/**
 * The worker's glossary and contracts.
 * - scored session: a validated payload plus what the worker computed from it: its cost under a
 *                   price book, its analysis (latency against SLAs, talk ratio, signal coverage)
 *                   and the lead score with the reasons behind it.
 * - destination:    one place a scored session is delivered to (warehouse, HubSpot, Salesforce,
 *                   Amplitude, webhook). Every delivery is idempotent on `session_id`.
 * - parked:         a delivery that failed for good (or ran out of retries); kept with the
 *                   response body, listed and replayable by command.
 */
import type { Evidence, SessionPayload, SignalName } from '../../src/schema/index.js';

/** `analysis`: the worker's own post-call LLM analysis (`intelligence/`), priced like any LLM usage. */
export type CostComponent = 'llm' | 'stt' | 'tts' | 'livekit' | 'analysis';

export interface CostLine {
  component: CostComponent;
  provider: string;
  model: string;
  /** Price-book kind of the line (`llm_input`, `llm_cached_input`, `stt_audio`, …). Added by pricing. */
  kind?: string;
  /** Billing unit of the price book row, e.g. `1M_input_tokens`, `audio_minute`, `1M_characters`. */
  unit: string;
  quantity: number;
  unit_price_usd: number;
  cost_usd: number;
}

export interface CostBreakdown {
  price_book_version: string;
  total_usd: number;
  /** `analysis` only when the post-call analysis was priced. */
  by_component: Record<Exclude<CostComponent, 'analysis'>, number> & { analysis?: number };
  lines: CostLine[];
  /** Usage rows no price-book entry matched (`provider/model/kind`), so the total is a lower bound. */
  unpriced: string[];
}

export type LatencyComponent = 'eou' | 'stt' | 'llm' | 'tts' | 'e2e' | 'perceived';

export interface LatencyStats {
  component: LatencyComponent;
  samples: number;
  p50_ms: number | null;
  p95_ms: number | null;
  max_ms: number | null;
  /** The SLA on p95, when one is configured for this component. */
  sla_p95_ms: number | null;
  breached: boolean;
}

export interface SessionAnalysis {
  latency: LatencyStats[];
  /** Human-readable breach lines, e.g. `llm p95 2400 ms > SLA 2000 ms`. */
  sla_breaches: string[];
  turn_count: number;
  interrupted_turns: number;
  /** Agent speaking time / (agent + user speaking time); null when unknown. */
  talk_ratio: number | null;
  signal_coverage: { present: SignalName[]; missing: SignalName[]; ratio: number };
  knowledge_questions: number;
}

export type FitGrade = 'A' | 'B' | 'C';
export type EngagementLevel = 1 | 2 | 3;
export type Tier = `${FitGrade}${EngagementLevel}`;

export interface ScoreReason {
  /** Rule id from the scoring config, e.g. `fit.team_size.band_10_49`. */
  rule: string;
  kind: 'fit' | 'engagement';
  points: number;
  /** Plain-language reason, e.g. `team of 12 is in the 10–49 band`. */
  detail: string;
  /** Where a signal rule's value came from when post-call analysis is on (see `reconcile.ts`). */
  source?: 'detector' | 'llm' | 'both';
  /** The signal evidence the rule used (empty for rules on tool calls or turns). */
  evidence: Evidence[];
}

export interface LeadScore {
  model_version: string;
  fit: number;
  engagement: number;
  /** Combined, 0–100. */
  score: number;
  fit_grade: FitGrade;
  engagement_level: EngagementLevel;
  tier: Tier;
  reasons: ScoreReason[];
}

export interface ScoredSession {
  session_id: string;
  payload: SessionPayload;
  cost: CostBreakdown;
  analysis: SessionAnalysis;
  score: LeadScore;
  processed_at: string;
  /** Prospect sentiment (`analysis/sentiment.ts`); null without prospect text. */
  sentiment?: CallSentiment | null;
  /** Post-call LLM analysis (`intelligence/`); status `off` when no analysis model is configured. */
  intelligence?: CallIntelligence;
  /** Detector and LLM values side by side, per signal either one stated. */
  signal_opinions?: SignalOpinion[];
}

/** VADER scores of one prospect message. */
export interface MessageSentiment {
  /** Index of the prospect message in the call (the index signal evidence uses). */
  message_index: number;
  /** Position in `payload.turns` of the turn that answered it, when one did. */
  turn_index: number | null;
  /** −1 … +1. */
  compound: number;
  positive: number;
  negative: number;
  neutral: number;
}

export interface CallSentiment {
  method: string;
  messages: MessageSentiment[];
  /** Mean compound of the first third of the prospect's messages. */
  start: number;
  /** Mean compound of the last third. */
  end: number;
  lowest: number;
  mean: number;
  /** end − start. */
  trend: number;
  trend_label: 'improving' | 'steady' | 'declining';
}

/**
 * - ok: the model answered and the answer was checked (values whose quote is not in a prospect
 *   message are discarded and listed);
 * - off: no analysis model configured; skipped: gated out (`reason` says why);
 * - the rest: the last attempt failed that way; every field is null.
 */
export const INTELLIGENCE_STATUSES = [
  'ok',
  'off',
  'skipped',
  'timeout',
  'invalid_json',
  'schema_violation',
  'refusal',
  'http_error',
] as const;
export type IntelligenceStatus = (typeof INTELLIGENCE_STATUSES)[number];

/** A value the LLM extracted, with the prospect's words it cited (each found verbatim). */
export interface CitedValue<T = unknown> {
  value: T;
  quotes: string[];
  /** The prospect message each quote was found in. */
  message_indexes: number[];
  /** `[start, end)` of each quote inside its message. */
  spans: [number, number][];
  /** The value is free text (a string field without an enum): destinations drop it unless PII is `full`. */
  free_text?: boolean;
}

export interface ObjectiveResult {
  id: string;
  description: string;
  /** null when the model said met but its quote was not found (discarded). */
  met: boolean | null;
  quotes: string[];
}

export interface DiscardedValue {
  /** `custom_fields.<name>`, `signals.<name>` or `success.<objective id>`. */
  field: string;
  /** The quote that is not in any prospect message. */
  quote: string;
}

export interface CallIntelligence {
  status: IntelligenceStatus;
  /** Why it was skipped or failed; null when ok or off. */
  reason: string | null;
  /** Hash of the analysis config (model, prompt, fields, objectives): the cache key with the session. */
  config_version: string | null;
  model: string | null;
  attempts: number;
  summary: string | null;
  custom_fields: Record<string, CitedValue | null>;
  /** `achieved` when every objective is met (with a verified quote). */
  success: { achieved: boolean; objectives: ObjectiveResult[] } | null;
  /** The five signals as the LLM reads them (a second opinion to the detector). */
  signals: Partial<Record<SignalName, CitedValue>>;
  discarded: DiscardedValue[];
  usage: { provider: string; model: string; input_tokens: number; output_tokens: number } | null;
  analysed_at: string | null;
}

/** One signal as the detector and the LLM each read it; `used` is what scoring took (policy). */
export interface SignalOpinion {
  name: SignalName;
  detector: { value: unknown; evidence: Evidence[] } | null;
  llm: CitedValue | null;
  agree: boolean;
  /** `both`: the two agree and the policy needed both (agree_only). */
  used: 'detector' | 'llm' | 'both' | null;
}

export type DeliveryResult =
  | { status: 'ok' }
  | {
      status: 'retryable';
      error: string;
      /** Wait at least this long before the next attempt (Retry-After, or a vendor's documented pause). */
      retryInMs?: number;
      /**
       * The vendor throttled this request (rate limit): the retry waits `retryInMs` and does not use
       * up an attempt; only the delivery deadline bounds it.
       */
      throttled?: boolean;
      /** The vendor's full error body, kept in the parked entry if retries run out. */
      responseBody?: string;
    }
  | { status: 'failed'; error: string; responseBody?: string };

export interface Destination {
  readonly name: string;
  deliver(session: ScoredSession, opts: { signal: AbortSignal }): Promise<DeliveryResult>;
  close?(): Promise<void>;
}
