import { createHash } from 'node:crypto';
import { initializeLogger, type JobContext, voice } from '@livekit/agents';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type AnalyticsOptions, attachAnalytics } from '../../src/analytics/index.js';
import { createPiiHasher } from '../../src/analytics/pii_keyed.js';
import { type SessionPayload, SessionPayloadV1 } from '../../src/schema/index.js';
import {
  SALES_CALL_USER_LINES,
  SALES_CONTACT,
  type SalesToolLog,
  ScriptedLLM,
  salesCallScript,
  salesTools,
} from '../../src/testing/index.js';

beforeAll(() => initializeLogger({ pretty: false, level: 'silent' }));

/** Just enough of a JobContext: ids, a room with one remote participant, shutdown callbacks. */
function fakeJobContext() {
  const callbacks: (() => Promise<void>)[] = [];
  const ctx = {
    job: { id: 'AJ_test_1', room: { name: 'sales-room', sid: 'RM_test_1' } },
    room: {
      name: 'sales-room',
      remoteParticipants: new Map([['prospect-1', { identity: 'prospect-1', kind: 3 }]]),
    },
    addShutdownCallback: (cb: () => Promise<void>) => callbacks.push(cb),
  };
  return { ctx: ctx as unknown as JobContext, shutdown: () => Promise.all(callbacks.map((cb) => cb())) };
}

async function runSalesCall(opts: Partial<AnalyticsOptions> = {}, lines = SALES_CALL_USER_LINES) {
  const model = new ScriptedLLM(salesCallScript());
  const toolLog: SalesToolLog[] = [];
  const session = new voice.AgentSession({ llm: model });
  const { ctx, shutdown } = fakeJobContext();
  const publish = vi.fn(async (_p: SessionPayload) => ({ status: 'ok' }));
  const handle = attachAnalytics(session, ctx, {
    agent: { name: 'test-agent', version: '0.0.1', promptVersion: 'p1' },
    publish,
    ...opts,
  });
  await session.start({
    agent: new voice.Agent({ instructions: 'sell', tools: salesTools({ calls: toolLog }) }),
  });
  for (const userInput of lines) await session.run({ userInput }).wait();
  return { model, session, handle, publish, shutdown, toolLog };
}

const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

