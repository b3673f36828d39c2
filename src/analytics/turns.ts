/**
 * One row per turn, joined on the agents-js `speechId` that EOU, LLM and TTS metrics carry.
 * Metrics without a speech id are kept in `UnattributedMetrics`.
 */
import type { AgentMetrics } from '@livekit/agents';
import type { Turn } from '../schema/session_payload.js';

const iso = (ms: number) => new Date(ms).toISOString();
const nonNeg = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);
const add = (a: number | null, b: number | undefined) => {
  const v = nonNeg(b);
  return v === null ? a : (a ?? 0) + v;
};

interface TurnRow {
  turn_id: string;
  index: number;
  started_ms: number | null;
  eou: number | null;
  transcription: number | null;
  on_user_turn_completed: number | null;
  ttft: number | null;
  llm_duration: number | null;
  prompt: number | null;
  cached: number | null;
  completion: number | null;
  ttfb: number | null;
  tts_duration: number | null;
  tts_audio: number | null;
  tts_chars: number | null;
  interrupted: boolean;
  user_text?: string;
  agent_text?: string;
}

export class TurnTable {
  readonly #rows = new Map<string, TurnRow>();

  get size(): number {
    return this.#rows.size;
  }

  has(id: string): boolean {
    return this.#rows.has(id);
  }

  #row(id: string, atMs: number | null): TurnRow {
    let row = this.#rows.get(id);
    if (!row) {
      row = {
        turn_id: id,
        index: this.#rows.size,
        started_ms: atMs,
        eou: null,
        transcription: null,
        on_user_turn_completed: null,
        ttft: null,
        llm_duration: null,
        prompt: null,
        cached: null,
        completion: null,
        ttfb: null,
        tts_duration: null,
        tts_audio: null,
        tts_chars: null,
        interrupted: false,
      };
      this.#rows.set(id, row);
    }
    return row;
  }

  /** A speech (turn) was created. */
  started(id: string, atMs: number): void {
    const row = this.#row(id, atMs);
    if (row.started_ms === null || atMs < row.started_ms) row.started_ms = atMs;
  }

  interrupted(id: string): void {
    this.#row(id, null).interrupted = true;
  }

  text(id: string, role: 'user' | 'agent', text: string): void {
    const row = this.#row(id, null);
    const key = role === 'user' ? 'user_text' : 'agent_text';
    row[key] = row[key] ? `${row[key]} ${text}` : text;
  }

  /** Adds a metrics event to its turn. Returns false when it carries no turn id. */
  apply(m: AgentMetrics): boolean {
    switch (m.type) {
      case 'eou_metrics': {
        if (!m.speechId) return false;
        const row = this.#row(m.speechId, m.timestamp);
        row.eou = nonNeg(m.endOfUtteranceDelayMs);
        row.transcription = nonNeg(m.transcriptionDelayMs);
        row.on_user_turn_completed = nonNeg(m.onUserTurnCompletedDelayMs);
        return true;
      }
      case 'llm_metrics': {
        if (!m.speechId) return false;
        const row = this.#row(m.speechId, m.timestamp);
        // A turn with tool steps has several LLM requests: the first TTFT is the one the user waits on.
        if (row.ttft === null && m.ttftMs >= 0) row.ttft = m.ttftMs;
        row.llm_duration = add(row.llm_duration, m.durationMs);
        row.prompt = add(row.prompt, m.promptTokens);
        row.cached = add(row.cached, m.promptCachedTokens);
        row.completion = add(row.completion, m.completionTokens);
        return true;
      }
      case 'tts_metrics': {
        if (!m.speechId) return false;
        const row = this.#row(m.speechId, m.timestamp);
        if (row.ttfb === null && m.ttfbMs >= 0) row.ttfb = m.ttfbMs;
        row.tts_duration = add(row.tts_duration, m.durationMs);
        row.tts_audio = add(row.tts_audio, m.audioDurationMs);
        row.tts_chars = add(row.tts_chars, m.charactersCount);
        return true;
      }
      default:
        return false;
    }
  }

  toTurns(): Turn[] {
    const out: Turn[] = [];
    for (const r of this.#rows.values()) {
      const turn: Turn = {
        turn_id: r.turn_id,
        index: r.index,
        started_at: r.started_ms === null ? null : iso(r.started_ms),
        eou_delay_ms: r.eou,
        transcription_delay_ms: r.transcription,
        on_user_turn_completed_delay_ms: r.on_user_turn_completed,
        llm_ttft_ms: r.ttft,
        llm_duration_ms: r.llm_duration,
        llm_prompt_tokens: r.prompt,
        llm_prompt_cached_tokens: r.cached,
        llm_completion_tokens: r.completion,
        tts_ttfb_ms: r.ttfb,
        tts_duration_ms: r.tts_duration,
        tts_audio_duration_ms: r.tts_audio,
        tts_characters: r.tts_chars,
        e2e_latency_ms: r.eou !== null && r.ttft !== null && r.ttfb !== null ? r.eou + r.ttft + r.ttfb : null,
        interrupted: r.interrupted,
      };
      if (r.user_text !== undefined) turn.user_text = r.user_text;
      if (r.agent_text !== undefined) turn.agent_text = r.agent_text;
      out.push(turn);
    }
    return out;
  }
}
