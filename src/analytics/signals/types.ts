import type { IndustryId, IntegrationId, Urgency } from '../../schema/session_payload.js';

/** A value the message also stated for a signal, and why the detector did not take it. */
export interface Alternative<T> {
  value: T;
  /** `[start, end)` character offsets in the message. */
  span: [number, number];
  /** Why it lost, e.g. "past size", "planned size", "another organisation", "about a meeting". */
  reason: string;
}

/** One detected value with where it came from. */
export interface Hit<T> {
  value: T;
  /** `[start, end)` character offsets in the message. */
  span: [number, number];
  /** Stable id of the rule that matched, e.g. `team_size.people`, `integration.salesforce`. */
  rule: string;
  /** How sure the rule is, 0–1: an explicit statement is high, a value read from context or a sum lower. */
  confidence?: number;
  /** Candidates this value beat, with why; absent when there were none. */
  alternatives?: Alternative<T>[];
}

/** What one user message states; a signal the message does not state is absent. */
export interface Detection {
  team_size?: Hit<number>;
  monthly_volume?: Hit<number>;
  urgency?: Hit<Urgency>;
  industry?: Hit<IndustryId>;
  /** One per distinct id, in order of first mention; ids whose last mention is negated are not here. */
  integration_needs?: Hit<IntegrationId>[];
  /** Ids whose last mention is negated ("we don't use Salesforce"), so a caller can drop an earlier need. */
  integrations_negated?: Hit<IntegrationId>[];
  /** Tools mentioned that are not needs, with why ("another organisation", "the prospect's own product"). */
  integrations_skipped?: Alternative<IntegrationId>[];
}

/** The spec's output object: canonical values only, absent keys omitted, `integration_needs` sorted. */
export interface SpecSignals {
  team_size?: number;
  monthly_volume?: number;
  integration_needs?: IntegrationId[];
  urgency?: Urgency;
  industry?: IndustryId;
}

/** One turn of the conversation before a message, oldest first (spec: "Context"). */
export interface Turn {
  role: 'agent' | 'user';
  text: string;
}
