/**
 * The voice side of a session, from the session's own events: when the user and the agent
 * spoke (the `startedSpeakingAt`/`stoppedSpeakingAt` agents-js puts on each message), the silence
 * the user heard before each reply (agents-js's `e2eLatency`: end of user speech → first agent
 * audio handed to playout), and streaming STT usage joined to the user speech it transcribed.
 *
 * Streaming STT metrics carry no speech id (livekit/agents#4054): the Deepgram plugin reports the
 * audio it streamed every ~5 s of wall time. Each report covers the audio sent since the previous
 * one, so it is split over the user speech (plus the plugin's 1 s trailing-silence hangover) that
 * overlaps that window, in proportion to the overlap; a report overlapping no user speech stays
 * unattributed and is counted.
 */
import type { AgentMetrics } from '@livekit/agents';
import type { Turn, VoiceSummary } from '../schema/session_payload.js';

/** The Deepgram plugin keeps streaming this long after speech ends (its energy filter's cooldown). */
const STT_HANGOVER_MS = 1000;

type Span = [number, number];

export class VoiceTurns {
  readonly #user: Span[] = [];
  readonly #agent = new Map<string, { speech?: Span; perceivedMs?: number }>();
  // Column-wise (two number lists rather than an object per report): a recorder lives for the
  // whole call, and bench:analytics holds the retained size per session to a target.
  readonly #sttAt: number[] = [];
  readonly #sttMs: number[] = [];
  #sessionStart: number;
  /** The reply a user utterance belongs to: the first speech created at or after it began (the turn table knows when each started). */
  readonly #turnOf: (fromMs: number) => string | undefined;

  constructor(startedAt: number, turnOf: (fromMs: number) => string | undefined) {
    this.#sessionStart = startedAt;
    this.#turnOf = turnOf;
  }

  /** User speech was timed from audio (VAD); text-only sessions have none. */
  get hasAudio(): boolean {
    return this.#user.length > 0;
  }

  user(speech: Span | undefined): void {
    if (speech && speech[1] >= speech[0]) this.#user.push(speech);
  }

  assistant(
    turnId: string | null | undefined,
    speech: Span | undefined,
    perceivedMs: number | undefined,
  ): void {
    if (!turnId) return;
    const timed = speech !== undefined || perceivedMs !== undefined;
    if (!timed) return; // a text session's reply: nothing to keep
    const row = this.#agent.get(turnId) ?? {};
    if (speech && speech[1] >= speech[0]) row.speech = speech;
    if (perceivedMs !== undefined && perceivedMs >= 0 && Number.isFinite(perceivedMs))
      row.perceivedMs ??= perceivedMs;
    this.#agent.set(turnId, row);
  }

  metrics(m: AgentMetrics): void {
    if (m.type === 'stt_metrics' && m.streamed && m.audioDurationMs > 0) {
      this.#sttAt.push(m.timestamp);
      this.#sttMs.push(m.audioDurationMs);
    }
  }

