/**
 * The analysis model's connection, from the environment (read by the worker's config loader).
 * Off unless `ANALYSIS_MODEL` is set; then `ANALYSIS_API_KEY` is required. Any OpenAI-compatible
 * endpoint works (`ANALYSIS_BASE_URL`: OpenAI, Azure/OpenRouter/vLLM/Ollama gateways, the demo's
 * local replay server).
 */
import { z } from 'zod';
import { blankToUndefined, type EnvSectionResult, parseEnvSection } from '../destinations/env_section.js';

export interface AnalysisEnvConfig {
  baseUrl: string;
  model: string;
  apiKey: string;
  /** Provider name the price book prices the analysis tokens under (default: the base URL's host). */
  provider: string;
  /** Hard bound on one call's analysis, every attempt included. */
  timeoutMs: number;
  maxAttempts: number;
  configPath: string | undefined;
}

export const AnalysisEnv = z.object({
  ANALYSIS_MODEL: z.string().min(1).optional(),
  ANALYSIS_BASE_URL: z.url().default('https://api.openai.com/v1'),
  ANALYSIS_API_KEY: z.string().min(1).optional(),
  ANALYSIS_PROVIDER: z.string().min(1).optional(),
  ANALYSIS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(20_000),
  ANALYSIS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(5).default(2),
  ANALYSIS_CONFIG_PATH: z.string().min(1).optional(),
});

export function analysisConfigFromEnv(
  env: Record<string, string | undefined>,
): EnvSectionResult<AnalysisEnvConfig> {
  const r = parseEnvSection(AnalysisEnv, blankToUndefined(env));
  if (!r.ok) return r;
  const e = r.value;
  if (!e.ANALYSIS_MODEL) return { ok: true, config: null };
  if (!e.ANALYSIS_API_KEY) {
    return { ok: false, error: 'ANALYSIS_API_KEY: required when ANALYSIS_MODEL is set' };
  }
  return {
    ok: true,
    config: {
      baseUrl: e.ANALYSIS_BASE_URL.replace(/\/+$/, ''),
      model: e.ANALYSIS_MODEL,
      apiKey: e.ANALYSIS_API_KEY,
      provider: e.ANALYSIS_PROVIDER ?? new URL(e.ANALYSIS_BASE_URL).host,
      timeoutMs: e.ANALYSIS_TIMEOUT_MS,
      maxAttempts: e.ANALYSIS_MAX_ATTEMPTS,
      configPath: e.ANALYSIS_CONFIG_PATH,
    },
  };
}
