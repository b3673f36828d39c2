import { llm } from '@livekit/agents';
import { z } from 'zod';
import type { Logger } from '../../log.js';
import type { BookingService } from '../calendar/booking_service.js';

export const BOOK_SALES_MEETING = 'book_sales_meeting';

export function createBookSalesMeetingTool(deps: {
  booking: BookingService;
  logger: Logger;
  metadata?: () => Record<string, string>;
}) {
  const log = deps.logger.child({ component: 'book_sales_meeting' });
  return llm.tool({
    name: BOOK_SALES_MEETING,
    description:
      'Book a 30-minute Paperflow demo with a sales engineer. Confirm name, email and the time with the prospect first. ' +
      'Meetings are Monday to Friday, 9:00 to 17:00 in the prospect’s time zone. ' +
      'If the result says the slot is taken or invalid, tell the prospect and offer the suggested slot.',
    parameters: z.object({
      name: z.string().describe('Full name of the prospect'),
      email: z.string().describe('Email address for the invite'),
      company: z.string().optional().describe('Company name, if known'),
      time: z
        .string()
        .describe('Start time, ISO 8601 local time in the prospect’s time zone, e.g. 2026-11-24T10:00'),
      timezone: z.string().describe('IANA time zone of the prospect, e.g. America/New_York'),
    }),
    execute: async (args) => {
      let result: Awaited<ReturnType<BookingService['book']>>;
      try {
        result = await deps.booking.book({ ...args, metadata: deps.metadata?.() ?? {} });
      } catch (err) {
        log.error({ err }, 'booking failed');
        throw new llm.ToolError(
          'The calendar is unavailable right now. Apologise and offer to arrange a callback instead.',
        );
      }
      if (result.status === 'booked') {
        log.info({ bookingId: result.booking.id, provider: result.booking.provider }, 'meeting booked');
        return result.message;
      }
      log.info({ reason: result.reason }, 'meeting not booked');
      // A refusal is the tool's answer, not a crash: the model reads the message (marked as an
      // error so nobody downstream counts it as a booking) and the call goes on.
      throw new llm.ToolError(result.message);
    },
  });
}
