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

import type { VAD } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as openai from '@livekit/agents-plugin-openai';
import { AGENT_NAME, AGENT_VERSION } from '../../agent/agent.js';
import { linkConsoleAudio } from '../../agent/console/console_audio.js';
import { PROMPT_VERSION } from '../../agent/instructions.js';
import type { KnowledgeBase } from '../../agent/knowledge/knowledge_base.js';
import { createSalesSession } from '../../agent/session.js';
import { type AnalyticsHandle, attachAnalytics, type PublishFn } from '../../analytics/index.js';
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
  analytics?: { publish: PublishFn; labels?: Record<string, string>; transcripts?: boolean } | false;
  logger?: Logger;
  record?: boolean;
  /** Whole call deadline, ms (default: 30 s + 3 × the script's text length in characters × 80 ms). */
  deadlineMs?: number;
  replyTimeoutMs?: number;
}

export interface VoiceCallResult {
  payload?: SessionPayload;
  caller: CallerResult;
  /** Wall-clock ms the call took. */
  ms: number;
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
    stt: new deepgram.STT({
      apiKey: key,
      baseUrl: opts.speech.deepgramBaseUrl,
      model: VOICE_STT_MODEL,
      language: 'en-US',
    }),
    tts: new openai.TTS({
      baseURL: opts.speech.openaiBaseUrl,
      apiKey: 'local-speech',
      model: VOICE_TTS_MODEL,
      voice: 'alloy',
    }),
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
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
  }
  const link = await linkConsoleAudio(session, broker);
  const chars = opts.script.steps.reduce((n, s) => n + ('say' in s ? s.say.length : 0), 0);
  const deadlineMs = opts.deadlineMs ?? 30_000 + chars * 80 * 3;
  let timer: NodeJS.Timeout | undefined;
  try {
    await session.start({ agent: sales.agent });
    const result = await Promise.race([
      caller.run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`voice call ${opts.sessionId} passed its ${deadlineMs} ms deadline`)),
          deadlineMs,
        );
      }),
    ]);
    if (sales.endCallReason() === undefined) await session.close();
    const payload = handle
      ? await handle.finalize(sales.endCallReason() ? 'agent_ended' : 'user_initiated')
      : undefined;
    return { ...(payload ? { payload } : {}), caller: result, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
    caller.close();
    if (handle && !handle.finalized) await handle.finalize('error').catch(() => undefined);
    await session.close().catch(() => undefined);
    await link.close();
    opts.speech.transcriber.forget(key);
  }
}
