/**
 * Progress snapshots while a call runs: one at the start, one every `intervalMs`, and one soon
 * after the stage changes. Built from the recorder off the event path (a timer), handed to `send`
 * without awaiting it on anything the agent waits for.
 *
 * Never blocks, dropped first under pressure:
 * - at most one send in flight per call; a snapshot taken meanwhile waits as the one pending send
 *   and a newer one replaces it (the older is dropped and counted);
 * - a send that has not settled after `timeoutMs` is abandoned (its signal aborts) and counted;
 * - across all calls of the process at most `maxInFlight` sends at once; past that, dropped;
 * - the final payload never waits for a snapshot: `stop()` drops what is pending.
 */
import type { Logger } from '../log.js';
import type { ProgressSnapshot } from '../schema/progress_snapshot.js';
import type { SessionRecorder } from './recorder.js';

export type ProgressSendFn = (
  snapshot: ProgressSnapshot,
  opts: { signal: AbortSignal },
) => Promise<unknown> | unknown;

export interface ProgressOptions {
  send: ProgressSendFn;
  /** Default 5000 ms. */
  intervalMs?: number;
  /** How soon after an event the stage is checked (default 250 ms; coalesced). */
  stageCheckMs?: number;
  /** Default 2000 ms. */
  timeoutMs?: number;
  /** Sends in flight across the process (default 64). */
  maxInFlight?: number;
}

export interface ProgressCounters {
  sent: number;
  failed: number;
  dropped: number;
}

let inFlightGlobal = 0;

export class ProgressReporter {
  readonly counters: ProgressCounters = { sent: 0, failed: 0, dropped: 0 };
  #seq = 0;
  #stage: string | undefined;
  #interval: NodeJS.Timeout | undefined;
  #stageTimer: NodeJS.Timeout | undefined;
  #inFlight = false;
  #pending: ProgressSnapshot | undefined;
  #stopped = false;

  constructor(
    private readonly recorder: SessionRecorder,
    private readonly opts: ProgressOptions,
    private readonly clock: { now(): number },
    private readonly log: Logger,
  ) {}

  start(): void {
    this.#interval = setInterval(() => this.#take('interval'), this.opts.intervalMs ?? 5000);
    this.#interval.unref();
    this.#take('start');
  }

  /** After any recorded event: check the stage soon (one timer however many events). */
  poke(): void {
    if (this.#stopped || this.#stageTimer) return;
    this.#stageTimer = setTimeout(() => {
      this.#stageTimer = undefined;
      if (this.#stopped) return;
      try {
        if (this.recorder.liveFacts().stage !== this.#stage) this.#take('stage');
      } catch (err) {
        this.log.warn({ err, sessionId: this.recorder.init.sessionId }, 'progress snapshot failed');
      }
    }, this.opts.stageCheckMs ?? 250);
    this.#stageTimer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#interval);
    clearTimeout(this.#stageTimer);
    if (this.#pending) {
      this.#pending = undefined;
      this.counters.dropped += 1;
    }
  }

  #take(reason: ProgressSnapshot['reason']): void {
    if (this.#stopped) return;
    try {
      const snapshot = this.#snapshot(reason);
      this.#stage = snapshot.stage;
      if (this.#inFlight) {
        if (this.#pending) this.counters.dropped += 1;
        this.#pending = snapshot;
        return;
      }
      this.#send(snapshot);
    } catch (err) {
      this.log.warn({ err, sessionId: this.recorder.init.sessionId }, 'progress snapshot failed');
    }
  }

  #snapshot(reason: ProgressSnapshot['reason']): ProgressSnapshot {
    const f = this.recorder.liveFacts();
    const init = this.recorder.init;
    return {
      kind: 'progress',
      version: 1,
      session_id: init.sessionId,
      seq: ++this.#seq,
      at: new Date(this.clock.now()).toISOString(),
      reason,
      started_at: new Date(init.startedAt).toISOString(),
      agent: { ...init.agent },
      stage: f.stage,
      turns: f.turns,
      user_messages: f.userMessages,
      signals: f.signals as ProgressSnapshot['signals'],
      tool_calls: f.toolCalls,
      latency: { e2e_last_ms: f.e2eLastMs, e2e_p50_ms: f.e2eP50Ms, llm_ttft_last_ms: f.llmTtftLastMs },
      errors: { total: f.errors, by_component: f.errorsByComponent },
      ...(init.labels && Object.keys(init.labels).length > 0 ? { labels: { ...init.labels } } : {}),
    };
  }

  #send(snapshot: ProgressSnapshot): void {
    if (inFlightGlobal >= (this.opts.maxInFlight ?? 64)) {
      this.counters.dropped += 1;
      return;
    }
    this.#inFlight = true;
    inFlightGlobal += 1;
    const abort = new AbortController();
    let settled = false;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      inFlightGlobal -= 1;
      this.#inFlight = false;
      if (ok) this.counters.sent += 1;
      else this.counters.failed += 1;
      const next = this.#pending;
      this.#pending = undefined;
      if (next && !this.#stopped) this.#send(next);
    };
    const timer = setTimeout(() => {
      abort.abort();
      finish(false);
    }, this.opts.timeoutMs ?? 2000);
    timer.unref();
    let sent: Promise<unknown> | unknown;
    try {
      sent = this.opts.send(snapshot, { signal: abort.signal });
    } catch {
      finish(false);
      return;
    }
    Promise.resolve(sent).then(
      (r) => finish(!isFailure(r)),
      () => finish(false),
    );
  }
}

function isFailure(r: unknown): boolean {
  const status = (r as { status?: unknown } | null)?.status;
  return status === 'failed' || status === 'retryable';
}
