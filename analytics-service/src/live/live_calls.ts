/**
 * Calls in progress, as their progress snapshots say, in this worker's memory. A call is listed
 * from its first snapshot until its final payload lands (`end`) or its snapshots stop for
 * `expireAfterMs`. A snapshot older than the one kept (lower `seq`) or of a call that already
 * ended is ignored, so a late snapshot never brings a finished call back.
 *
 * With several workers (competing consumers), each sees the snapshots it happens to pull: the
 * list is per worker process.
 */
import type { ProgressSnapshot } from '../../../src/schema/index.js';

export interface LiveCall {
  session_id: string;
  agent: ProgressSnapshot['agent'];
  started_at: string;
  /** When the snapshot was taken by the agent, and when this worker received it. */
  updated_at: string;
  received_at: string;
  seq: number;
  stage: ProgressSnapshot['stage'];
  turns: number;
  user_messages: number;
  signals: ProgressSnapshot['signals'];
  tool_calls: number;
  latency: ProgressSnapshot['latency'];
  errors: ProgressSnapshot['errors'];
  labels?: Record<string, string>;
  /** The call's age at `received_at`, from the agent's own times. */
  duration_ms: number;
}

export interface LiveCallsOptions {
  /** A call whose snapshots stopped this long ago leaves the list (default 30 s). */
  expireAfterMs?: number;
  now?: () => number;
  /** Ended session ids remembered (default 10 000). */
  maxEnded?: number;
  /** Calls listed at once (default 1000): past it, the stalest is dropped. */
  maxCalls?: number;
}

export class LiveCalls {
  readonly #calls = new Map<string, { call: LiveCall; receivedMs: number }>();
  readonly #ended = new Set<string>();
  readonly #expireMs: number;
  readonly #now: () => number;

  constructor(private readonly opts: LiveCallsOptions = {}) {
    this.#expireMs = opts.expireAfterMs ?? 30_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Returns false when the snapshot was ignored (stale, or its call already ended). */
  update(s: ProgressSnapshot): boolean {
    if (this.#ended.has(s.session_id)) return false;
    const prev = this.#calls.get(s.session_id);
    if (prev && prev.call.seq >= s.seq) return false;
    const now = this.#now();
    this.#calls.delete(s.session_id);
    this.#calls.set(s.session_id, {
      receivedMs: now,
      call: {
        session_id: s.session_id,
        agent: s.agent,
        started_at: s.started_at,
        updated_at: s.at,
        received_at: new Date(now).toISOString(),
        seq: s.seq,
        stage: s.stage,
        turns: s.turns,
        user_messages: s.user_messages,
        signals: s.signals,
        tool_calls: s.tool_calls,
        latency: s.latency,
        errors: s.errors,
        ...(s.labels && { labels: s.labels }),
        duration_ms: Math.max(0, Date.parse(s.at) - Date.parse(s.started_at)),
      },
    });
    const max = this.opts.maxCalls ?? 1000;
    while (this.#calls.size > max) {
      const oldest = this.#calls.keys().next().value;
      if (oldest === undefined) break;
      this.#calls.delete(oldest);
    }
    return true;
  }

  /** The call's final payload landed: it leaves the list for good. */
  end(sessionId: string): void {
    this.#calls.delete(sessionId);
    this.#ended.add(sessionId);
    const max = this.opts.maxEnded ?? 10_000;
    if (this.#ended.size > max) {
      const first = this.#ended.values().next().value;
      if (first !== undefined) this.#ended.delete(first);
    }
  }

  /** Calls still reporting, most recently started first. */
  list(): LiveCall[] {
    const cutoff = this.#now() - this.#expireMs;
    for (const [id, c] of this.#calls) if (c.receivedMs < cutoff) this.#calls.delete(id);
    return [...this.#calls.values()]
      .map((c) => c.call)
      .sort((a, b) => (a.started_at < b.started_at ? 1 : a.started_at > b.started_at ? -1 : 0));
  }

  get size(): number {
    return this.list().length;
  }
}
