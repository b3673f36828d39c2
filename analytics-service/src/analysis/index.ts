export {
  type AnalysisOptions,
  analyseSession,
  DEFAULT_KNOWLEDGE_TOOL_NAMES,
  talkTimes,
} from './analyse_session.js';
export { percentile } from './percentiles.js';
export { DEFAULT_SLAS, SlaEnv, type Slas, slasFromEnv } from './slas.js';
