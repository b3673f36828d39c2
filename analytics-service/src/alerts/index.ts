export {
  AlertConfig,
  AlertRule,
  defaultAlertConfig,
  errorThresholds,
  loadAlertConfig,
  parseAlertConfig,
} from './alert_config.js';
export { AlertEngine, type AlertEngineOptions, type EvaluationReport } from './alert_engine.js';
export { type Alert, AlertStore } from './alert_store.js';
export { DeadLetterLog } from './dead_letter_log.js';
export {
  type AlertNotifier,
  alertWebhookBody,
  slackBody,
  slackEscape,
  slackNotifier,
  webhookNotifier,
} from './notifiers.js';
export { evaluateRule, type Observation, type RuleContext, withinHours } from './rules.js';
