export {
  type AnalysisOptions,
  analyseSession,
  DEFAULT_KNOWLEDGE_TOOL_NAMES,
  talkTimes,
} from './analyse_session.js';
export { percentile } from './percentiles.js';
export { keepsTranscript, type ProspectMessage, prospectMessages } from './prospect_messages.js';
export { analyseSentiment, SENTIMENT_METHOD, scoreText, TREND_THRESHOLD, trendLabel } from './sentiment.js';
export { DEFAULT_SLAS, SlaEnv, type Slas, slasFromEnv } from './slas.js';
