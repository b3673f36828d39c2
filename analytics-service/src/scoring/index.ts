export { buildScoredSession, type ScoringDeps } from './build_scored_session.js';
export { scoringRulesTable } from './rules_table.js';
export { engagementLevel, fitGrade, mostDecisive, scoreLead, topReasons } from './score_lead.js';
export {
  checkScorecard,
  conditionText,
  ScorecardRule,
  scorecardReasons,
  scorecardTable,
} from './scorecard.js';
export {
  Band,
  defaultScoringConfig,
  loadScoringConfig,
  parseScoringConfig,
  ScoringConfig,
} from './scoring_config.js';
