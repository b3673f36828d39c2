import type { Logger } from '../../log.js';
import type { BookingService } from '../calendar/booking_service.js';
import type { CallbackStore } from '../callback/callback_store.js';
import type { KnowledgeBase } from '../knowledge/knowledge_base.js';
import { BOOK_SALES_MEETING, createBookSalesMeetingTool } from './book_sales_meeting.js';
import { createEndCallTool, END_CALL, END_CALL_REASONS, type EndCallReason } from './end_call.js';
import { createRequestCallbackTool, REQUEST_CALLBACK } from './request_callback.js';
import { createSearchKnowledgeTool, formatHits, SEARCH_KNOWLEDGE } from './search_knowledge.js';

export interface SalesToolDeps {
  knowledge: KnowledgeBase;
  booking: BookingService;
  callbacks: CallbackStore;
  logger: Logger;
  /** String labels attached to bookings and callbacks (session id, agent, …). */
  metadata?: () => Record<string, string>;
  defaultCountryCode?: string;
  onEndCall?: (reason: EndCallReason) => void;
  now?: () => Date;
}

/** The sales agent's four named tools (a list, the shape `voice.Agent({ tools })` takes). */
export function createSalesTools(deps: SalesToolDeps) {
  return [
    createSearchKnowledgeTool(deps.knowledge),
    createBookSalesMeetingTool(deps),
    createRequestCallbackTool(deps),
    createEndCallTool(deps),
  ] as const;
}

export type SalesTools = ReturnType<typeof createSalesTools>;

export {
  BOOK_SALES_MEETING,
  createBookSalesMeetingTool,
  createEndCallTool,
  createRequestCallbackTool,
  createSearchKnowledgeTool,
  END_CALL,
  END_CALL_REASONS,
  type EndCallReason,
  formatHits,
  REQUEST_CALLBACK,
  SEARCH_KNOWLEDGE,
};
