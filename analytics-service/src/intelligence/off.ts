/** Intelligence results that involve no model (kept apart so scoring does not load the OpenAI SDK). */
import type { CallIntelligence, IntelligenceStatus } from '../types.js';

export function blankIntelligence(status: IntelligenceStatus, reason: string | null): CallIntelligence {
  return {
    status,
    reason,
    config_version: null,
    model: null,
    attempts: 0,
    summary: null,
    custom_fields: {},
    success: null,
    signals: {},
    discarded: [],
    usage: null,
    analysed_at: null,
  };
}

/** The result when no analysis model is configured. */
export const analysisOff = (): CallIntelligence => blankIntelligence('off', null);
