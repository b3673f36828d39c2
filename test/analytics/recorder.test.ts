import type { AgentMetrics } from '@livekit/agents';
import { describe, expect, it } from 'vitest';
import {
  deriveStageAndOutcome,
  hashContact,
  type RecordedEvent,
  redactArguments,
  SessionRecorder,
  SignalState,
  type StageFacts,
} from '../../src/analytics/index.js';
import { redactText } from '../../src/analytics/pii.js';
import { SessionPayloadV1 } from '../../src/schema/index.js';

const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const hit = <T>(value: T, span: [number, number], rule = 'r') => ({ value, span, rule });

function recorder(over: Partial<ConstructorParameters<typeof SessionRecorder>[0]> = {}) {
  return new SessionRecorder({
    sessionId: 'sess_1',
    agent: { name: 'a', version: '1', prompt_version: 'p' },
    startedAt: T0,
    pii: 'hashed',
    transcripts: false,
    ...over,
  });
}

describe('SignalState (merge rules)', () => {
  it('a later statement replaces a value and keeps the old one in history', () => {
    const s = new SignalState();
    s.merge({ turnIndex: 0, detection: { team_size: hit(12, [10, 20], 'team_size.people') } });
    s.merge({ turnIndex: 2, detection: { team_size: hit(15, [0, 9], 'team_size.people') } });
    expect(s.toSignals().team_size).toEqual({
      value: 15,
      evidence: [{ turn_index: 2, span: [0, 9], rule: 'team_size.people' }],
      history: [{ value: 12, evidence: { turn_index: 0, span: [10, 20], rule: 'team_size.people' } }],
    });
  });

  it('restating the same value adds evidence without history', () => {
    const s = new SignalState();
    s.merge({ turnIndex: 0, detection: { industry: hit('legal', [1, 4]) } });
    s.merge({ turnIndex: 1, detection: { industry: hit('legal', [5, 9]) } });
    const ind = s.toSignals().industry;
    expect(ind?.evidence.map((e) => e.turn_index)).toEqual([0, 1]);
    expect(ind?.history).toBeUndefined();
  });

  it('integration needs accumulate sorted; a later negation removes an id', () => {
    const s = new SignalState();
    s.merge({
      turnIndex: 0,
      detection: { integration_needs: [hit('slack', [0, 5]), hit('hubspot', [10, 17])] },
    });
    s.merge({ turnIndex: 1, detection: { integration_needs: [hit('box', [3, 6]), hit('slack', [20, 25])] } });
    expect(s.toSignals().integration_needs?.value).toEqual(['box', 'hubspot', 'slack']);
    // evidence: one per item, in the order stated
    expect(s.toSignals().integration_needs?.evidence.map((e) => [e.turn_index, e.span[0]])).toEqual([
      [0, 0],
      [0, 10],
      [1, 3],
    ]);
    s.merge({ turnIndex: 2, detection: { integrations_negated: [hit('slack', [7, 12])] } });
    const needs = s.toSignals().integration_needs;
    expect(needs?.value).toEqual(['box', 'hubspot']);
    expect(needs?.history).toEqual([
      { value: ['box', 'hubspot', 'slack'], evidence: { turn_index: 0, span: [0, 5], rule: 'r' } },
    ]);
    s.merge({
      turnIndex: 3,
      detection: { integrations_negated: [hit('box', [0, 3]), hit('hubspot', [5, 9])] },
    });
    expect(s.toSignals().integration_needs).toBeUndefined();
    expect(s.count).toBe(0);
  });

  it('keeps an excerpt only when given the text', () => {
    const s = new SignalState();
    s.merge({ turnIndex: 0, detection: { urgency: hit('high', [8, 12]) }, text: 'We need ASAP delivery' });
    expect(s.toSignals().urgency?.evidence[0]?.excerpt).toBe('ASAP');
  });
});

