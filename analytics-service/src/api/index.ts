export { type Aggregate, type AggregatesResult, aggregates, type SlaTable } from './aggregate_queries.js';
export { AUTH_COOKIE, checkAuth, safeEqual } from './auth.js';
export { csvField, csvRow } from './csv.js';
export { exportCsv } from './export_csv.js';
export { applyRetention, type RetentionResult, scheduleRetention } from './retention.js';
export {
  type ApiServerOptions,
  buildApiServer,
  LOOPBACK,
  type MetricsSource,
  type RunningApiServer,
  startApiServer,
} from './server.js';
export { getSession, listLeads, listSessions } from './session_queries.js';
