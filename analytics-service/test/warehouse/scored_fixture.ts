/**
 * A minimal stand-in for `buildScoredSession`: a structurally valid ScoredSession from a payload,
 * so warehouse and pipeline tests do not depend on pricing and scoring.
 */
import type { SessionError, SessionPayload } from '../../../src/schema/index.js';
import { samplePayload } from '../../../src/schema/testing/index.js';
import type { ScoredSession } from '../../src/types.js';

export function scoredFromPayload(payload: SessionPayload, score = 72): ScoredSession {
  return {
    session_id: payload.session_id,
    payload,
    cost: {
      price_book_version: 'test-2026-11',
      total_usd: 0.05,
      by_component: { llm: 0.02, stt: 0.01, tts: 0.015, livekit: 0.005 },
      lines: [],
      unpriced: [],
    },
    analysis: {
      latency: [
        {
          component: 'llm',
          samples: 6,
          p50_ms: 470,
          p95_ms: 500,
          max_ms: 500,
          sla_p95_ms: 2000,
          breached: false,
        },
        {
          component: 'e2e',
          samples: 6,
          p50_ms: 980,
          p95_ms: 1020,
          max_ms: 1030,
          sla_p95_ms: null,
          breached: false,
        },
      ],
      sla_breaches: [],
      turn_count: payload.turns.length,
      interrupted_turns: 0,
      talk_ratio: 0.5,
      signal_coverage: { present: ['team_size'], missing: [], ratio: 1 },
      knowledge_questions: 1,
    },
    score: {
      model_version: 'test-v1',
      fit: 40,
      engagement: 32,
      score,
      fit_grade: 'A',
      engagement_level: 1,
      tier: 'A1',
      reasons: [
        { rule: 'fit.team_size.band_10_49', kind: 'fit', points: 10, detail: 'team of 12', evidence: [] },
      ],
    },
    processed_at: '2026-11-21T10:00:00.000Z',
  };
}

export function scoredSample(id: string, opts: { turns?: number; score?: number } = {}): ScoredSession {
  return scoredFromPayload(samplePayload({ session_id: id }, { turns: opts.turns ?? 6 }), opts.score);
}

/** A scored 10-turn session that ended at `endedAt` with `errors` unrecovered LLM errors (error-rate and alert tests). */
export function erroredSession(id: string, endedAt: number, errors: number): ScoredSession {
  const base = samplePayload({ session_id: id }, { turns: 10 });
  const errs: SessionError[] = Array.from({ length: errors }, () => ({
    at: new Date(endedAt).toISOString(),
    source: 'llm',
    message: 'upstream 503',
    recoverable: false,
    component: 'llm',
    type: 'APIStatusError',
    severity: 'error',
    recovered: false,
  }));
  const payload: SessionPayload = {
    ...base,
    started_at: new Date(endedAt - base.duration_ms).toISOString(),
    ended_at: new Date(endedAt).toISOString(),
    errors: errs,
  };
  return scoredFromPayload(payload);
}
