/**
 * Replays one bundled conversation through the real sales agent: the real `voice.AgentSession`,
 * the real tools (knowledge search, booking, callbacks, end_call) and the analytics plugin, with the
 * real `@livekit/agents-plugin-openai` LLM pointed at a local OpenAI-compatible server that answers
 * with the conversation's scripted agent turns. No room, no audio: user lines go in as text.
 *
 * The session's clock is a step clock (each user line and agent reply moves it by a speaking
 * time computed from its length), so durations, and hence prices, are the same on every run.
 */
import { voice } from '@livekit/agents';
import * as openai from '@livekit/agents-plugin-openai';
import { AGENT_NAME, AGENT_VERSION } from '../../../src/agent/agent.js';
import { PROMPT_VERSION } from '../../../src/agent/instructions.js';
import type { KnowledgeBase } from '../../../src/agent/knowledge/knowledge_base.js';
import { createSalesSession } from '../../../src/agent/session.js';
import type { AnalyticsHandle, PublishFn } from '../../../src/analytics/index.js';
import { attachAnalytics } from '../../../src/analytics/index.js';
import type { Logger } from '../../../src/log.js';
import type { SessionPayload } from '../../../src/schema/index.js';
import { startOpenAICompatibleServer } from '../../../src/testing/openai_server_index.js';
import type { Action, Conversation } from './conversations.js';
import { replyScript, resolveRelativeTime } from './script.js';

export const DEMO_MODEL = 'gpt-4.1-mini';

/**
 * Host of the local replay server. The OpenAI plugin reports the base URL's host and port as its
 * usage provider (`127.0.0.1:<port>` here, `api.openai.com` against OpenAI); the demo's price book
 * aliases this host to `openai` (see `demoPriceBook`), since the replayed model stands in for OpenAI's.
 */
export const REPLAY_HOST = '127.0.0.1';

/** Speaking time of a line, ms: about 15 characters a second, plus a pause. */
const speakMs = (text: string): number => 600 + 65 * text.length;

export class StepClock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += Math.round(ms);
  }
}

export interface ReplayDeps {
  publish: PublishFn;
  /** Bookings, invites and callbacks of the demo's calendar. */
  dataDir: string;
  knowledge: KnowledgeBase;
  /** Virtual start of this call, ms since epoch. */
  startAtMs: number;
  log: Logger;
  /** Longest a call may take in real time before it is abandoned (default 20 s). */
  timeoutMs?: number;
}

export interface ReplayResult {
  sessionId: string;
  payload: SessionPayload;
  llmRequests: number;
}

export const demoSessionId = (c: Conversation): string => `demo-${c.id}`;

function lastSay(actions: readonly Action[]): string {
  for (let i = actions.length - 1; i >= 0; i--) {
    const a = actions[i];
    if (a && 'say' in a) return a.say;
  }
  return '';
}

export async function replayConversation(c: Conversation, deps: ReplayDeps): Promise<ReplayResult> {
  const log = deps.log.child({ component: 'demo_replay' });
  const base = new Date(deps.startAtMs);
  const server = await startOpenAICompatibleServer({
    reply: replyScript(c, { resolveTime: (t, tz) => resolveRelativeTime(t, tz, base) }),
    model: DEMO_MODEL,
    host: REPLAY_HOST,
  });
  const clock = new StepClock(deps.startAtMs);
  const sessionId = demoSessionId(c);
  let handle: AnalyticsHandle | undefined;
  let built: Awaited<ReturnType<typeof createSalesSession>> | undefined;
  try {
    built = await createSalesSession({
      llm: new openai.LLM({ baseURL: server.baseURL, apiKey: 'demo-replay', model: DEMO_MODEL }),
      dataDir: deps.dataDir,
      knowledge: deps.knowledge,
      now: () => new Date(clock.now()),
      greetOnEnter: true,
      metadata: () => ({ session_id: sessionId }),
      logger: log,
    });
    const session = built.session;
    handle = attachAnalytics(session, undefined, {
      agent: { name: AGENT_NAME, version: AGENT_VERSION, promptVersion: PROMPT_VERSION },
      sessionId,
      publish: deps.publish,
      // Replayed, fictional prospects: keep the transcript so the dashboard can show it.
      pii: { mode: 'hashed', transcripts: true },
      clock,
      labels: { source: 'demo-replay', conversation: c.id },
      logger: log,
    });
    const closed = new Promise<void>((resolve) =>
      session.once(voice.AgentSessionEventTypes.Close, () => resolve()),
    );
    // The greeting is the first speech; wait for its playout rather than `session.waitForIdle()`,
    // which in agents-js 1.9 adds an abort listener per poll until the session closes.
    const greeted = new Promise<void>((resolve) =>
      session.once(voice.AgentSessionEventTypes.SpeechCreated, (ev) => {
        ev.speechHandle.waitForPlayout().then(resolve, () => resolve());
      }),
    );

    await withTimeout(
      (async () => {
        await session.start({ agent: built.agent });
        let previousSay = '';
        for (const step of c.steps) {
          if ('disconnect' in step) {
            clock.advance(speakMs(previousSay) / 2);
            session.shutdown({ drain: false, reason: voice.CloseReason.PARTICIPANT_DISCONNECTED });
            break;
          }
          if (step.user === undefined) {
            // The greeting: the agent speaks first when it enters.
            await greeted;
          } else {
            clock.advance(speakMs(previousSay) + speakMs(step.user));
            await session.run({ userInput: step.user }).wait();
          }
          previousSay = lastSay(step.agent);
        }
        clock.advance(speakMs(previousSay));
        // end_call shuts the session down once its goodbye is spoken; anything else is closed here.
        if (built.endCallReason() === undefined && !c.steps.some((s) => 'disconnect' in s)) {
          await session.close();
        }
        await closed;
      })(),
      deps.timeoutMs ?? 20_000,
      `conversation ${c.id} did not finish`,
    );
    const payload = await handle.finalize();
    return { sessionId, payload, llmRequests: server.chatRequests().length };
  } finally {
    if (handle && !handle.finalized) await handle.finalize('error');
    await built?.session.close().catch(() => undefined);
    await server.close();
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
