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

export type CostComponent = 'llm' | 'stt' | 'tts' | 'livekit';

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
  by_component: Record<CostComponent, number>;
  lines: CostLine[];
  /** Usage rows no price-book entry matched (`provider/model/kind`), so the total is a lower bound. */
  unpriced: string[];
}

export type LatencyComponent = 'eou' | 'stt' | 'llm' | 'tts' | 'e2e';

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