  /** Adds the voice fields to the turn rows (in place) and returns the session summary, or undefined without audio. */
  decorate(turns: Turn[]): VoiceSummary | undefined {
    if (!this.hasAudio) return undefined;
    const byId = new Map(turns.map((t) => [t.turn_id, t]));
    const sttByTurn = new Map<string, number>();
    const userMsByTurn = new Map<string, number>();
    for (const span of this.#user) {
      const id = this.#turnOf(span[0]);
      if (id) userMsByTurn.set(id, (userMsByTurn.get(id) ?? 0) + (span[1] - span[0]));
    }
    let attributed = 0;
    let unattributed = 0;
    let unattributedMs = 0;
    let prev = this.#sessionStart;
    const stt = this.#sttAt
      .map((at, i) => ({ at, audioMs: this.#sttMs[i] ?? 0 }))
      .sort((a, b) => a.at - b.at);
    for (const r of stt) {
      const window: Span = [Math.min(prev, r.at - r.audioMs), r.at];
      prev = r.at;
      const overlaps = this.#user
        .map((u) => ({ u, ms: overlap(window, [u[0], u[1] + STT_HANGOVER_MS]) }))
        .filter((o) => o.ms > 0);
      const total = overlaps.reduce((n, o) => n + o.ms, 0);
      if (total === 0) {
        unattributed++;
        unattributedMs += r.audioMs;
        continue;
      }
      attributed++;
      for (const o of overlaps) {
        const id = this.#turnOf(o.u[0]);
        if (!id) {
          unattributedMs += (r.audioMs * o.ms) / total;
          continue;
        }
        sttByTurn.set(id, (sttByTurn.get(id) ?? 0) + (r.audioMs * o.ms) / total);
      }
    }
    const perceived: number[] = [];
    let agentTalk = 0;
    for (const [id, row] of this.#agent) {
      if (row.speech) agentTalk += row.speech[1] - row.speech[0];
      if (row.perceivedMs !== undefined) perceived.push(row.perceivedMs);
      const t = byId.get(id);
      if (!t) continue;
      t.perceived_latency_ms = row.perceivedMs ?? null;
      t.agent_speech_ms = row.speech ? row.speech[1] - row.speech[0] : null;
    }
    for (const t of turns) {
      const stt = sttByTurn.get(t.turn_id);
      const user = userMsByTurn.get(t.turn_id);
      t.stt_audio_duration_ms = stt === undefined ? null : Math.round(stt);
      t.user_speech_ms = user === undefined ? null : Math.round(user);
      t.perceived_latency_ms ??= null;
      t.agent_speech_ms ??= null;
    }
    const userTalk = this.#user.reduce((n, s) => n + (s[1] - s[0]), 0);
    return {
      user_talk_ms: Math.round(userTalk),
      agent_talk_ms: Math.round(agentTalk),
      talk_ratio: userTalk + agentTalk > 0 ? round4(agentTalk / (userTalk + agentTalk)) : null,
      perceived_latency_p50_ms: percentile(perceived, 0.5),
      perceived_latency_p95_ms: percentile(perceived, 0.95),
      stt_metrics_attributed: attributed,
      stt_metrics_unattributed: unattributed,
      stt_audio_unattributed_ms: Math.round(unattributedMs),
    };
  }
}

/**
 * True when the session's TTS cannot stream, so agents-js wraps it in a `StreamAdapter`: the
 * adapter forwards each sentence's own metrics (`streamed: false`) and also emits one of its own
 * for the stream (`streamed: true`, the whole reply's characters but one sentence's audio).
 * Counting both doubles characters, audio and cost; the per-request ones are kept.
 */
export function ttsIsWrapped(tts: { capabilities?: { streaming?: boolean } } | null | undefined): boolean {
  return tts?.capabilities?.streaming === false;
}

export function isAdapterTtsMetrics(m: AgentMetrics, wrapped: boolean): boolean {
  return wrapped && m.type === 'tts_metrics' && m.streamed === true;
}

/** `[start, end]` in ms from agents-js's seconds-since-epoch message metrics. */
export function speechSpan(
  metrics: { startedSpeakingAt?: number; stoppedSpeakingAt?: number } | undefined,
): Span | undefined {
  const a = metrics?.startedSpeakingAt;
  const b = metrics?.stoppedSpeakingAt;
  return typeof a === 'number' && typeof b === 'number' && b >= a
    ? [Math.round(a * 1000), Math.round(b * 1000)]
    : undefined;
}

const overlap = (a: Span, b: Span): number => Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
const round4 = (v: number) => Math.round(v * 10_000) / 10_000;

/** Nearest-rank percentile, rounded to the ms; null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return Math.round(sorted[rank] ?? 0);
}

/** The voice fields of an assistant message's metrics, for the recorded event. */
export function voiceFields(
  metrics: { startedSpeakingAt?: number; stoppedSpeakingAt?: number; e2eLatency?: number } | undefined,
): {
  speech?: Span;
  perceived_ms?: number;
} {
  const speech = speechSpan(metrics);
  const e2e = metrics?.e2eLatency;
  return {
    ...(speech ? { speech } : {}),
    ...(typeof e2e === 'number' && Number.isFinite(e2e) && e2e >= 0
      ? { perceived_ms: Math.round(e2e * 1000) }
      : {}),
  };
}
