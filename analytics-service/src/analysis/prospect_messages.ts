/**
 * The prospect's messages of a call, in order, as the worker reads them for sentiment and for
 * quote checks. `message_index` is the index of the user message in the call, the same index signal
 * evidence uses (`Evidence.turn_index`). Text exists only when the agent's transcript policy kept it:
 * from `transcript` (user lines) when present, else from the turns' `user_text`.
 *
 * `turn_index` is the position in `payload.turns` of the agent turn that answered the message: the
 * user lines before the k-th assistant line belong to turn k (the dashboard's timeline does the same).
 */
import type { SessionPayload } from '../../../src/schema/index.js';

export interface ProspectMessage {
  message_index: number;
  /** Position in `payload.turns` of the turn that answered it; null when no turn did. */
  turn_index: number | null;
  text: string;
}

export function prospectMessages(payload: SessionPayload): ProspectMessage[] {
  const out: ProspectMessage[] = [];
  if (payload.transcript && payload.transcript.length > 0) {
    let turn = 0;
    for (const line of payload.transcript) {
      if (line.role === 'assistant') {
        turn++;
        continue;
      }
      out.push({
        message_index: out.length,
        turn_index: turn < payload.turns.length ? turn : null,
        text: line.text,
      });
    }
    return out;
  }
  payload.turns.forEach((t, i) => {
    if (typeof t.user_text === 'string' && t.user_text.trim() !== '') {
      out.push({ message_index: out.length, turn_index: i, text: t.user_text });
    }
  });
  return out;
}

/** True when the payload carries the prospect's words (the transcript policy kept text). */
export function keepsTranscript(payload: SessionPayload): boolean {
  return (payload.transcript?.length ?? 0) > 0 || payload.turns.some((t) => typeof t.user_text === 'string');
}
