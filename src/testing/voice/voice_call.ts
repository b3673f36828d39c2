/**
 * One call through the whole voice loop, in this process: the real sales agent in a real
 * `voice.AgentSession` with the real Silero VAD, the real Deepgram STT plugin and the real OpenAI
 * TTS plugin pointed at the local speech server, the real OpenAI LLM plugin pointed at an
 * OpenAI-compatible server replaying scripted replies, and the analytics plugin (unless turned
 * off, for the benchmark). Audio travels over agents-js's console protocol to a simulated caller.
 *
 * What is scripted: the caller's lines and their transcripts, the LLM's replies. What is real:
 * the audio (espeak-ng speech both ways, streamed in real time), VAD, the plugins and their
 * protocols, turn taking, interruptions, timing, and the payload.
 */

import { type VAD, voice } from '@livekit/agents';
import * as openai from '@livekit/agents-plugin-openai';
import { AGENT_NAME, AGENT_VERSION } from '../../agent/agent.js';
import { linkConsoleAudio } from '../../agent/console/console_audio.js';
import { DeepgramSTT } from '../../agent/deepgram_stt.js';
import { PROMPT_VERSION } from '../../agent/instructions.js';
import type { KnowledgeBase } from '../../agent/knowledge/knowledge_base.js';
import { createSalesSession } from '../../agent/session.js';
import {
  type AnalyticsCounters,
  type AnalyticsHandle,
  type AnalyticsOptions,
  attachAnalytics,
  type PublishFn,
} from '../../analytics/index.js';
import { type Logger, silentLogger } from '../../log.js';
import type { SessionPayload } from '../../schema/index.js';
import type { SpeechServer } from '../speech/speech_server.js';
import type { CallerScript } from './caller_script.js';
import { type CallerResult, SimulatedCaller } from './simulated_caller.js';

export const VOICE_TTS_MODEL = 'gpt-4o-mini-tts';
export const VOICE_STT_MODEL = 'nova-3';

export interface VoiceCallOptions {
  sessionId: string;
  script: CallerScript;
  /** Base URL of the OpenAI-compatible LLM server (scripted replies). */
  llmBaseURL: string;
  llmModel?: string;
  speech: SpeechServer;
  vad: VAD;
  knowledge?: KnowledgeBase;
  dataDir: string;
  /** Off: no analytics plugin at all (the benchmark's baseline). */
  analytics?:
    | {
        publish: PublishFn;
        labels?: Record<string, string>;
        transcripts?: boolean;
        /** Progress snapshots while the call runs, as the agent sends them (`ANALYTICS_PROGRESS_INTERVAL_MS`). */
        progress?: AnalyticsOptions['progress'];
      }
    | false;
  logger?: Logger;
  record?: boolean;
  /** Whole call deadline, ms (default: 60 s + 240 ms per character the caller says). Past it the call is hung up. */
  deadlineMs?: number;
  replyTimeoutMs?: number;
}

export interface VoiceCallResult {
  payload?: SessionPayload;
  caller: CallerResult;
  /** Wall-clock ms the call took. */
  ms: number;
  /** The call did not finish within its deadline and was hung up. */
  deadlineExceeded?: boolean;
  /** The analytics plugin's counters at the end of the call (absent without the plugin). */
  analytics?: AnalyticsCounters;
}

export async function runVoiceCall(opts: VoiceCallOptions): Promise<VoiceCallResult> {
  const started = Date.now();
  const key = `scripted-${opts.sessionId}`;
  opts.speech.transcriber.register(key);
  const caller = new SimulatedCaller({
    script: opts.script,
    transcriber: opts.speech.transcriber,
    transcriberKey: key,
    seed: opts.sessionId,
    ...(opts.record ? { record: true } : {}),
    ...(opts.replyTimeoutMs ? { replyTimeoutMs: opts.replyTimeoutMs } : {}),
  });
  const broker = await caller.listen();
  const sales = await createSalesSession({
    llm: new openai.LLM({
      baseURL: opts.llmBaseURL,
      apiKey: 'scripted',
      model: opts.llmModel ?? 'gpt-4.1-mini',
    }),
    stt: new DeepgramSTT({
      apiKey: key,
      baseUrl: opts.speech.deepgramBaseUrl,
      model: VOICE_STT_MODEL,
      language: 'en-US',
    }),
    tts: ttsWithErrorListener(
      new openai.TTS({
        baseURL: opts.speech.openaiBaseUrl,
        apiKey: 'local-speech',
        model: VOICE_TTS_MODEL,
        voice: 'alloy',
      }),
    ),
    vad: opts.vad,
    turnDetection: 'vad',
    dataDir: opts.dataDir,
    ...(opts.knowledge ? { knowledge: opts.knowledge } : {}),
    greetOnEnter: opts.script.expectGreeting ?? true,
    metadata: () => ({ session_id: opts.sessionId }),
    logger: opts.logger ?? silentLogger,
  });
  const session = sales.session;
  let handle: AnalyticsHandle | undefined;
  if (opts.analytics) {
    handle = attachAnalytics(session, undefined, {
      agent: { name: AGENT_NAME, version: AGENT_VERSION, promptVersion: PROMPT_VERSION },
      sessionId: opts.sessionId,
      publish: opts.analytics.publish,
      pii: { mode: 'hashed', transcripts: opts.analytics.transcripts ?? true },
      labels: { ...(opts.analytics.labels ?? {}), audio: 'simulated-caller', transcripts: 'scripted' },
      ...(opts.analytics.progress ? { progress: opts.analytics.progress } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
  }
  const closed = new Promise<void>((resolve) =>
    session.once(voice.AgentSessionEventTypes.Close, () => resolve()),
  );
  const link = await linkConsoleAudio(session, broker);
  const chars = opts.script.steps.reduce((n, s) => n + ('say' in s ? s.say.length : 0), 0);
  const deadlineMs = opts.deadlineMs ?? 60_000 + chars * 240;
  let timer: NodeJS.Timeout | undefined;
  try {
    await session.start({ agent: sales.agent });
    const result = await Promise.race([
      caller.run(),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), deadlineMs);
      }),
    ]);
    if (!result) {
      // Past the deadline: hang up; the payload is still finalised and published (end reason error).
      caller.close();
      await session.close().catch(() => undefined);
      const payload = handle ? await handle.finalize('error') : undefined;
      return {
        ...(payload ? { payload } : {}),
        caller: caller.partialResult(),
        ms: Date.now() - started,
        deadlineExceeded: true,
      };
    }
    if (caller.hungUp) {
      session.shutdown({ drain: false, reason: voice.CloseReason.PARTICIPANT_DISCONNECTED });
    } else if (sales.endCallReason() === undefined) {
      await session.close();
    }
    // end_call closes the session once its goodbye has played; give it the time that takes.
    await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
    const payload = handle ? await handle.finalize('unknown') : undefined;
    return {
      ...(payload ? { payload } : {}),
      ...(handle ? { analytics: handle.counters() } : {}),
      caller: result,
      ms: Date.now() - started,
    };
  } finally {
    clearTimeout(timer);
    caller.close();
    if (handle && !handle.finalized) await handle.finalize('error').catch(() => undefined);
    await session.close().catch(() => undefined);
    await link.close();
    opts.speech.transcriber.forget(key);
  }
}

/**
 * agents-js re-emits a TTS request failure as an `error` event on the TTS object; one that
 * arrives after the session stopped listening (a request cut by the hang-up) would be an
 * unhandled `error` event and end the process. The session still receives every error while it runs.
 */
function ttsWithErrorListener(tts: openai.TTS): openai.TTS {
  tts.on('error', () => undefined);
  return tts;
}
