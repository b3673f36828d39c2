/**
 * The analytics plugin any LiveKit agent can attach to its `AgentSession`.
 *
 * ```ts
 * const analytics = attachAnalytics(session, ctx, {
 *   agent: { name: 'sales', version: '1.2.0', promptVersion: 'sales-v3' },
 *   publish: (payload) => publisher.publish(payload),
 *   pii: { mode: 'hashed', transcripts: false },
 *   journal: { dir: '.data/journal' },
 *   logger,
 * });
 * // The payload is assembled once, on Close or job shutdown; `analytics.finalize()` forces it.
 * // At worker start: await recoverJournals({ dir: '.data/journal', publish, minAgeMs: 30_000, logger });
 * ```
 */
export type { DetectFn, DetectionHit, DetectionResult } from './detection.js';
export type { JournalHeader, RecordedEvent } from './events.js';
export { JOURNAL_SUFFIX, JournalWriter, journalPath } from './journal.js';
export { type RecoverJournalsOptions, type RecoverResult, recoverJournals } from './journal_recovery.js';
export type { AnalyticsCounters, AnalyticsHandle, AnalyticsOptions } from './options.js';
export { buildPayload, type PublishFn } from './payload.js';
export { hashContact, normaliseContact, redactArguments } from './pii.js';
export { attachAnalytics } from './plugin.js';
export {
  type ProgressCounters,
  type ProgressOptions,
  ProgressReporter,
  type ProgressSendFn,
} from './progress.js';
export { DEFAULT_LEAD_TOOLS, type EndInfo, type RecorderInit, SessionRecorder } from './recorder.js';
export { SignalState } from './signal_merge.js';
export { deriveStageAndOutcome, type StageFacts, type StageResult, TOOL_NAMES } from './stage_rules.js';
export { summariseUsage, usageFrom } from './usage.js';
