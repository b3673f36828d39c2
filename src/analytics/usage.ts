/** `metrics.ModelUsageCollector` rows in the payload's snake_case shape, and their summary (pure). */
import type { metrics } from '@livekit/agents';
import type { ModelUsage, Usage } from '../schema/session_payload.js';

const n = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

export function toPayloadModelUsage(u: metrics.ModelUsage): ModelUsage {
  switch (u.type) {
    case 'llm_usage':
      return {
        type: 'llm_usage',
        provider: u.provider,
        model: u.model,
        input_tokens: n(u.inputTokens),
        input_cached_tokens: n(u.inputCachedTokens),
        input_audio_tokens: n(u.inputAudioTokens),
        input_text_tokens: n(u.inputTextTokens),
        output_tokens: n(u.outputTokens),
        output_audio_tokens: n(u.outputAudioTokens),
        output_text_tokens: n(u.outputTextTokens),
        session_duration_ms: n(u.sessionDurationMs),
      };
    case 'stt_usage':
      return {
        type: 'stt_usage',
        provider: u.provider,
        model: u.model,
        input_tokens: n(u.inputTokens),
        output_tokens: n(u.outputTokens),
        audio_duration_ms: n(u.audioDurationMs),
      };
    case 'tts_usage':
      return {
        type: 'tts_usage',
        provider: u.provider,
        model: u.model,
        input_tokens: n(u.inputTokens),
        output_tokens: n(u.outputTokens),
        characters_count: n(u.charactersCount),
        audio_duration_ms: n(u.audioDurationMs),
      };
    default:
      return { type: u.type, provider: u.provider, model: u.model, total_requests: n(u.totalRequests) };
  }
}

/** The familiar `UsageCollector` totals, computed from the per-model rows. */
export function summariseUsage(byModel: readonly ModelUsage[]): Usage['summary'] {
  const s = {
    llm_prompt_tokens: 0,
    llm_prompt_cached_tokens: 0,
    llm_completion_tokens: 0,
    stt_audio_duration_s: 0,
    tts_characters_count: 0,
    tts_audio_duration_s: 0,
  };
  for (const u of byModel) {
    if (u.type === 'llm_usage') {
      s.llm_prompt_tokens += u.input_tokens;
      s.llm_prompt_cached_tokens += u.input_cached_tokens;
      s.llm_completion_tokens += u.output_tokens;
    } else if (u.type === 'stt_usage') {
      s.stt_audio_duration_s += u.audio_duration_ms / 1000;
    } else if (u.type === 'tts_usage') {
      s.tts_characters_count += u.characters_count;
      s.tts_audio_duration_s += u.audio_duration_ms / 1000;
    }
  }
  return s;
}

export function usageFrom(collector: metrics.ModelUsageCollector): Usage {
  const by_model = collector.flatten().map(toPayloadModelUsage);
  return { by_model, summary: summariseUsage(by_model) };
}
