/**
 * Routes each queue message by its kind (attribute `kind`): a progress snapshot updates the live
 * calls and is acked; anything else is a final session payload for the session handler, exactly
 * as before (messages from producers that predate snapshots carry no kind). When a final payload
 * is handled (or dead-lettered) its call leaves the live list.
 *
 * Dead letters are counted here for the `dead_letter_growth` alert: a `DeadLetter` the handler
 * throws, or a failure on the last attempt the queue allows.
 */
import { ATTR_KIND, ATTR_SESSION_ID, KIND_PROGRESS } from '../../../src/queue/encoding.js';
import { DeadLetter, type MessageHandler } from '../../../src/queue/types.js';
import { parseProgressSnapshot } from '../../../src/schema/progress_snapshot.js';
import type { DeadLetterLog } from '../alerts/dead_letter_log.js';
import type { LiveCalls } from '../live/live_calls.js';

export interface RouteDeps {
  sessions: MessageHandler;
  live: LiveCalls;
  deadLetters: DeadLetterLog;
  /** The queue's max delivery attempts (a failure on this attempt is dead-lettered). */
  maxAttempts: number;
  now?: () => number;
  /** Counts snapshots by status (applied | ignored | invalid). */
  onSnapshot?: (status: 'applied' | 'ignored' | 'invalid') => void;
}

export function routeMessages(deps: RouteDeps): MessageHandler {
  const now = deps.now ?? Date.now;
  return async (message, ctx) => {
    const kind = message.attributes[ATTR_KIND];
    if (kind === KIND_PROGRESS) {
      const parsed = parseProgressSnapshot(message.body);
      if (!parsed.ok) {
        deps.onSnapshot?.('invalid');
        deps.deadLetters.record(now());
        throw new DeadLetter(parsed.error);
      }
      const applied = deps.live.update(parsed.snapshot);
      deps.onSnapshot?.(applied ? 'applied' : 'ignored');
      return;
    }
    if (kind !== undefined && kind !== 'session') {
      deps.deadLetters.record(now());
      throw new DeadLetter(`unknown message kind ${JSON.stringify(kind)}`);
    }
    const sessionId = message.attributes[ATTR_SESSION_ID];
    try {
      await deps.sessions(message, ctx);
      if (sessionId) deps.live.end(sessionId);
    } catch (err) {
      if (err instanceof DeadLetter || ctx.attempt >= deps.maxAttempts) {
        deps.deadLetters.record(now());
        if (sessionId) deps.live.end(sessionId);
      }
      throw err;
    }
  };
}
