/**
 * Replays one bundled conversation over audio: the same scripted agent turns as `replay.ts`, but
 * the prospect is a simulated caller speaking its lines (espeak-ng, a voice distinct from the
 * agent's) into the real voice loop (`runVoiceCall`): Silero VAD, the Deepgram STT plugin and the
 * OpenAI TTS plugin against the local speech server, interruptions, real time.
 *
 * SCRIPTED: the prospect's lines and their transcripts, the LLM's replies.
 * REAL: the audio both ways, VAD, the plugins and their protocols, turn taking, barge-ins,
 * latency, the payload and everything downstream of it.
 */
import type { VAD } from '@livekit/agents';
import type { KnowledgeBase } from '../../../src/agent/knowledge/knowledge_base.js';
import type { AnalyticsOptions, PublishFn } from '../../../src/analytics/index.js';
import type { Logger } from '../../../src/log.js';
import type { SessionPayload } from '../../../src/schema/index.js';
import { startOpenAICompatibleServer } from '../../../src/testing/openai_server_index.js';
import type { SpeechServer } from '../../../src/testing/speech/speech_server.js';
import type { CallerScript, CallerStep } from '../../../src/testing/voice/caller_script.js';
import type { CallerTurn } from '../../../src/testing/voice/simulated_caller.js';
import { runVoiceCall } from '../../../src/testing/voice/voice_call.js';
import type { Conversation } from './conversations.js';
import { DEMO_MODEL, demoSessionId, REPLAY_HOST } from './replay.js';
import { replyScript, resolveRelativeTime } from './script.js';

/** A reply at least this long, followed by a prospect line, is where a caller may cut in. */
const BARGE_IN_MIN_CHARS = 90;

/**
 * The caller's script for a conversation. In every other conversation the prospect cuts in on
 * the first long spoken reply (after 1.5 s of it), as impatient callers do.
 */
export function callerScript(c: Conversation, index: number): CallerScript {
  const steps: CallerStep[] = [];
  let bargedIn = index % 2 === 1;
  let previousSaid = '';
  let previousHadTool = false;
  for (const step of c.steps) {
    if ('disconnect' in step) {
      steps.push({ hangUp: true });
      break;
    }
    if (step.user !== undefined) {
      const cut = !bargedIn && !previousHadTool && previousSaid.length >= BARGE_IN_MIN_CHARS;
      if (cut) bargedIn = true;
      steps.push(cut ? { say: step.user, bargeInAfterMs: 1500 } : { say: step.user });
    }
    previousSaid = step.agent.map((a) => ('say' in a ? a.say : '')).join(' ');
    previousHadTool = step.agent.some((a) => 'tool' in a);
  }
  return { steps };
}

export interface VoiceReplayDeps {
  publish: PublishFn;
  /** Progress snapshots of the call while it runs (the dashboard's live panel). */
  progress?: AnalyticsOptions['progress'];
  dataDir: string;
  knowledge: KnowledgeBase;
  speech: SpeechServer;
  vad: VAD;
  log: Logger;
}

export interface VoiceReplayResult {
  sessionId: string;
  payload: SessionPayload;
  llmRequests: number;
  /** What the simulated caller measured from the sound (ground truth). */
  heard: CallerTurn[];
  ms: number;
  deadlineExceeded?: boolean;
}

export async function replayConversationByVoice(
  c: Conversation,
  index: number,
  deps: VoiceReplayDeps,
): Promise<VoiceReplayResult> {
  const base = new Date();
  const server = await startOpenAICompatibleServer({
    reply: replyScript(c, { resolveTime: (t, tz) => resolveRelativeTime(t, tz, base) }),
    model: DEMO_MODEL,
    host: REPLAY_HOST,
  });
  const sessionId = demoSessionId(c);
  let payload: SessionPayload | undefined;
  try {
    const r = await runVoiceCall({
      sessionId,
      script: callerScript(c, index),
      llmBaseURL: server.baseURL,
      llmModel: DEMO_MODEL,
      speech: deps.speech,
      vad: deps.vad,
      knowledge: deps.knowledge,
      dataDir: deps.dataDir,
      logger: deps.log,
      analytics: {
        publish: async (p) => {
          payload = p;
          return deps.publish(p);
        },
        labels: { source: 'demo-voice', conversation: c.id },
        // Scripted, fictional prospects: keep the transcript so the dashboard can show it.
        transcripts: true,
        ...(deps.progress ? { progress: deps.progress } : {}),
      },
    });
    if (!payload) throw new Error(`conversation ${c.id}: no payload was published`);
    return {
      sessionId,
      payload,
      llmRequests: server.chatRequests().length,
      heard: r.caller.turns,
      ms: r.ms,
      ...(r.deadlineExceeded ? { deadlineExceeded: true } : {}),
    };
  } finally {
    await server.close();
  }
}
