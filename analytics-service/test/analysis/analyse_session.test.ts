import { describe, expect, it } from 'vitest';
import type { SessionPayload } from '../../../src/schema/index.js';
import { samplePayload } from '../../../src/schema/testing/index.js';
import { analyseSession, DEFAULT_SLAS, percentile, SlaEnv, slasFromEnv } from '../../src/analysis/index.js';

const stat = (a: ReturnType<typeof analyseSession>, c: string) => a.latency.find((l) => l.component === c)!;

describe('percentile', () => {
  it('uses nearest rank and ignores negative or non-finite samples', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5], 95)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([-1, Number.NaN, 7], 50)).toBe(7);
  });
});

describe('analyseSession', () => {
  it('reports p50/p95/max per component against the default SLAs', () => {
    const a = analyseSession(samplePayload());
    expect(stat(a, 'llm')).toEqual({
      component: 'llm',
      samples: 6,
      p50_ms: 470,
      p95_ms: 500,
      max_ms: 500,
      sla_p95_ms: 2000,
      breached: false,
    });
    expect(stat(a, 'eou').sla_p95_ms).toBeNull();
    expect(a.sla_breaches).toEqual([]);
    expect(a.turn_count).toBe(6);
  });

  it('lists breaches in plain language', () => {
    const p = samplePayload();
    const turns = p.turns.map((t, i) => ({
      ...t,
      llm_ttft_ms: i === 5 ? 2400 : 600,
      tts_ttfb_ms: 900,
      e2e_latency_ms: 3500,
    }));
    const a = analyseSession({ ...p, turns });
    expect(a.sla_breaches).toEqual([
      'llm p95 2400 ms > SLA 2000 ms (LLM time to first token, 6 turns)',
      'tts p95 900 ms > SLA 800 ms (TTS time to first byte, 6 turns)',
      'e2e p95 3500 ms > SLA 3000 ms (end-to-end response latency, 6 turns)',
    ]);
    expect(stat(a, 'llm').breached).toBe(true);
  });

  it('ignores unknown (-1 or null) latencies instead of counting them', () => {
    const p = samplePayload();
    const turns = p.turns.map((t, i) => ({ ...t, tts_ttfb_ms: i < 3 ? -1 : 250, llm_ttft_ms: null }));
    const a = analyseSession({ ...p, turns });
    expect(stat(a, 'tts')).toMatchObject({ samples: 3, p50_ms: 250 });
    expect(stat(a, 'llm')).toMatchObject({ samples: 0, p95_ms: null, breached: false });
  });

  it('takes configurable SLAs; SLA_*_P95_MS=0 turns one off', () => {
    const slas = slasFromEnv(SlaEnv.parse({ SLA_LLM_P95_MS: '400', SLA_TTS_P95_MS: '0' }));
    expect(slas).toEqual({ ...DEFAULT_SLAS, llm: 400, tts: null });
    const a = analyseSession(samplePayload(), slas);
    expect(a.sla_breaches).toEqual(['llm p95 500 ms > SLA 400 ms (LLM time to first token, 6 turns)']);
  });

  it('counts interrupted turns and knowledge questions', () => {
    const p = samplePayload();
    const turns = p.turns.map((t, i) => ({ ...t, interrupted: i % 2 === 0 }));
    const k = p.tool_calls[0]!;
    const a = analyseSession({ ...p, turns, tool_calls: [...p.tool_calls, { ...k, call_id: 'k2' }] });
    expect(a.interrupted_turns).toBe(3);
    expect(a.knowledge_questions).toBe(2);
    expect(analyseSession(p, DEFAULT_SLAS, { knowledgeToolNames: ['faq'] }).knowledge_questions).toBe(0);
  });

  it('talk ratio: agent TTS audio vs user STT audio, from turns and unattributed metrics, else usage', () => {
    expect(analyseSession(samplePayload()).talk_ratio).toBe(0.3); // 18 s agent vs 42 s user
    const p = samplePayload();
    const noTurnAudio: SessionPayload = {
      ...p,
      turns: p.turns.map((t) => ({ ...t, tts_audio_duration_ms: null })),
      unattributed_metrics: [],
    };
    expect(analyseSession(noTurnAudio).talk_ratio).toBe(0.3); // usage: tts 18 000 ms, stt 42 000 ms
    const unknown: SessionPayload = {
      ...noTurnAudio,
      usage: {
        by_model: [],
        summary: { ...p.usage.summary, stt_audio_duration_s: 0, tts_audio_duration_s: 0 },
      },
    };
    expect(analyseSession(unknown).talk_ratio).toBeNull();
  });

  it('signal coverage says which of the five signals are missing', () => {
    const p = samplePayload();
    const { urgency: _u, industry: _i, ...rest } = p.signals;
    const a = analyseSession({ ...p, signals: rest });
    expect(a.signal_coverage).toEqual({
      present: ['team_size', 'monthly_volume', 'integration_needs'],
      missing: ['urgency', 'industry'],
      ratio: 0.6,
    });
  });
});
