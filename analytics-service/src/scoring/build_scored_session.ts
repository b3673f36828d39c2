/** The single function the pipeline calls: price, analyse and score one validated payload. */
import type { SessionPayload } from '../../../src/schema/index.js';
import { analyseSession } from '../analysis/analyse_session.js';
import { analyseSentiment } from '../analysis/sentiment.js';
import type { Slas } from '../analysis/slas.js';
import { analysisOff } from '../intelligence/off.js';
import { reconcileSignals } from '../intelligence/reconcile.js';
import type { PriceBook } from '../pricing/price_book.js';
import { addAnalysisCost, priceSession } from '../pricing/price_session.js';
import type { CallIntelligence, ScoredSession } from '../types.js';
import { scoreLead } from './score_lead.js';
import type { ScoringConfig } from './scoring_config.js';

export interface ScoringDeps {
  priceBook: PriceBook;
  scoring: ScoringConfig;
  slas: Slas;
  /** Clock for `processed_at`; defaults to the system clock. */
  now?: () => Date;
}

/**
 * `intelligence`: the post-call LLM analysis (`intelligence/`), when it ran; its tokens are priced
 * as `analysis` cost lines, its signals reconciled with the detector's under the scoring config's
 * `signal_policy`, and scorecard rules read its custom fields and the sentiment.
 */
export function buildScoredSession(
  payload: SessionPayload,
  deps: ScoringDeps,
  intelligence: CallIntelligence = analysisOff(),
): ScoredSession {
  const analysis = analyseSession(payload, deps.slas, {
    knowledgeToolNames: deps.scoring.engagement.knowledge_questions.tool_names,
  });
  const sentiment = analyseSentiment(payload);
  const reconciled = reconcileSignals(payload, intelligence, deps.scoring.signal_policy ?? 'detector_first');
  let cost = priceSession(payload, deps.priceBook);
  const u = intelligence.usage;
  if (u && u.input_tokens + u.output_tokens > 0) cost = addAnalysisCost(cost, u, deps.priceBook);
  const analysed = intelligence.status === 'ok';
  return {
    session_id: payload.session_id,
    payload,
    cost,
    analysis,
    score: scoreLead(
      analysed ? { ...payload, signals: reconciled.signals } : payload,
      analysis,
      deps.scoring,
      {
        sentiment,
        intelligence,
        ...(analysed ? { sources: reconciled.sources } : {}),
      },
    ),
    processed_at: (deps.now?.() ?? new Date()).toISOString(),
    sentiment,
    intelligence,
    signal_opinions: reconciled.opinions,
  };
}
