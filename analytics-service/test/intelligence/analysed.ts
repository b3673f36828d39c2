/** A scored session whose analysis ran for real against the local OpenAI-compatible server. */
import { startOpenAICompatibleServer } from '../../../src/testing/openai_compatible_server.js';
import { DEFAULT_SLAS } from '../../src/analysis/index.js';
import { CallAnalyser } from '../../src/intelligence/analyse_call.js';
import { defaultAnalysisConfig } from '../../src/intelligence/analysis_config.js';
import { defaultPriceBook } from '../../src/pricing/index.js';
import { buildScoredSession } from '../../src/scoring/build_scored_session.js';
import { defaultScoringConfig } from '../../src/scoring/scoring_config.js';
import type { ScoredSession } from '../../src/types.js';
import { answerText } from './answers.js';
import { callWithTranscript } from './fixtures.js';

export async function analysedSession(answer = answerText()): Promise<ScoredSession> {
  const server = await startOpenAICompatibleServer({
    reply: [{ content: answer, usage: { promptTokens: 1500, completionTokens: 400 } }],
  });
  try {
    const analyser = new CallAnalyser({
      env: {
        baseUrl: server.baseURL,
        model: 'gpt-4o-mini',
        apiKey: 'k',
        provider: 'openai',
        timeoutMs: 5000,
        maxAttempts: 1,
        configPath: undefined,
      },
      config: defaultAnalysisConfig(),
    });
    const payload = callWithTranscript();
    const intelligence = await analyser.analyse(payload);
    if (intelligence.status !== 'ok')
      throw new Error(`analysis ${intelligence.status}: ${intelligence.reason}`);
    return buildScoredSession(
      payload,
      { priceBook: defaultPriceBook(), scoring: defaultScoringConfig(), slas: DEFAULT_SLAS },
      intelligence,
    );
  } finally {
    await server.close();
  }
}
