/**
 * Turns a conversation's scripted agent actions into the replies of the local OpenAI-compatible
 * server. A request is answered by its position in the conversation, read from the request itself:
 * the number of user messages (0 = the greeting) and the number of tool rounds the model already
 * made since the last user message. So the replay does not depend on request timing or count.
 *
 * Everything the worker prices is deterministic: token usage is a fixed function of that position
 * and the reply, tool-call ids are stable, and the simulated model latency (time to first token)
 * is a hash of the position.
 */
import { createHash } from 'node:crypto';
import type {
  ChatCompletionRequest,
  ReplyFunction,
  ScriptedReply,
} from '../../../src/testing/openai_server_index.js';
import type { Action, Conversation, RelativeTime } from './conversations.js';

export interface ScriptOptions {
  /** Resolves a relative booking time to local ISO (`2026-11-24T10:00`). */
  resolveTime: (t: RelativeTime, timezone: string) => string;
  /** Simulated time to first token, ms: [min, max). Default [180, 520). */
  latencyMs?: readonly [number, number];
}

function position(req: ChatCompletionRequest): { user: number; round: number } {
  let user = 0;
  let lastUser = -1;
  req.messages.forEach((m, i) => {
    if (m.role === 'user') {
      user++;
      lastUser = i;
    }
  });
  const round = req.messages
    .slice(lastUser + 1)
    .filter((m) => m.role === 'assistant' && m.tool_calls?.length).length;
  return { user, round };
}

function stableFraction(...parts: Array<string | number>): number {
  const h = createHash('sha256').update(parts.join('|')).digest();
  return h.readUInt32BE(0) / 0x1_0000_0000;
}

const isRelative = (v: unknown): v is RelativeTime =>
  typeof v === 'object' && v !== null && 'weekdays_ahead' in v && 'hour_local' in v;

function toReply(a: Action, id: string, opts: ScriptOptions): ScriptedReply {
  if ('say' in a) return { content: a.say };
  const tz = typeof a.args.timezone === 'string' ? a.args.timezone : 'UTC';
  const args = Object.fromEntries(
    Object.entries(a.args).map(([k, v]) => [k, isRelative(v) ? opts.resolveTime(v, tz) : v]),
  );
  return { toolCalls: [{ name: a.tool, arguments: args, id }] };
}

/** The reply function for one conversation. */
export function replyScript(c: Conversation, opts: ScriptOptions): ReplyFunction {
  const turns: Action[][] = c.steps.flatMap((s) => ('agent' in s ? [s.agent] : []));
  const [lo, hi] = opts.latencyMs ?? [180, 520];
  return (req) => {
    const { user, round } = position(req);
    const action = turns[user]?.[round];
    const base: ScriptedReply = action
      ? toReply(action, `call_${c.id.slice(0, 2)}_${user}_${round}`, opts)
      : { content: 'Sorry, could you say that again?' };
    const completion = Math.max(
      8,
      Math.ceil((base.content?.length ?? JSON.stringify(base.toolCalls ?? []).length) / 4),
    );
    return {
      ...base,
      usage: {
        promptTokens: 1400 + 180 * user + 220 * round,
        completionTokens: completion,
        cachedTokens: user > 0 ? 1024 : 0,
      },
      delayMs: Math.round(lo + (hi - lo) * stableFraction(c.id, user, round)),
    };
  };
}

/** `{ weekdays_ahead, hour_local }` → local ISO time, counted from `base`'s date in `timezone`. */
export function resolveRelativeTime(t: RelativeTime, timezone: string, base: Date): string {
  const ymd = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(base);
  const day = new Date(`${ymd}T12:00:00Z`);
  let left = t.weekdays_ahead;
  while (left > 0) {
    day.setUTCDate(day.getUTCDate() + 1);
    const dow = day.getUTCDay();
    if (dow !== 0 && dow !== 6) left--;
  }
  return `${day.toISOString().slice(0, 10)}T${String(t.hour_local).padStart(2, '0')}:00`;
}
