/**
 * The conversation before each user message, as the signal detector reads it (spec v2
 * "Context"): the last few agent and user turns, oldest first. Bounded in turns and in
 * characters per turn, so a long call costs the detector the same per message.
 */
import type { Turn } from './signals/index.js';

/** Turns kept: the agent's last question plus the exchange before it. */
export const CONTEXT_TURNS = 4;
/** Characters kept per turn (its end: a question closes the agent's turn). */
export const CONTEXT_TURN_CHARS = 600;

export class ConversationWindow {
  readonly #turns: Turn[] = [];

  /** Records a turn of the conversation. Empty text is not a turn. */
  push(role: Turn['role'], text: string): void {
    if (text.trim() === '') return;
    const kept = text.length > CONTEXT_TURN_CHARS ? text.slice(-CONTEXT_TURN_CHARS) : text;
    this.#turns.push({ role, text: kept });
    if (this.#turns.length > CONTEXT_TURNS) this.#turns.shift();
  }

  /** The turns so far, oldest first (a copy). */
  turns(): Turn[] {
    return this.#turns.map((t) => ({ role: t.role, text: t.text }));
  }
}
