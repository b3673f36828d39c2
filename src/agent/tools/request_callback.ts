import { llm } from '@livekit/agents';
import { z } from 'zod';
import type { Logger } from '../../log.js';
import type { CallbackStore } from '../callback/callback_store.js';
import { normalizePhone } from '../callback/phone.js';

export const REQUEST_CALLBACK = 'request_callback';

export function createRequestCallbackTool(deps: {
  callbacks: CallbackStore;
  logger: Logger;
  defaultCountryCode?: string;
  metadata?: () => Record<string, string>;
  now?: () => Date;
}) {
  const log = deps.logger.child({ component: 'request_callback' });
  return llm.tool({
    name: REQUEST_CALLBACK,
    description:
      'Record that the prospect wants a sales rep to call them back. Use when they prefer a call to a booked meeting.',
    parameters: z.object({
      phone: z.string().describe('Phone number as the prospect said it, ideally with country code'),
      time: z.string().optional().describe('When to call, as said (e.g. "tomorrow afternoon") or ISO 8601'),
      name: z.string().optional().describe('Name of the prospect, if known'),
    }),
    execute: async ({ phone, time, name }) => {
      const parsed = normalizePhone(phone, deps.defaultCountryCode);
      if (!parsed.ok) throw new llm.ToolError(`Not recorded: ${parsed.error}.`);
      let entry: Awaited<ReturnType<CallbackStore['add']>>;
      const at = time && !Number.isNaN(Date.parse(time)) ? new Date(time).toISOString() : undefined;
      try {
        entry = await deps.callbacks.add(
          {
            phone: parsed.e164,
            ...(time ? { requestedTime: time } : {}),
            ...(at ? { requestedAt: at } : {}),
            ...(name ? { name } : {}),
            metadata: deps.metadata?.() ?? {},
          },
          deps.now?.() ?? new Date(),
        );
      } catch (err) {
        log.error({ err }, 'callback store failed');
        throw new llm.ToolError(
          'Could not save the callback right now. Apologise and ask for an email address instead.',
        );
      }
      log.info({ callbackId: entry.id }, 'callback recorded');
      return `Callback recorded for ${parsed.e164}${time ? ` (${time})` : ''}. A sales rep will call within one business day. Reference ${entry.id}.`;
    },
  });
}
