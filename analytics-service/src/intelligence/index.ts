export {
  type AnalysisCache,
  analysisOff,
  CallAnalyser,
  type CallAnalyserOptions,
  gateReason,
  verifyAnswer,
} from './analyse_call.js';
export {
  AnalysisConfig,
  analysisConfigVersion,
  defaultAnalysisConfig,
  loadAnalysisConfig,
  parseAnalysisConfig,
} from './analysis_config.js';
export { AnalysisEnv, type AnalysisEnvConfig, analysisConfigFromEnv } from './analysis_env.js';
export { findQuote, normaliseQuote } from './quotes.js';
export { answerValidator, responseSchema } from './response_schema.js';
export { warehouseAnalysisCache } from './warehouse_cache.js';
