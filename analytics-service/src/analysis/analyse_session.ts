/**
 * Per-session analysis: latency per component against SLAs, turn counts, talk ratio, signal
 * coverage and knowledge questions. Pure.
 *
 * Talk ratio = agent speaking time / (agent + user speaking time). Agent time is the TTS audio
 * produced (per turn, else usage); user time is the STT audio duration (unattributed `stt_metrics`,
 * else usage). A streaming STT counts every second it was fed, so with streaming STT the user side
 * is an upper bound and the ratio a lower bound. Null when either side is unknown or both are zero.
 */
import { type SessionPayload, SIGNAL_NAMES, type SignalName, type Turn } from '../../../src/schema/index.js';
import type { LatencyComponent, LatencyStats, SessionAnalysis } from '../types.js';
import { percentileOfSorted, sortedSamples } from './percentiles.js';
import { DEFAULT_SLAS, type Slas } from './slas.js';

export interface AnalysisOptions {
  /** Tool names that answer a prospect's question from the knowledge base. */
  knowledgeToolNames?: readonly string[];
}

export const DEFAULT_KNOWLEDGE_TOOL_NAMES: readonly string[] = ['search_knowledge'];

const COMPONENTS: { component: LatencyComponent; label: string; pick: (t: Turn) => number | null }[] = [
  { component: 'eou', label: 'end-of-utterance delay', pick: (t) => t.eou_delay_ms },
  { component: 'stt', label: 'transcription delay', pick: (t) => t.transcription_delay_ms },
  { component: 'llm', label: 'LLM time to first token', pick: (t) => t.llm_ttft_ms },
  { component: 'tts', label: 'TTS time to first byte', pick: (t) => t.tts_ttfb_ms },
  { component: 'e2e', label: 'end-to-end response latency', pick: (t) => t.e2e_latency_ms },
  {
    component: 'perceived',
    label: "perceived latency (end of the caller's speech to the first audible reply)",
    pick: (t) => t.perceived_latency_ms ?? null,
  },
];

const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

function latencyStats(turns: readonly Turn[], slas: Slas): { stats: LatencyStats[]; breaches: string[] } {
  const stats: LatencyStats[] = [];
  const breaches: string[] = [];
  for (const { component, label, pick } of COMPONENTS) {
    // agents-js reports -1 for "unknown" TTFT/TTFB: only finite, non-negative values are samples.
    const samples = sortedSamples(turns.map(pick));
    const p95 = round1(percentileOfSorted(samples, 95));
    const sla = slas[component] ?? null;
    const breached = sla !== null && p95 !== null && p95 > sla;
    stats.push({
      component,
      samples: samples.length,
      p50_ms: round1(percentileOfSorted(samples, 50)),
      p95_ms: p95,
      max_ms: samples.length ? round1(samples[samples.length - 1] ?? 0) : null,
      sla_p95_ms: sla,
      breached,
    });
    if (breached) {
      breaches.push(`${component} p95 ${p95} ms > SLA ${sla} ms (${label}, ${samples.length} turns)`);
    }
  }
  return { stats, breaches };
}

function sumOrNull(values: readonly (number | null | undefined)[]): number | null {
  const known = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0);
  return known.length ? known.reduce((a, b) => a + b, 0) : null;
}

/** Agent and user speaking time in ms, each null when the payload does not say. */
export function talkTimes(payload: SessionPayload): { agent_ms: number | null; user_ms: number | null } {
  // A voice call measured from its audio: what played and what the user said (VAD).
  if (payload.voice) return { agent_ms: payload.voice.agent_talk_ms, user_ms: payload.voice.user_talk_ms };
  const byModel = payload.usage.by_model;
  const agent_ms =
    sumOrNull(payload.turns.map((t) => t.tts_audio_duration_ms)) ??
    sumOrNull(byModel.map((u) => (u.type === 'tts_usage' ? u.audio_duration_ms : null))) ??
    (payload.usage.summary.tts_audio_duration_s > 0
      ? payload.usage.summary.tts_audio_duration_s * 1000
      : null);
  const user_ms =
    sumOrNull(
      payload.unattributed_metrics
        .filter((m) => m.type === 'stt_metrics')
        .map((m) => (typeof m.values.audio_duration_ms === 'number' ? m.values.audio_duration_ms : null)),
    ) ??
    sumOrNull(byModel.map((u) => (u.type === 'stt_usage' ? u.audio_duration_ms : null))) ??
    (payload.usage.summary.stt_audio_duration_s > 0
      ? payload.usage.summary.stt_audio_duration_s * 1000
      : null);
  return { agent_ms, user_ms };
}

/** Analyses one session against the SLAs (defaults: STT 500, LLM 2000, TTS 800, e2e 3000 ms on p95). */
export function analyseSession(
  payload: SessionPayload,
  slas: Slas = DEFAULT_SLAS,
  opts: AnalysisOptions = {},
): SessionAnalysis {
  const { stats, breaches } = latencyStats(payload.turns, slas);
  const { agent_ms, user_ms } = talkTimes(payload);
  const talk_ratio =
    agent_ms === null || user_ms === null || agent_ms + user_ms === 0
      ? null
      : Math.round((agent_ms / (agent_ms + user_ms)) * 1000) / 1000;
  const present: SignalName[] = SIGNAL_NAMES.filter((n) => payload.signals[n] !== undefined);
  const missing: SignalName[] = SIGNAL_NAMES.filter((n) => payload.signals[n] === undefined);
  const knowledgeTools = opts.knowledgeToolNames ?? DEFAULT_KNOWLEDGE_TOOL_NAMES;
  return {
    latency: stats,
    sla_breaches: breaches,
    turn_count: payload.turns.length,
    interrupted_turns: payload.turns.filter((t) => t.interrupted).length,
    talk_ratio,
    signal_coverage: {
      present,
      missing,
      ratio: Math.round((present.length / SIGNAL_NAMES.length) * 100) / 100,
    },
    knowledge_questions: payload.tool_calls.filter((c) => knowledgeTools.includes(c.name)).length,
  };
}
