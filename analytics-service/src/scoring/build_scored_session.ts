/** The single function the pipeline calls: price, analyse and score one validated payload. */
import type { SessionPayload } from '../../../src/schema/index.js';
import { analyseSession } from '../analysis/analyse_session.js';
import { analyseSentiment } from '../analysis/sentiment.js';
import type { Slas } from '../analysis/slas.js';
import type { PriceBook } from '../pricing/price_book.js';
import { priceSession } from '../pricing/price_session.js';
import type { ScoredSession } from '../types.js';
import { scoreLead } from './score_lead.js';
import type { ScoringConfig } from './scoring_config.js';

export interface ScoringDeps {
  priceBook: PriceBook;
  scoring: ScoringConfig;
  slas: Slas;
  /** Clock for `processed_at`; defaults to the system clock. */
  now?: () => Date;
}

export function buildScoredSession(payload: SessionPayload, deps: ScoringDeps): ScoredSession {
  const analysis = analyseSession(payload, deps.slas, {
    knowledgeToolNames: deps.scoring.engagement.knowledge_questions.tool_names,
  });
  return {
    session_id: payload.session_id,
    payload,
    cost: priceSession(payload, deps.priceBook),
    analysis,
    score: scoreLead(payload, analysis, deps.scoring),
    processed_at: (deps.now?.() ?? new Date()).toISOString(),
    sentiment: analyseSentiment(payload),
  };
}