describe('deriveStageAndOutcome', () => {
  const facts = (over: Partial<StageFacts>): StageFacts => ({
    signalCount: 0,
    toolCalls: [],
    assistantMessages: 1,
    endReason: 'user_initiated',
    closedWithError: false,
    ...over,
  });
  const tool = (name: string, status: 'ok' | 'error' = 'ok', args: Record<string, unknown> = {}) => ({
    name,
    status,
    arguments: args,
  });
  const search = tool('search_knowledge');
  const book = tool('book_sales_meeting');
  const endCall = (reason: string) => tool('end_call', 'ok', { reason });

  it.each([
    ['greeting', 'completed', facts({})],
    ['discovery', 'completed', facts({ signalCount: 1 })],
    ['qualification', 'completed', facts({ signalCount: 3 })],
    ['solution', 'completed', facts({ signalCount: 1, toolCalls: [search] })],
    ['solution', 'completed', facts({ signalCount: 1, toolCalls: [search], endReason: 'unknown' })],
    ['greeting', 'completed', facts({ toolCalls: [tool('search_knowledge', 'error')] })],
    ['closing', 'meeting_booked', facts({ toolCalls: [book] })],
    ['closing', 'meeting_booked', facts({ toolCalls: [book], endReason: 'participant_disconnected' })],
    ['closing', 'callback_requested', facts({ toolCalls: [tool('request_callback')] })],
    // A failed booking was still attempted, but no next step was agreed.
    ['booking', 'completed', facts({ toolCalls: [tool('book_sales_meeting', 'error')] })],
    ['booking', 'completed', facts({ toolCalls: [search, tool('book_sales_meeting', 'error')] })],
    ['greeting', 'completed', facts({ toolCalls: [endCall('done')] })],
    // Completed normally after solution: the agent said goodbye (whoever hung up first).
    ['closing', 'completed', facts({ toolCalls: [search, endCall('done')] })],
    ['closing', 'completed', facts({ toolCalls: [search, endCall('done')], endReason: 'agent_ended' })],
    [
      'closing',
      'completed',
      facts({ toolCalls: [search, endCall('done')], endReason: 'participant_disconnected' }),
    ],
    ['discovery', 'disconnected', facts({ signalCount: 2, endReason: 'participant_disconnected' })],
    ['solution', 'disconnected', facts({ toolCalls: [search], endReason: 'participant_disconnected' })],
    ['greeting', 'disconnected', facts({ endReason: 'job_shutdown' })],
    ['greeting', 'error', facts({ endReason: 'error' })],
    ['greeting', 'error', facts({ closedWithError: true })],
    ['solution', 'error', facts({ endReason: 'recovered', signalCount: 3, toolCalls: [search] })],
  ] as const)('%#: reaches %s, outcome %s', (reached, outcome, f) => {
    const r = deriveStageAndOutcome(f);
    expect(r.stage.reached).toBe(reached);
    expect(r.outcome).toBe(outcome);
  });

  it.each([
    ['not_interested', [endCall('not_interested')], 0, 'greeting', ['greeting']],
    ['declined after discovery', [endCall('prospect declined')], 2, 'discovery', ['greeting', 'discovery']],
    [
      'not a fit after questions were answered',
      [search, endCall('not a fit')],
      3,
      'solution',
      ['greeting', 'discovery', 'qualification', 'solution'],
    ],
    [
      'no interest after a failed booking',
      [search, tool('book_sales_meeting', 'error'), endCall('no interest')],
      1,
      'booking',
      ['greeting', 'discovery', 'solution', 'booking'],
    ],
  ] as const)(
    'a refusal (%s) stops where it was, never at closing',
    (_, toolCalls, signalCount, reached, completed) => {
      const r = deriveStageAndOutcome(facts({ toolCalls: [...toolCalls], signalCount }));
      expect(r.outcome).toBe('not_interested');
      expect(r.stage).toEqual({ reached, completed: [...completed] });
    },
  );

  it('lists the stages whose condition was met, in order, skipping the others', () => {
    expect(deriveStageAndOutcome(facts({ toolCalls: [search, book] })).stage).toEqual({
      reached: 'closing',
      completed: ['greeting', 'solution', 'booking', 'closing'],
    });
    expect(deriveStageAndOutcome(facts({ signalCount: 5, toolCalls: [search, book] })).stage).toEqual({
      reached: 'closing',
      completed: ['greeting', 'discovery', 'qualification', 'solution', 'booking', 'closing'],
    });
    // The agent never spoke: the call started (greeting) but no stage was completed.
    expect(deriveStageAndOutcome(facts({ assistantMessages: 0, endReason: 'job_shutdown' })).stage).toEqual({
      reached: 'greeting',
      completed: [],
    });
  });
});