describe('attachAnalytics on a real AgentSession', () => {
  it('records signals, tool calls, turns, usage, stage and outcome of a scripted sales call', async () => {
    const { model, session, handle, publish, shutdown, toolLog } = await runSalesCall();
    expect(toolLog.map((t) => t.name)).toEqual(['search_knowledge', 'book_sales_meeting']);
    await session.close();
    await shutdown();
    const p = await handle.finalize();
    expect(publish).toHaveBeenCalledTimes(1);
    expect(publish.mock.calls[0]?.[0]).toBe(p);
    expect(SessionPayloadV1.safeParse(p).success).toBe(true);
    expect(p.analytics.handler_errors).toBe(0);

    expect(p.session_id).toBe('AJ_test_1');
    expect(p.room).toEqual({ name: 'sales-room', sid: 'RM_test_1' });
    expect(p.participant).toEqual({ identity: sha('prospect 1'.replace(' ', '-')), kind: 'sip' });
    expect(p.end_reason).toBe('user_initiated');

    // Signals: values, history, and evidence that points at the right text.
    const s = p.signals;
    const at = (ev: { turn_index: number; span: [number, number] }) =>
      SALES_CALL_USER_LINES[ev.turn_index]?.slice(ev.span[0], ev.span[1]);
    expect(s.industry?.value).toBe('legal');
    expect(at(s.industry!.evidence[0]!)).toBe('law firm');
    expect(s.team_size?.value).toBe(15);
    expect(s.team_size?.evidence.map((e) => e.turn_index)).toEqual([3]);
    expect(at(s.team_size!.evidence[0]!)).toMatch(/15 people/);
    expect(s.team_size?.history?.map((h) => [h.value, h.evidence.turn_index])).toEqual([[12, 1]]);
    expect(at(s.team_size!.history![0]!.evidence)).toMatch(/12 attorneys/);
    expect(s.monthly_volume?.value).toBe(217);
    expect(s.urgency?.value).toBe('high');
    expect(at(s.urgency!.evidence[0]!)).toBe('ASAP');
    expect(s.integration_needs?.value).toEqual(['hubspot', 'salesforce']);
    expect(s.integration_needs?.evidence.map(at)).toEqual(['HubSpot', 'Salesforce']);
    expect(s.integration_needs?.history?.[0]?.value).toEqual(['hubspot', 'slack']);
    // No transcript policy: no excerpts, no text.
    expect(JSON.stringify(p.signals)).not.toContain('excerpt');
    expect(p.transcript).toBeUndefined();

    // Tool calls, with contact arguments hashed and the output summary redacted.
    expect(p.tool_calls.map((t) => [t.name, t.status, t.call_id])).toEqual([
      ['search_knowledge', 'ok', 'call_search'],
      ['book_sales_meeting', 'ok', 'call_book'],
    ]);
    const book = p.tool_calls[1]!;
    expect(book.arguments).toEqual({
      name: sha('maria lopez'),
      email: sha('maria@lopezlegal.com'),
      company: sha('lopez legal'),
      time: SALES_CONTACT.time,
    });
    expect(book.output_summary).toBe(`Booked for ${SALES_CONTACT.time}; confirmation sent to [email]`);
    expect(book.duration_ms).toBeGreaterThanOrEqual(0);
    expect(p.tool_calls[0]!.arguments).toEqual({ query: 'hubspot slack integration' });

    // Turns joined on the speech id; tool calls point at a real turn.
    const turnIds = new Set(p.turns.map((t) => t.turn_id));
    // One turn per user message; a turn with a tool step sums its two LLM requests.
    expect(p.turns).toHaveLength(SALES_CALL_USER_LINES.length);
    expect(p.turns.map((t) => t.llm_prompt_tokens)).toEqual([120, 150, 190 + 240, 270, 300 + 340]);
    expect(p.tool_calls.map((tc) => p.turns.find((t) => t.turn_id === tc.turn_id)?.index)).toEqual([2, 4]);
    for (const tc of p.tool_calls) expect(turnIds.has(tc.turn_id ?? '')).toBe(true);
    expect(p.turns.map((t) => t.index)).toEqual(p.turns.map((_, i) => i));
    const withLlm = p.turns.filter((t) => t.llm_prompt_tokens !== null);
    expect(withLlm.reduce((a, t) => a + (t.llm_prompt_tokens ?? 0), 0)).toBe(model.reported.promptTokens);
    expect(withLlm.reduce((a, t) => a + (t.llm_completion_tokens ?? 0), 0)).toBe(
      model.reported.completionTokens,
    );
    expect(withLlm.every((t) => t.llm_ttft_ms !== null && t.llm_duration_ms !== null)).toBe(true);
    expect(p.turns.every((t) => t.e2e_latency_ms === null)).toBe(true); // no EOU/TTS in a text session

    // Usage equals what the scripted model reported.
    expect(p.usage.by_model).toEqual([
      {
        type: 'llm_usage',
        provider: 'scripted',
        model: 'scripted-1',
        input_tokens: model.reported.promptTokens,
        input_cached_tokens: model.reported.promptCachedTokens,
        input_audio_tokens: 0,
        input_text_tokens: 0,
        output_tokens: model.reported.completionTokens,
        output_audio_tokens: 0,
        output_text_tokens: 0,
        session_duration_ms: 0,
      },
    ]);
    expect(p.usage.summary).toEqual({
      llm_prompt_tokens: 1610,
      llm_prompt_cached_tokens: 128,
      llm_completion_tokens: 101,
      stt_audio_duration_s: 0,
      tts_characters_count: 0,
      tts_audio_duration_s: 0,
    });
    expect(model.reported.promptTokens).toBe(1610);

    expect(p.stage).toEqual({
      reached: 'closing',
      completed: ['greeting', 'discovery', 'qualification', 'solution', 'booking', 'closing'],
    });
    expect(p.outcome).toBe('meeting_booked');
    expect(p.lead).toEqual({
      pii_mode: 'hashed',
      name: sha('maria lopez'),
      email: sha('maria@lopezlegal.com'),
      company: sha('lopez legal'),
    });
  });

  it('assembles and publishes the payload exactly once when shutdown comes before Close', async () => {
    const { session, handle, publish, shutdown } = await runSalesCall({}, SALES_CALL_USER_LINES.slice(0, 2));
    await shutdown();
    expect(handle.finalized).toBe(true);
    await session.close();
    await handle.finalize('error');
    expect(publish).toHaveBeenCalledTimes(1);
    const p = publish.mock.calls[0]![0];
    expect(p.end_reason).toBe('job_shutdown');
    expect(p.outcome).toBe('disconnected');
    expect(p.stage.reached).toBe('qualification'); // industry, team size, volume
  });

  it('keeps transcripts and excerpts only when asked, and contact fields raw under full', async () => {
    const { session, handle } = await runSalesCall({ pii: { mode: 'full', transcripts: true } });
    await session.close();
    const p = await handle.finalize();
    expect(p.signals.industry?.evidence[0]?.excerpt).toBe('law firm');
    expect(p.transcript?.filter((l) => l.role === 'user').map((l) => l.text)).toEqual(SALES_CALL_USER_LINES);
    expect(p.lead).toEqual({
      pii_mode: 'full',
      name: SALES_CONTACT.name,
      email: SALES_CONTACT.email,
      company: SALES_CONTACT.company,
    });
    expect(p.tool_calls[1]?.output_summary).toContain(SALES_CONTACT.email);
    expect(p.participant.identity).toBe('prospect-1');
    expect(p.turns.some((t) => t.agent_text?.includes('booked'))).toBe(true);
    // Each prospect line sits in the turn row of the reply it prompted, once, in order.
    const prompted = p.turns.filter((t) => t.user_text !== undefined);
    expect(prompted.map((t) => t.user_text)).toEqual(SALES_CALL_USER_LINES);
    for (const t of prompted) expect(t.agent_text).toBeDefined();
  });

  it('omits contact fields under none', async () => {
    const { session, handle } = await runSalesCall({ pii: { mode: 'none' } });
    await session.close();
    const p = await handle.finalize();
    expect(p.lead).toEqual({ pii_mode: 'none' });
    expect(p.tool_calls[1]?.arguments).toEqual({ time: SALES_CONTACT.time });
    expect(p.participant.identity).toBeNull();
    expect(JSON.stringify(p)).not.toMatch(/maria/i);
  });

  it('keys its hashes at the source with the deployment key: the value the worker would give the plain one', async () => {
    const key = 'agent-side-pii-hash-key-0123456789abcdef';
    const { session, handle } = await runSalesCall({ pii: { mode: 'hashed', hashKey: key } });
    await session.close();
    const p = await handle.finalize();
    const worker = createPiiHasher(key);
    expect(p.lead).toMatchObject({
      pii_mode: 'hashed',
      name: worker.hash('name', 'Maria Lopez'),
      email: worker.hash('email', 'maria@lopezlegal.com'),
      company: worker.hash('company', 'Lopez Legal'),
    });
    expect(p.lead.email).toMatch(new RegExp(`^hmac-sha256:${worker.keyId}:[0-9a-f]{64}$`));
    expect(p.participant.identity).toBe(worker.hash('name', 'prospect-1'));
    // Nothing unkeyed leaves the agent (queue, dead letters, journal), and nothing plain.
    const text = JSON.stringify(p);
    expect(text).not.toMatch(/"sha256:/);
    expect(text).not.toMatch(/maria@|lopez legal/i);
    // A key too short to be a secret is refused when the plugin is attached.
    expect(() =>
      attachAnalytics(new voice.AgentSession({}), undefined, {
        agent: { name: 'a', version: '1', promptVersion: 'p' },
        publish: async () => ({ status: 'ok' }),
        pii: { hashKey: 'short' },
      }),
    ).toThrow(/at least 32 characters/);
  });

  it('never throws into the agent when its own code fails, and counts it', async () => {
    const exploding = vi.fn((_p: SessionPayload): never => {
      throw new Error('queue exploded');
    });
    const { session, handle, toolLog } = await runSalesCall({
      detect: () => {
        throw new Error('detector exploded');
      },
      publish: exploding,
    });
    expect(toolLog).toHaveLength(2); // the call went on
    await session.close();
    const p = await handle.finalize(); // resolves although publish threw
    expect(exploding).toHaveBeenCalledTimes(1);
    expect(exploding.mock.calls[0]?.[0]).toBe(p);
    expect(p.analytics.handler_errors).toBe(SALES_CALL_USER_LINES.length);
    expect(p.errors.filter((e) => e.source === 'analytics')).toHaveLength(SALES_CALL_USER_LINES.length);
    expect(p.signals).toEqual({});
    expect(p.tool_calls).toHaveLength(2);
    expect(SessionPayloadV1.safeParse(p).success).toBe(true);
  });
});
