/**
 * One row per turn, joined on the agents-js `speechId` that EOU, LLM and TTS metrics carry.
 * Metrics without a speech id are kept in `UnattributedMetrics`.
 *
 * Rows are stored column-wise in one Float64Array (NaN = unknown): a live call holds a few
 * hundred bytes per turn instead of an object per row, and the hot path allocates nothing.
 */
import type { AgentMetrics } from '@livekit/agents';
import type { Turn } from '../schema/session_payload.js';

enum C {
  started = 0,
  eou,
  transcription,
  onUserTurnCompleted,
  ttft,
  llmDuration,
  prompt,
  cached,
  completion,
  ttfb,
  ttsDuration,
  ttsAudio,
  ttsChars,
  interrupted,
  width,
}

const valid = (v: number | undefined): v is number => typeof v === 'number' && v >= 0 && v < Infinity;

export class TurnTable {
  #ids: string[] = [];
  #cols = new Float64Array(8 * C.width).fill(Number.NaN);
  #texts: Map<number, { user?: string; agent?: string }> | undefined;

  get size(): number {
    return this.#ids.length;
  }

  has(id: string): boolean {
    return this.#find(id) !== -1;
  }

  /** Row index of a turn id; recent turns are found first. */
  #find(id: string): number {
    const ids = this.#ids;
    for (let i = ids.length - 1; i >= 0; i--) if (ids[i] === id) return i;
    return -1;
  }

  #row(id: string, atMs: number | null): number {
    const found = this.#find(id);
    if (found !== -1) return found;
    const row = this.#ids.length;
    if ((row + 1) * C.width > this.#cols.length) {
      const grown = new Float64Array(this.#cols.length * 2).fill(Number.NaN);
      grown.set(this.#cols);
      this.#cols = grown;
    }
    this.#ids.push(id);
    if (atMs !== null) this.#cols[row * C.width + C.started] = atMs;
    this.#cols[row * C.width + C.interrupted] = 0;
    return row;
  }

  #set(row: number, col: C, v: number | undefined): void {
    if (valid(v)) this.#cols[row * C.width + col] = v;
  }

  #first(row: number, col: C, v: number | undefined): void {
    const at = row * C.width + col;
    if (valid(v) && Number.isNaN(this.#cols[at] ?? 0)) this.#cols[at] = v;
  }

  #add(row: number, col: C, v: number | undefined): void {
    if (!valid(v)) return;
    const at = row * C.width + col;
    const cur = this.#cols[at] ?? Number.NaN;
    this.#cols[at] = Number.isNaN(cur) ? v : cur + v;
  }

  /** A speech (turn) was created: the turn starts then. */
  started(id: string, atMs: number): void {
    const row = this.#row(id, atMs);
    this.#cols[row * C.width + C.started] = atMs;
  }

  /** The turn that started first at or after `atMs` (a user utterance's reply), if any. */
  firstStartedFrom(atMs: number): string | undefined {
    let best = -1;
    let bestAt = Number.POSITIVE_INFINITY;
    for (let row = 0; row < this.#ids.length; row++) {
      const started = this.#cols[row * C.width + C.started] ?? Number.NaN;
      if (started >= atMs && started < bestAt) {
        best = row;
        bestAt = started;
      }
    }
    return best === -1 ? undefined : this.#ids[best];
  }

  interrupted(id: string): void {
    this.#cols[this.#row(id, null) * C.width + C.interrupted] = 1;
  }

  text(id: string, role: 'user' | 'agent', text: string): void {
    const row = this.#row(id, null);
    this.#texts ??= new Map();
    const t = this.#texts.get(row) ?? {};
    t[role] = t[role] ? `${t[role]} ${text}` : text;
    this.#texts.set(row, t);
  }

  /** Adds a metrics event to its turn. Returns false when it carries no turn id. */
  apply(m: AgentMetrics): boolean {
    switch (m.type) {
      case 'eou_metrics': {
        if (!m.speechId) return false;
        const row = this.#row(m.speechId, m.timestamp);
        this.#set(row, C.eou, m.endOfUtteranceDelayMs);
        this.#set(row, C.transcription, m.transcriptionDelayMs);
        this.#set(row, C.onUserTurnCompleted, m.onUserTurnCompletedDelayMs);
        return true;
      }
      case 'llm_metrics': {
        if (!m.speechId) return false;
        const row = this.#row(m.speechId, m.timestamp);
        // A turn with tool steps has several LLM requests: the first TTFT is the one the user waits on.
        this.#first(row, C.ttft, m.ttftMs);
        this.#add(row, C.llmDuration, m.durationMs);
        this.#add(row, C.prompt, m.promptTokens);
        this.#add(row, C.cached, m.promptCachedTokens);
        this.#add(row, C.completion, m.completionTokens);
        return true;
      }
      case 'tts_metrics': {
        if (!m.speechId) return false;
        const row = this.#row(m.speechId, m.timestamp);
        this.#first(row, C.ttfb, m.ttfbMs);
        this.#add(row, C.ttsDuration, m.durationMs);
        this.#add(row, C.ttsAudio, m.audioDurationMs);
        this.#add(row, C.ttsChars, m.charactersCount);
        return true;
      }
      default:
        return false;
    }
  }

  toTurns(): Turn[] {
    const out: Turn[] = [];
    for (const [index, turn_id] of this.#ids.entries()) {
      const base = index * C.width;
      const get = (col: C): number | null => {
        const v = this.#cols[base + col] ?? Number.NaN;
        return Number.isNaN(v) ? null : v;
      };
      const started = get(C.started);
      const eou = get(C.eou);
      const ttft = get(C.ttft);
      const ttfb = get(C.ttfb);
      const turn: Turn = {
        turn_id,
        index,
        started_at: started === null ? null : new Date(started).toISOString(),
        eou_delay_ms: eou,
        transcription_delay_ms: get(C.transcription),
        on_user_turn_completed_delay_ms: get(C.onUserTurnCompleted),
        llm_ttft_ms: ttft,
        llm_duration_ms: get(C.llmDuration),
        llm_prompt_tokens: get(C.prompt),
        llm_prompt_cached_tokens: get(C.cached),
        llm_completion_tokens: get(C.completion),
        tts_ttfb_ms: ttfb,
        tts_duration_ms: get(C.ttsDuration),
        tts_audio_duration_ms: get(C.ttsAudio),
        tts_characters: get(C.ttsChars),
        e2e_latency_ms: eou !== null && ttft !== null && ttfb !== null ? eou + ttft + ttfb : null,
        interrupted: get(C.interrupted) === 1,
      };
      const t = this.#texts?.get(index);
      if (t?.user !== undefined) turn.user_text = t.user;
      if (t?.agent !== undefined) turn.agent_text = t.agent;
      out.push(turn);
    }
    return out;
  }
}
