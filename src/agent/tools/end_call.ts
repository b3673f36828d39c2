import { llm } from '@livekit/agents';
import { z } from 'zod';
import type { Logger } from '../../log.js';

export const END_CALL = 'end_call';
export const END_CALL_REASONS = [
  'completed',
  'booked',
  'callback',
  'not_interested',
  'wrong_person',
  'other',
] as const;
export type EndCallReason = (typeof END_CALL_REASONS)[number];

/**
 * Ends the call after the goodbye: when the speech that called this tool is done, the session
 * shuts down with `drain` so the tool's follow-up reply (the goodbye) still plays. The entry
 * point turns the session's close into a job shutdown (agents-js `createEndCallTool` does the same).
 */
export function createEndCallTool(deps: { logger: Logger; onEndCall?: (reason: EndCallReason) => void }) {
  const log = deps.logger.child({ component: 'end_call' });
  return llm.tool({
    name: END_CALL,
    description:
      'End the call. Call it once the conversation is over: after booking or recording a callback and saying goodbye, ' +
      'or when the prospect is not interested or asks to stop. Do not call it when intent is unclear.',
    parameters: z.object({
      reason: z.enum(END_CALL_REASONS).describe('Why the call ends'),
    }),
    execute: async ({ reason }, { ctx }) => {
      log.info({ reason }, 'end_call requested');
      deps.onEndCall?.(reason);
      const session = ctx.session;
      ctx.speechHandle.addDoneCallback(() => session.shutdown({ drain: true }));
      return 'The call is ending: say one short, warm goodbye sentence now and nothing else.';
    },
  });
}
