/**
 * Latency SLAs on p95, per component, in milliseconds. A component without an SLA (`null`) is
 * measured but never breached.
 */
import { z } from 'zod';
import type { LatencyComponent } from '../types.js';

export type Slas = Record<LatencyComponent, number | null>;

export const DEFAULT_SLAS: Readonly<Slas> = Object.freeze({
  eou: null,
  stt: 500,
  llm: 2000,
  tts: 800,
  e2e: 3000,
  /** The silence the caller hears (voice calls): measured, no SLA unless set. */
  perceived: null,
});

/** Env section: `SLA_<COMPONENT>_P95_MS`; `0` turns an SLA off. */
export const SlaEnv = z.object({
  SLA_EOU_P95_MS: z.coerce.number().int().nonnegative().optional(),
  SLA_STT_P95_MS: z.coerce.number().int().nonnegative().optional(),
  SLA_LLM_P95_MS: z.coerce.number().int().nonnegative().optional(),
  SLA_TTS_P95_MS: z.coerce.number().int().nonnegative().optional(),
  SLA_E2E_P95_MS: z.coerce.number().int().nonnegative().optional(),
  SLA_PERCEIVED_P95_MS: z.coerce.number().int().nonnegative().optional(),
});
export type SlaEnv = z.infer<typeof SlaEnv>;

/** SLAs from a parsed `SlaEnv` over the defaults. */
export function slasFromEnv(env: SlaEnv): Slas {
  const pick = (v: number | undefined, d: number | null) => (v === undefined ? d : v === 0 ? null : v);
  return {
    eou: pick(env.SLA_EOU_P95_MS, DEFAULT_SLAS.eou),
    stt: pick(env.SLA_STT_P95_MS, DEFAULT_SLAS.stt),
    llm: pick(env.SLA_LLM_P95_MS, DEFAULT_SLAS.llm),
    tts: pick(env.SLA_TTS_P95_MS, DEFAULT_SLAS.tts),
    e2e: pick(env.SLA_E2E_P95_MS, DEFAULT_SLAS.e2e),
    perceived: pick(env.SLA_PERCEIVED_P95_MS, DEFAULT_SLAS.perceived),
  };
}
