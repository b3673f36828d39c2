/**
 * How far the sales conversation got and how it ended, from what happened (pure).
 *
 * Stages (each reached by evidence, never by turn counts alone):
 * - greeting:      always (the call started).
 * - discovery:     at least one qualification signal stated.
 * - qualification: at least three signals stated.
 * - solution:      the agent searched the knowledge base (`search_knowledge` ok).
 * - booking:       a meeting was booked or a callback requested (tool ok).
 * - closing:       the agent ended the call (`end_call` ok), or it spoke again after a booking.
 * `completed` lists every stage before the furthest one reached: moving on is the exit condition.
 *
 * Outcome, first match wins: meeting_booked, callback_requested, not_interested (an `end_call`
 * whose reason says so), error (error close, or a process that died mid-call), disconnected
 * (the participant left or the job shut down before closing), completed.
 */
import { type EndReason, type Outcome, STAGES, type Stage } from '../schema/session_payload.js';

export const TOOL_NAMES = {
  search: 'search_knowledge',
  book: 'book_sales_meeting',
  callback: 'request_callback',
  endCall: 'end_call',
} as const;

export interface StageFacts {
  signalCount: number;
  /** Tool calls in order: name, whether it succeeded, and its (policy-applied) arguments. */
  toolCalls: readonly { name: string; status: 'ok' | 'error'; arguments: Record<string, unknown> }[];
  /** Assistant messages seen after the first successful booking/callback. */
  assistantMessagesAfterBooking: number;
  endReason: EndReason;
  /** The session closed with an error attached. */
  closedWithError: boolean;
}

export interface StageResult {
  stage: { reached: Stage; completed: Stage[] };
  outcome: Outcome;
}

const NOT_INTERESTED = /not[\s_-]*interested|no[\s_-]*interest|declined|not[\s_-]*a[\s_-]*fit/i;

export function deriveStageAndOutcome(f: StageFacts): StageResult {
  const ok = (name: string) => f.toolCalls.some((t) => t.name === name && t.status === 'ok');
  const booked = ok(TOOL_NAMES.book);
  const callback = ok(TOOL_NAMES.callback);
  const endCalls = f.toolCalls.filter((t) => t.name === TOOL_NAMES.endCall && t.status === 'ok');

  let furthest = 0;
  const reach = (s: Stage) => {
    furthest = Math.max(furthest, STAGES.indexOf(s));
  };
  if (f.signalCount >= 1) reach('discovery');
  if (f.signalCount >= 3) reach('qualification');
  if (ok(TOOL_NAMES.search)) reach('solution');
  if (booked || callback) reach('booking');
  if (endCalls.length > 0 || ((booked || callback) && f.assistantMessagesAfterBooking > 0)) reach('closing');
  const reached: Stage = STAGES[furthest] ?? 'greeting';
  const completed = STAGES.slice(0, furthest);

  const notInterested = endCalls.some((t) => NOT_INTERESTED.test(String(t.arguments.reason ?? '')));
  let outcome: Outcome;
  if (booked) outcome = 'meeting_booked';
  else if (callback) outcome = 'callback_requested';
  else if (notInterested) outcome = 'not_interested';
  else if (f.endReason === 'error' || f.endReason === 'recovered' || f.closedWithError) outcome = 'error';
  else if (
    (f.endReason === 'participant_disconnected' || f.endReason === 'job_shutdown') &&
    reached !== 'closing'
  )
    outcome = 'disconnected';
  else outcome = 'completed';
  return { stage: { reached, completed: [...completed] }, outcome };
}
