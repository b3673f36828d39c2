/**
 * Builds a ready-to-start sales session: the agent with its tools and their stores, and a
 * `voice.AgentSession` over the given models. Used by `main.ts` (models from config) and by
 * tests and the demo (a scripted LLM, no STT/TTS, no room):
 *
 *   const { session, agent } = await createSalesSession({ llm, dataDir });
 *   // attach analytics here, before start
 *   await session.start({ agent });
 *   const result = await session.run({ userInput: 'How much is the Growth plan?' }).wait();
 */

import { join } from 'node:path';
import { type llm, type stt, type tts, type VAD, voice } from '@livekit/agents';
import { type Logger, silentLogger } from '../log.js';
import { SalesAgent } from './agent.js';
import { BookingService } from './calendar/booking_service.js';
import { LocalCalendar } from './calendar/local_calendar.js';
import type { CalendarProvider } from './calendar/types.js';
import { DEFAULT_WORKING_HOURS, type WorkingHours } from './calendar/working_hours.js';
import { CallbackStore } from './callback/callback_store.js';
import { type KnowledgeBase, loadKnowledgeBase } from './knowledge/knowledge_base.js';
import type { EndCallReason } from './tools/end_call.js';

type SessionOptions = NonNullable<ConstructorParameters<typeof voice.AgentSession>[0]>;

export interface SalesSessionOptions {
  llm: llm.LLM;
  stt?: stt.STT;
  tts?: tts.TTS;
  /** `null` (default when no STT) runs without VAD. */
  vad?: VAD | null;
  turnDetection?: SessionOptions['turnDetection'];
  /** Bookings, invites and callbacks go here (default `.data/agent`). */
  dataDir?: string;
  knowledge?: KnowledgeBase;
  knowledgeDir?: string;
  /** Default: the local JSON + `.ics` calendar under `dataDir`. */
  calendar?: CalendarProvider;
  workingHours?: WorkingHours;
  meetingMinutes?: number;
  callbackCountryCode?: string;
  /** Labels attached to bookings and callbacks, e.g. `{ session_id }`. */
  metadata?: () => Record<string, string>;
  greetOnEnter?: boolean;
  instructions?: string;
  logger?: Logger;
  now?: () => Date;
  maxToolSteps?: number;
}

export interface SalesSession {
  session: voice.AgentSession;
  agent: SalesAgent;
  booking: BookingService;
  callbacks: CallbackStore;
  knowledge: KnowledgeBase;
  /** The reason given to `end_call`, once the model called it. */
  endCallReason(): EndCallReason | undefined;
}

export async function createSalesSession(opts: SalesSessionOptions): Promise<SalesSession> {
  const logger = opts.logger ?? silentLogger;
  const dataDir = opts.dataDir ?? join('.data', 'agent');
  const knowledge = opts.knowledge ?? (await loadKnowledgeBase(opts.knowledgeDir));
  const now = opts.now ?? (() => new Date());
  const calendar = opts.calendar ?? new LocalCalendar({ dataDir, now });
  const booking = new BookingService({
    calendar,
    workingHours: opts.workingHours ?? DEFAULT_WORKING_HOURS,
    ...(opts.meetingMinutes ? { meetingMinutes: opts.meetingMinutes } : {}),
    now,
  });
  const callbacks = new CallbackStore(dataDir);
  let endReason: EndCallReason | undefined;
  const agent = new SalesAgent({
    knowledge,
    booking,
    callbacks,
    logger,
    now,
    ...(opts.metadata ? { metadata: opts.metadata } : {}),
    ...(opts.callbackCountryCode ? { defaultCountryCode: opts.callbackCountryCode } : {}),
    ...(opts.instructions ? { instructions: opts.instructions } : {}),
    ...(opts.greetOnEnter !== undefined ? { greetOnEnter: opts.greetOnEnter } : {}),
    onEndCall: (reason) => {
      endReason = reason;
    },
  });
  const session = new voice.AgentSession({
    llm: opts.llm,
    ...(opts.stt ? { stt: opts.stt } : {}),
    ...(opts.tts ? { tts: opts.tts } : {}),
    vad: opts.vad ?? null,
    ...(opts.turnDetection ? { turnDetection: opts.turnDetection } : {}),
    maxToolSteps: opts.maxToolSteps ?? 4,
  });
  return { session, agent, booking, callbacks, knowledge, endCallReason: () => endReason };
}
