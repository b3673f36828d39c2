/**
 * How far the sales conversation got and how it ended, from what happened (pure).
 *
 * Outcome, first match wins:
 *   meeting_booked      `book_sales_meeting` succeeded;
 *   callback_requested  `request_callback` succeeded;
 *   not_interested      an `end_call` whose reason says so (not interested, declined, not a fit);
 *   error               an error close, or a process that died mid-call (`recovered`);
 *   disconnected        the participant left or the job shut down without the agent ending the call;
 *   completed           anything else (the agent ended the call, or the session was closed).
 *
 * Stages, each with the condition that completes it (evidence only, never turn counts):
 *   greeting       the call started and the agent spoke (≥ 1 assistant message);
 *   discovery      ≥ 1 qualification signal stated;
 *   qualification  ≥ 3 signals stated;
 *   solution       product questions answered: `search_knowledge` succeeded;
 *   booking        a meeting or a callback was attempted (`book_sales_meeting` or `request_callback`
 *                  called, whatever its result);
 *   closing        the call ended with a next step agreed (outcome meeting_booked or
 *                  callback_requested), or it completed normally after reaching solution: the
 *                  agent said goodbye (`end_call` succeeded), the outcome is completed and solution
 *                  was met. A session closed from outside without `end_call` is not a close.
 * `completed` lists, in stage order, every stage whose condition was met (a call can skip one:
 * a question answered before any signal completes solution but not discovery). `reached` is the
 * furthest of them, `greeting` when none was met (the call started). So a refusal
 * (not_interested), a hang-up (disconnected) or an error never reaches closing unless a meeting
 * or callback was agreed first: `reached` is where the conversation was when it ended, and the
 * stage funnel shows where calls drop out.
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
  /** Assistant messages (the agent spoke). */
  assistantMessages: number;
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
  const called = (name: string) => f.toolCalls.some((t) => t.name === name);
  const booked = ok(TOOL_NAMES.book);
  const callback = ok(TOOL_NAMES.callback);
  const endCalls = f.toolCalls.filter((t) => t.name === TOOL_NAMES.endCall && t.status === 'ok');
  const searched = ok(TOOL_NAMES.search);

  const notInterested = endCalls.some((t) => NOT_INTERESTED.test(String(t.arguments.reason ?? '')));
  let outcome: Outcome;
  if (booked) outcome = 'meeting_booked';
  else if (callback) outcome = 'callback_requested';
  else if (notInterested) outcome = 'not_interested';
  else if (f.endReason === 'error' || f.endReason === 'recovered' || f.closedWithError) outcome = 'error';
  else if (
    (f.endReason === 'participant_disconnected' || f.endReason === 'job_shutdown') &&
    endCalls.length === 0
  )
    outcome = 'disconnected';
  else outcome = 'completed';

  const met: Record<Stage, boolean> = {
    greeting: f.assistantMessages > 0,
    discovery: f.signalCount >= 1,
    qualification: f.signalCount >= 3,
    solution: searched,
    booking: called(TOOL_NAMES.book) || called(TOOL_NAMES.callback),
    closing: booked || callback || (outcome === 'completed' && endCalls.length > 0 && searched),
  };
  const completed = STAGES.filter((s) => met[s]);
  const reached: Stage = completed[completed.length - 1] ?? 'greeting';
  return { stage: { reached, completed }, outcome };
}
