export { DeliveryEnv } from './delivery_env.js';
export {
  classifyFetchError,
  classifyHttpResponse,
  classifyHttpStatus,
  type FetchLike,
  type HttpOutcome,
  type HttpRequest,
  MAX_BODY_CHARS,
  parseRetryAfter,
  sendHttp,
} from './http.js';
export {
  FileParkedStore,
  MemoryParkedStore,
  type NewParkedEntry,
  type ParkedEntry,
  type ParkedStore,
  parkedEntryId,
} from './parked_store.js';
export { type ReplayReport, replayParked } from './replay.js';
export {
  abortableSleep,
  backoffMs,
  type DeliveryReport,
  type RetryingDestination,
  type RetryOptions,
  withRetry,
} from './with_retry.js';
