import { initializeLogger, voice } from '@livekit/agents';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { attachAnalytics } from '../../src/analytics/index.js';
import { type SessionPayload, SessionPayloadV1 } from '../../src/schema/index.js';
import { SALES_CALL_USER_LINES, ScriptedLLM, salesTools } from '../../src/testing/index.js';

beforeAll(() => initializeLogger({ pretty: false, level: 'silent' }));

const AGENT = { name: 'events-agent', version: '1', promptVersion: 'p' };

describe('attachAnalytics: errors, interruptions, snapshots', () => {
  it('records model errors from the Error event and ends with outcome error', async () => {
    const model = new ScriptedLLM([{ error: new Error('upstream 500 for maria@example.com') }]);
    const session = new voice.AgentSession({ llm: model });
    const publish = vi.fn((_p: SessionPayload) => undefined);
    const handle = attachAnalytics(session, undefined, { agent: AGENT, publish });
    await session.start({ agent: new voice.Agent({ instructions: 'x' }) });
    await session
      .run({ userInput: SALES_CALL_USER_LINES[0]! })
      .wait()
      .catch(() => undefined);
    await session.close();
    const p = await handle.finalize();
    expect(SessionPayloadV1.safeParse(p).success).toBe(true);
    const llmErrors = p.errors.filter((e) => e.source === 'llm');
    expect(llmErrors.length).toBeGreaterThanOrEqual(1);
    expect(llmErrors[0]?.message).toBe('upstream 500 for [email]');
    expect(p.analytics.handler_errors).toBe(0);
    expect(publish).toHaveBeenCalledTimes(1);
  });

  it('marks a turn interrupted when its speech is interrupted', async () => {
    const model = new ScriptedLLM([{ text: 'a long answer that takes a while', ttftMs: 3000 }]);
    const session = new voice.AgentSession({ llm: model });
    const handle = attachAnalytics(session, undefined, { agent: AGENT, publish: () => undefined });
    await session.start({ agent: new voice.Agent({ instructions: 'x' }) });
    const run = session.run({ userInput: 'tell me everything' });
    await new Promise((r) => setTimeout(r, 200));
    await session.interrupt();
    await run.wait().catch(() => undefined);
    await session.close();
    const p = await handle.finalize();
    expect(p.turns.length).toBeGreaterThanOrEqual(1);
    expect(p.turns.some((t) => t.interrupted)).toBe(true);
  });

  it('gives a snapshot mid-call without publishing, then publishes once', async () => {
    const model = new ScriptedLLM([
      { toolCalls: [{ name: 'end_call', args: { reason: 'not_interested' } }] },
      { text: 'Understood, goodbye.' },
    ]);
    const session = new voice.AgentSession({ llm: model });
    const publish = vi.fn((_p: SessionPayload) => undefined);
    const handle = attachAnalytics(session, undefined, { agent: AGENT, publish, sessionId: 'sess_snap' });
    await session.start({ agent: new voice.Agent({ instructions: 'x', tools: salesTools() }) });
    await session.run({ userInput: "We're just exploring, no rush. Not interested right now." }).wait();
    const snap = handle.snapshot();
    expect(snap.end_reason).toBe('unknown');
    expect(snap.signals.urgency?.value).toBe('low');
    expect(publish).not.toHaveBeenCalled();
    expect(handle.counters()).toMatchObject({ user_messages: 1, tool_calls: 1, handler_errors: 0 });
    // Its time on the agent's event loop: every handled event (user and agent items, the tool
    // run, speech, metrics) is timed, and no single run is longer than the sum.
    const time = handle.counters().handler_time_us;
    expect(time.calls).toBeGreaterThanOrEqual(4);
    expect(time.total).toBeGreaterThan(0);
    expect(time.max).toBeGreaterThan(0);
    expect(time.max).toBeLessThanOrEqual(time.total);
    // Per event, adding up to the whole; the detector's share of the user message told apart.
    const events = Object.entries(time.by_event).filter(([k]) => k !== 'signal_detection');
    expect(events.reduce((n, [, v]) => n + v.calls, 0)).toBe(time.calls);
    expect(time.by_event['conversation_item_added']?.calls).toBeGreaterThanOrEqual(2);
    expect(time.by_event['signal_detection']?.calls).toBe(1);
    expect(time.by_event['signal_detection']?.total).toBeLessThanOrEqual(
      time.by_event['conversation_item_added']?.total ?? 0,
    );
    await session.close();
    const p = await handle.finalize();
    expect(p.session_id).toBe('sess_snap');
    expect(p.end_reason).toBe('agent_ended');
    expect(p.outcome).toBe('not_interested');
    // A refusal stops where the conversation was (the urgency signal: discovery), never at closing.
    expect(p.stage).toEqual({ reached: 'discovery', completed: ['greeting', 'discovery'] });
    expect(publish).toHaveBeenCalledTimes(1);
  });
});