describe('PII policy', () => {
  it('hashes the normalised value', () => {
    expect(hashContact('email', ' Maria@Example.COM ')).toBe(hashContact('email', 'maria@example.com'));
    expect(hashContact('phone', '+1 (555) 010-9999')).toBe(hashContact('phone', '+15550109999'));
    expect(hashContact('name', 'Maria  Lopez')).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('applies the same policy to tool arguments', () => {
    const args = { name: 'Maria', email: 'm@x.io', phone: '555 123 4567', time: 'tue' };
    expect(redactArguments('full', args)).toEqual(args);
    expect(redactArguments('none', args)).toEqual({ time: 'tue' });
    expect(redactArguments('hashed', args)).toEqual({
      name: hashContact('name', 'Maria'),
      email: hashContact('email', 'm@x.io'),
      phone: hashContact('phone', '555 123 4567'),
      time: 'tue',
    });
  });

  it('masks emails and phone numbers in free text, not dates', () => {
    expect(redactText('hashed', 'mail a@b.co or call +1 555-010-9999 on 2026-11-24T15:00Z')).toBe(
      'mail [email] or call [phone] on 2026-11-24T15:00Z',
    );
  });
});

describe('SessionRecorder', () => {
  const m = (x: object) => x as AgentMetrics;

  it('joins EOU, LLM and TTS metrics on the speech id and computes e2e', () => {
    const r = recorder();
    const evs: RecordedEvent[] = [
      { k: 'speech', at: T0 + 1000, id: 'SP_1', source: 'generate_reply' },
      {
        k: 'metrics',
        at: T0,
        m: m({
          type: 'eou_metrics',
          timestamp: T0 + 900,
          endOfUtteranceDelayMs: 300,
          transcriptionDelayMs: 120,
          onUserTurnCompletedDelayMs: 2,
          lastSpeakingTimeMs: 0,
          speechId: 'SP_1',
        }),
      },
      {
        k: 'metrics',
        at: T0,
        m: m({
          type: 'llm_metrics',
          label: 'l',
          requestId: 'r',
          timestamp: T0 + 1500,
          durationMs: 800,
          ttftMs: 450,
          cancelled: false,
          completionTokens: 40,
          promptTokens: 900,
          promptCachedTokens: 100,
          totalTokens: 940,
          tokensPerSecond: 50,
          speechId: 'SP_1',
          metadata: { modelProvider: 'openai', modelName: 'gpt-4.1-mini' },
        }),
      },
      {
        k: 'metrics',
        at: T0,
        m: m({
          type: 'tts_metrics',
          label: 't',
          requestId: 'r',
          timestamp: T0 + 2000,
          ttfbMs: 200,
          durationMs: 600,
          audioDurationMs: 3000,
          cancelled: false,
          charactersCount: 120,
          streamed: true,
          speechId: 'SP_1',
          metadata: { modelProvider: 'cartesia', modelName: 'sonic' },
        }),
      },
      {
        k: 'metrics',
        at: T0,
        m: m({
          type: 'stt_metrics',
          label: 's',
          requestId: '',
          timestamp: T0 + 2500,
          durationMs: 0,
          audioDurationMs: 4200,
          streamed: true,
          metadata: { modelProvider: 'deepgram', modelName: 'nova-3' },
        }),
      },
      { k: 'interrupted', at: T0 + 3000, id: 'SP_1' },
    ];
    for (const e of evs) r.apply(e);
    const p = r.build({ endedAt: T0 + 10_000, endReason: 'participant_disconnected' });
    expect(SessionPayloadV1.safeParse(p).success).toBe(true);
    expect(p.turns).toEqual([
      {
        turn_id: 'SP_1',
        index: 0,
        started_at: new Date(T0 + 1000).toISOString(), // speech created
        eou_delay_ms: 300,
        transcription_delay_ms: 120,
        on_user_turn_completed_delay_ms: 2,
        llm_ttft_ms: 450,
        llm_duration_ms: 800,
        llm_prompt_tokens: 900,
        llm_prompt_cached_tokens: 100,
        llm_completion_tokens: 40,
        tts_ttfb_ms: 200,
        tts_duration_ms: 600,
        tts_audio_duration_ms: 3000,
        tts_characters: 120,
        e2e_latency_ms: 950,
        interrupted: true,
      },
    ]);
    expect(p.unattributed_metrics).toEqual([
      {
        type: 'stt_metrics',
        at: new Date(T0 + 2500).toISOString(),
        values: {
          label: 's',
          request_id: '',
          duration_ms: 0,
          audio_duration_ms: 4200,
          streamed: true,
          model_provider: 'deepgram',
          model_name: 'nova-3',
        },
      },
    ]);
    expect(p.usage.summary).toEqual({
      llm_prompt_tokens: 900,
      llm_prompt_cached_tokens: 100,
      llm_completion_tokens: 40,
      stt_audio_duration_s: 4.2,
      tts_characters_count: 120,
      tts_audio_duration_s: 3,
    });
    expect(p.usage.by_model.map((u) => `${u.type}:${u.provider}/${u.model}`)).toEqual([
      'llm_usage:openai/gpt-4.1-mini',
      'tts_usage:cartesia/sonic',
      'stt_usage:deepgram/nova-3',
    ]);
    expect(p.duration_ms).toBe(10_000);
  });

  it('folds frequent unattributed metrics past the per-type limit instead of dropping them', () => {
    const r = recorder();
    for (let i = 0; i < 100; i++)
      r.apply({
        k: 'metrics',
        at: T0,
        m: m({
          type: 'vad_metrics',
          label: 'v',
          timestamp: T0 + i,
          idleTimeMs: 10,
          inferenceDurationTotalMs: 1,
          inferenceCount: 3,
        }),
      });
    const rows = r.build({ endedAt: T0, endReason: 'unknown' }).unattributed_metrics;
    expect(rows).toHaveLength(6);
    expect(rows[5]?.values).toMatchObject({ folded_events: 95, inference_count: 285, idle_time_ms: 950 });
  });

  it('takes lead fields from booking tools under the policy and lists tool errors', () => {
    const r = recorder({ pii: 'hashed' });
    const call = (name: string, status: 'ok' | 'error', args: Record<string, unknown>) => ({
      k: 'tool' as const,
      at: T0,
      call: {
        call_id: name,
        name,
        arguments: redactArguments('hashed', args),
        status,
        output_summary: '',
        started_at: null,
        duration_ms: null,
        turn_id: null,
        ...(status === 'error' ? { error: 'calendar down' } : {}),
      },
    });
    r.apply(call('book_sales_meeting', 'error', { name: 'A', email: 'a@a.io' }));
    r.apply(call('request_callback', 'ok', { name: 'Bo', phone: '+1 555 000 1111' }));
    const p = r.build({ endedAt: T0, endReason: 'user_initiated' });
    expect(p.lead).toEqual({
      pii_mode: 'hashed',
      name: hashContact('name', 'Bo'),
      phone: hashContact('phone', '+15550001111'),
    });
    expect(p.outcome).toBe('callback_requested');
    expect(p.errors).toEqual([
      {
        at: new Date(T0).toISOString(),
        source: 'tool:book_sales_meeting',
        message: 'calendar down',
        recoverable: true,
        component: 'tool',
        type: 'tool_error',
        severity: 'warning',
        turn_id: null,
        attempt: 1,
        recovered: false,
      },
    ]);
  });
});

describe('publishFailed', () => {
  it('keeps the journal only for results that say the payload is nowhere safe', async () => {
    const { publishFailed } = await import('../../src/analytics/payload.js');
    for (const ok of [undefined, 42, { status: 'ok' }, { status: 'sent' }, { status: 'spooled', error: 'x' }])
      expect(publishFailed(ok)).toBeUndefined();
    expect(publishFailed({ status: 'failed', error: 'bad' })).toBe('bad');
    expect(publishFailed({ status: 'retryable', error: 'later' })).toBe('later');
    expect(publishFailed({ status: 'unconfirmed', ms: 3 })).toBe('unconfirmed');
    // An invalid payload is kept in the outbox's dead/ with its reason: recovering it would only fail again.
    expect(publishFailed({ status: 'rejected', error: 'invalid payload' })).toBeUndefined();
  });
});
