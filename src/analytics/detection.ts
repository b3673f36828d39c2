/**
 * The detector's result shape, as the plugin consumes it. It mirrors `Detection` in
 * `./signals/index.ts` (owned by the detector); the plugin only reads these fields, so the
 * detector can add more without breaking us.
 */
import type { IndustryId, IntegrationId, Urgency } from '../schema/session_payload.js';

export interface DetectionHit<T> {
  value: T;
  span: [number, number];
  rule: string;
}

export interface DetectionResult {
  team_size?: DetectionHit<number>;
  monthly_volume?: DetectionHit<number>;
  urgency?: DetectionHit<Urgency>;
  industry?: DetectionHit<IndustryId>;
  integration_needs?: DetectionHit<IntegrationId>[];
  integrations_negated?: DetectionHit<IntegrationId>[];
}

export type DetectFn = (text: string) => DetectionResult;
