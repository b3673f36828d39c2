/** The plugin's options and handle. */
import type { Logger } from '../log.js';
import type { EndReason, PiiMode, SessionPayload } from '../schema/session_payload.js';
import type { DetectFn } from './detection.js';
import type { PublishFn } from './payload.js';
import type { ProgressCounters, ProgressOptions } from './progress.js';

export interface AnalyticsOptions {
  agent: { name: string; version: string; promptVersion: string };
  /** The payload's `session_id` (the idempotency key downstream). Default: the job id, else a random UUID. */
  sessionId?: string;
  /** Hands the finished payload to the queue layer. Called once per session; may be async. */
  publish: PublishFn;
  pii?: {
    /** Contact fields and the contact keys of tool arguments. Default `hashed`. */
    mode?: PiiMode;
    /**
     * Keep transcript text (payload `transcript`, turn texts, evidence excerpts). Default false.
     * Emails and phone numbers in it are masked (`[email]`, `[phone]`) unless `mode` is `full`.
     */
    transcripts?: boolean;
    /**
     * The deployment's `PII_HASH_KEY` (≥ 32 characters). With it, `hashed` values are keyed
     * (`hmac-sha256:<key id>:<hex>`, the worker's own form) from the start, so the queue, its dead
     * letters and the journal hold no unkeyed hash; without it they are `sha256:<hex>`, which the
     * worker keys on arrival.
     */
    hashKey?: string;
  };
  /** Write a crash-safe journal of the call in this directory. */
  journal?: { dir: string; flushIntervalMs?: number };
  logger?: Logger;
  labels?: Record<string, string>;
  /** Injectable clock (ms since epoch), for tests. */
  clock?: { now(): number };
  /** Signal detector; defaults to `detectSignals` from `./signals`. */
  detect?: DetectFn;
  /** Tools whose arguments carry the lead's contact fields. Default book_sales_meeting, request_callback. */
  leadTools?: string[];
  /** How long a job shutdown waits for the payload to be handed over. Default 5000 ms. */
  shutdownWaitMs?: number;
  /**
   * Send progress snapshots while the call runs (`progress.ts`), e.g.
   * `{ send: (s, { signal }) => publisher.publishProgress(s, { signal }) }`. Off when omitted.
   */
  progress?: ProgressOptions;
}

export interface AnalyticsCounters {
  events_seen: number;
  handler_errors: number;
  user_messages: number;
  signals: number;
  tool_calls: number;
  turns: number;
  /**
   * Time the plugin's event handlers spent on the agent's event loop (µs): the only way it can
   * delay what the caller hears. `max` is the longest single handler run.
   */
  handler_time_us: {
    total: number;
    max: number;
    calls: number;
    /**
     * The same per event (`conversation_item_added`, `metrics_collected`, `speech_created`, …), and
     * `signal_detection`: the detector's part of `conversation_item_added` for user messages.
     */
    by_event: Record<string, { total: number; max: number; calls: number }>;
  };
  /** Progress snapshots sent, failed (timed out or refused) and dropped (superseded or over the limit). */
  progress?: ProgressCounters;
}

export interface AnalyticsHandle {
  readonly sessionId: string;
  /** True once the payload has been assembled. */
  readonly finalized: boolean;
  /**
   * Assembles the payload (once: later calls return the same promise), hands it to `publish`,
   * and resolves with it. Never rejects. `reason` defaults to `unknown`.
   */
  finalize(reason?: EndReason): Promise<SessionPayload>;
  /** The payload as it would be if the call ended now (end reason `unknown`); does not publish. */
  snapshot(): SessionPayload;
  counters(): AnalyticsCounters;
}
