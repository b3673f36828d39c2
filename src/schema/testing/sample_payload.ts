/** Builds valid session payloads for tests and benchmarks. Shipped so every package tests against one shape. */
import { SCHEMA_VERSION, type SessionPayload } from '../session_payload.js';

export function samplePayload(
  overrides: Partial<SessionPayload> = {},
  opts: { turns?: number } = {},
): SessionPayload {
  const turnCount = opts.turns ?? 6;
  const start = Date.parse('2026-11-20T15:00:00.000Z');
  const turns: SessionPayload['turns'] = Array.from({ length: turnCount }, (_, i) => ({
    turn_id: `SP_turn${i}`,
    index: i,
    started_at: new Date(start + i * 8000).toISOString(),
    eou_delay_ms: 300 + i,
    transcription_delay_ms: 120,
    on_user_turn_completed_delay_ms: 1,
    llm_ttft_ms: 450 + 10 * i,
    llm_duration_ms: 900,
    llm_prompt_tokens: 800 + 50 * i,
    llm_prompt_cached_tokens: 0,
    llm_completion_tokens: 40,
    tts_ttfb_ms: 200,
    tts_duration_ms: 600,
    tts_audio_duration_ms: 3000,
    tts_characters: 120,
    e2e_latency_ms: 300 + i + 450 + 10 * i + 200,
    interrupted: false,
  }));
  const ev = (turn_index: number, rule: string) => ({ turn_index, span: [0, 10] as [number, number], rule });
  return {
    schema_version: SCHEMA_VERSION,
    session_id: 'sess_sample_0001',
    agent: { name: 'signalroom-sales', version: '0.1.0', prompt_version: 'sales-v1' },
    room: { name: 'demo-room', sid: null },
    participant: { identity: 'prospect-1', kind: 'standard' },
    started_at: new Date(start).toISOString(),
    ended_at: new Date(start + turnCount * 8000).toISOString(),
    duration_ms: turnCount * 8000,
    end_reason: 'user_initiated',
    signals: {
      team_size: { value: 12, evidence: [ev(1, 'team_size.people')] },
      monthly_volume: { value: 217, evidence: [ev(2, 'monthly_volume.per_period')] },
      integration_needs: {
        value: ['hubspot', 'slack'],
        evidence: [ev(3, 'integration.name'), ev(3, 'integration.name')],
      },
      urgency: { value: 'high', evidence: [ev(4, 'urgency.high')] },
      industry: { value: 'legal', evidence: [ev(0, 'industry.legal')] },
    },
    tool_calls: [
      {
        call_id: 'call_1',
        name: 'search_knowledge',
        arguments: { query: 'pricing' },
        status: 'ok',
        output_summary: 'pricing.md: Team plan is $39 per seat per month',
        started_at: new Date(start + 20000).toISOString(),
        duration_ms: 12,
        turn_id: 'SP_turn2',
      },
      {
        call_id: 'call_2',
        name: 'book_sales_meeting',
        arguments: { name: 'sha256:ab', email: 'sha256:cd', time: '2026-11-24T15:00:00Z', timezone: 'UTC' },
        status: 'ok',
        output_summary: 'Booked for 2026-11-24 15:00 UTC',
        started_at: new Date(start + 40000).toISOString(),
        duration_ms: 30,
        turn_id: 'SP_turn5',
      },
    ],
    turns,
    unattributed_metrics: [
      { type: 'stt_metrics', at: null, values: { audio_duration_ms: 42000, streamed: true } },
    ],
    stage: {
      reached: 'closing',
      completed: ['greeting', 'discovery', 'qualification', 'solution', 'booking'],
    },
    outcome: 'meeting_booked',
    lead: { pii_mode: 'full', name: 'Maria Lopez', email: 'maria@example.com', company: 'Lopez Legal' },
    usage: {
      by_model: [
        {
          type: 'llm_usage',
          provider: 'openai',
          model: 'gpt-4.1-mini',
          input_tokens: 6000,
          input_cached_tokens: 0,
          input_audio_tokens: 0,
          input_text_tokens: 6000,
          output_tokens: 240,
          output_audio_tokens: 0,
          output_text_tokens: 240,
          session_duration_ms: 0,
        },
        {
          type: 'stt_usage',
          provider: 'deepgram',
          model: 'nova-3',
          input_tokens: 0,
          output_tokens: 0,
          audio_duration_ms: 42000,
        },
        {
          type: 'tts_usage',
          provider: 'openai',
          model: 'gpt-4o-mini-tts',
          input_tokens: 0,
          output_tokens: 0,
          characters_count: 720,
          audio_duration_ms: 18000,
        },
      ],
      summary: {
        llm_prompt_tokens: 6000,
        llm_prompt_cached_tokens: 0,
        llm_completion_tokens: 240,
        stt_audio_duration_s: 42,
        tts_characters_count: 720,
        tts_audio_duration_s: 18,
      },
    },
    errors: [],
    analytics: { handler_errors: 0, events_seen: 60 },
    ...overrides,
  };
}
