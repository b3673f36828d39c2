/** Builds the session's models from config: Deepgram STT, OpenAI(-compatible) LLM, OpenAI or Deepgram TTS. */
import { inference, type llm, type stt, type tts, type VAD, type voice } from '@livekit/agents';

type TurnDetectionMode = NonNullable<ConstructorParameters<typeof voice.AgentSession>[0]>['turnDetection'];

import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as openai from '@livekit/agents-plugin-openai';
import type { AgentConfig } from './config.js';
import { DeepgramSTT } from './deepgram_stt.js';

export interface SalesModels {
  llm: llm.LLM;
  stt?: stt.STT;
  tts?: tts.TTS;
  vad: VAD | null;
  turnDetection?: TurnDetectionMode;
}

export function buildLlm(config: Pick<AgentConfig, 'llm'>): llm.LLM {
  return new openai.LLM({
    model: config.llm.model,
    ...(config.llm.apiKey ? { apiKey: config.llm.apiKey } : {}),
    ...(config.llm.baseURL ? { baseURL: config.llm.baseURL } : {}),
    ...(config.llm.temperature !== undefined ? { temperature: config.llm.temperature } : {}),
  });
}

/** All models for a voice session; in text-only (console) mode, just the LLM. */
export function buildModels(config: AgentConfig, vad: VAD | undefined): SalesModels {
  const model = buildLlm(config);
  if (config.textOnly) return { llm: model, vad: null, turnDetection: 'manual' };
  const sttModel = new DeepgramSTT({
    apiKey: config.stt.apiKey,
    model: config.stt.model,
    language: config.stt.language,
    // The STT plugin speaks WebSocket (ws/wss), the TTS plugin HTTP (http/https): one variable serves both.
    ...(config.stt.baseUrl ? { baseUrl: config.stt.baseUrl.replace(/^http/, 'ws') } : {}),
  });
  const ttsModel: tts.TTS =
    config.tts.provider === 'deepgram'
      ? new deepgram.TTS({
          apiKey: config.stt.apiKey,
          model: config.tts.model,
          ...(config.stt.baseUrl ? { baseUrl: config.stt.baseUrl.replace(/^ws/, 'http') } : {}),
        })
      : new openai.TTS({
          model: config.tts.model,
          ...(config.tts.voice ? { voice: config.tts.voice as openai.TTSVoices } : {}),
          ...(config.llm.apiKey ? { apiKey: config.llm.apiKey } : {}),
          ...((config.tts.baseURL ?? config.llm.baseURL)
            ? { baseURL: config.tts.baseURL ?? config.llm.baseURL }
            : {}),
        });
  const turnDetection: TurnDetectionMode | undefined =
    config.turnDetection === 'multilingual' ? new inference.TurnDetector() : config.turnDetection;
  return {
    llm: model,
    stt: sttModel,
    tts: ttsModel,
    vad: vad ?? null,
    ...(turnDetection ? { turnDetection } : {}),
  };
}
