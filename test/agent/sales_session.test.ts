import { readFile } from 'node:fs/promises';
import { initializeLogger, voice } from '@livekit/agents';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_NAME, AGENT_VERSION } from '../../src/agent/agent.js';
import { parseIcsEvent } from '../../src/agent/calendar/ics.js';
import { PROMPT_VERSION } from '../../src/agent/instructions.js';
import { createSalesSession, type SalesSession } from '../../src/agent/session.js';
import { type AnalyticsHandle, attachAnalytics } from '../../src/analytics/index.js';
import type { SessionPayload } from '../../src/schema/index.js';
import { ScriptedLLM, type ScriptStep } from '../../src/testing/index.js';
import { fixedNow, tempDir, toolOutputs } from './helpers.js';

beforeAll(() => {
  initializeLogger({ pretty: false, level: 'silent' });
});

const GREETING = 'Hi, this is Alex from Paperflow! What made you look at document automation?';

describe('sales session (scripted LLM, real AgentSession, no room)', () => {
  let built: SalesSession | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  let analytics: AnalyticsHandle | undefined;
  let published: SessionPayload[] = [];

  /** Ends the call and returns the payload the analytics plugin published. */
  async function finish(): Promise<SessionPayload> {
    await built?.session.close();
    const payload = await analytics!.finalize('user_initiated');
    expect(published).toHaveLength(1);
    expect(published[0]).toBe(payload);
    expect(payload.agent).toEqual({
      name: AGENT_NAME,
      version: AGENT_VERSION,
      prompt_version: PROMPT_VERSION,
    });
    return payload;
  }

  afterEach(async () => {
    await built?.session.close();
    built = undefined;
    await cleanup?.();
  });

  async function start(script: ScriptStep[], opts: { greet?: boolean } = {}) {
    const tmp = await tempDir();
    cleanup = tmp.cleanup;
    const model = new ScriptedLLM(script);
    built = await createSalesSession({
      llm: model,
      dataDir: tmp.dir,
      now: fixedNow,
      greetOnEnter: opts.greet ?? false,
    });
    const items: Array<{ role: string; text: string }> = [];
    built.session.on(voice.AgentSessionEventTypes.ConversationItemAdded, (ev) => {
      if (ev.item.type === 'message') items.push({ role: ev.item.role, text: ev.item.textContent ?? '' });
    });
    published = [];
    analytics = attachAnalytics(built.session, undefined, {
      agent: { name: AGENT_NAME, version: AGENT_VERSION, promptVersion: PROMPT_VERSION },
      publish: (p) => {
        published.push(p);
      },
      pii: { mode: 'full' },
    });
    await built.session.start({ agent: built.agent });
    return { built, model, items, dir: tmp.dir };
  }

  it('greets the caller when the agent enters', async () => {
    const { built, items } = await start([{ text: GREETING }], { greet: true });
    await waitFor(() => items.some((i) => i.role === 'assistant'));
    expect(items[0]).toEqual({ role: 'assistant', text: GREETING });
    expect(built.session.history.items.length).toBeGreaterThan(0);
    const payload = await finish();
    expect(payload.stage.reached).toBe('greeting');
    expect(payload.turns.length).toBeGreaterThanOrEqual(1);
  });

  it('qualifies the lead: all five signals land in the payload', async () => {
    const { built } = await start([
      { text: 'Great, thanks. What tools do you use today?' },
      { text: 'Got it. How soon do you need this?' },
      { text: 'Perfect, thank you.' },
    ]);
    await built.session
      .run({
        userInput:
          'We are an insurance brokerage with 25 people and we produce about 3,000 documents a month.',
      })
      .wait();
    await built.session.run({ userInput: 'We use Salesforce and DocuSign.' }).wait();
    await built.session.run({ userInput: 'We need it live this quarter, it is urgent.' }).wait();
    const payload = await finish();
    expect(Object.keys(payload.signals).sort()).toEqual(
      ['industry', 'integration_needs', 'monthly_volume', 'team_size', 'urgency'].sort(),
    );
    expect(payload.signals.team_size?.value).toBe(25);
    expect(payload.signals.monthly_volume?.value).toBe(3000);
    expect(payload.signals.industry?.value).toBe('insurance');
    expect([...(payload.signals.integration_needs?.value ?? [])].sort()).toEqual(['docusign', 'salesforce']);
    expect(payload.signals.urgency?.value).toBe('high');
    expect(payload.stage.reached).toBe('qualification');
  });

  it('answers a product question from the knowledge base with its source', async () => {
    const { built, model } = await start([
      {
        toolCalls: [{ name: 'search_knowledge', args: { query: 'Growth plan price', category: 'pricing' } }],
      },
      { text: 'According to our pricing page, Growth is $79 per creator seat per month billed annually.' },
    ]);
    const result = await built.session.run({ userInput: 'How much does the Growth plan cost?' }).wait();
    result.expect.nextEvent().isFunctionCall({ name: 'search_knowledge' });
    result.expect.nextEvent().isFunctionCallOutput({ isError: false });
    result.expect.nextEvent().isMessage({ role: 'assistant' });
    const output = toolOutputs(result)['search_knowledge']?.[0] ?? '';
    expect(output).toContain('source: pricing.md#growth-plan');
    expect(output).toContain('$79 per creator seat');
    expect(model.requests[0]?.toolNames.sort()).toEqual(
      ['book_sales_meeting', 'end_call', 'request_callback', 'search_knowledge'].sort(),
    );
    const payload = await finish();
    expect(payload.tool_calls.map((t) => [t.name, t.status])).toEqual([['search_knowledge', 'ok']]);
    expect(payload.tool_calls[0]?.output_summary).toContain('pricing.md#growth-plan');
    expect(payload.stage.reached).toBe('solution');
  });

  it('books a meeting and writes an RFC 5545 invite to disk', async () => {
    const { built } = await start([
      {
        toolCalls: [
          {
            name: 'book_sales_meeting',
            args: {
              name: 'Dana Reyes',
              email: 'dana@acme-legal.com',
              company: 'Acme Legal',
              time: '2026-11-24T10:00',
              timezone: 'America/New_York',
            },
          },
        ],
      },
      { text: 'You are booked for Tuesday at 10 AM Eastern. The invite is on its way.' },
    ]);
    const result = await built.session
      .run({ userInput: 'Tuesday 10am Eastern works, dana@acme-legal.com' })
      .wait();
    const output = toolOutputs(result)['book_sales_meeting']?.[0] ?? '';
    expect(output).toMatch(/^Booked a 30-minute Paperflow demo for Dana Reyes on Tuesday, November 24, 2026/);
    const [booking] = await built.booking.calendar.listBookings(new Date(0), new Date('2030-01-01'));
    expect(booking?.start).toBe('2026-11-24T15:00:00.000Z');
    const ics = await readFile(booking?.invitePath ?? '', 'utf8');
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    const ev = parseIcsEvent(ics);
    expect(ev['DTSTART']).toBe('20261124T150000Z');
    expect(ev['DTEND']).toBe('20261124T153000Z');
    expect(ev['ATTENDEE']).toBe('mailto:dana@acme-legal.com');
    expect(ev['SUMMARY']).toBe('Paperflow demo: Acme Legal');
    const payload = await finish();
    expect(payload.outcome).toBe('meeting_booked');
    expect(payload.lead).toMatchObject({
      pii_mode: 'full',
      name: 'Dana Reyes',
      email: 'dana@acme-legal.com',
      company: 'Acme Legal',
    });
  });

  it('refuses a taken slot and suggests the next free one', async () => {
    const book = (email: string) => ({
      toolCalls: [
        {
          name: 'book_sales_meeting',
          args: { name: 'Sam Lee', email, time: '2026-11-24T10:00', timezone: 'America/New_York' },
        },
      ],
    });
    const { built } = await start([
      book('sam@first.com'),
      { text: 'Booked.' },
      book('kim@second.com'),
      { text: 'That slot is taken; 10:30 is free.' },
    ]);
    await built.session.run({ userInput: 'Book me Tuesday 10am' }).wait();
    const result = await built.session.run({ userInput: 'Book Kim Tuesday 10am too' }).wait();
    const output = toolOutputs(result)['book_sales_meeting']?.[0] ?? '';
    expect(output).toContain('is already taken');
    expect(output).toContain('(2026-11-24T10:30)');
    const all = await built.booking.calendar.listBookings(new Date(0), new Date('2030-01-01'));
    expect(all).toHaveLength(1);
    const payload = await finish();
    expect(payload.tool_calls.map((t) => [t.name, t.status])).toEqual([
      ['book_sales_meeting', 'ok'],
      ['book_sales_meeting', 'error'],
    ]);
    expect(payload.tool_calls[1]?.error).toContain('is already taken');
  });

  it('returns a clear message for an invalid email instead of failing', async () => {
    const { built } = await start([
      {
        toolCalls: [
          {
            name: 'book_sales_meeting',
            args: {
              name: 'Lee',
              email: 'lee at example dot com',
              time: '2026-11-24T10:00',
              timezone: 'Europe/Berlin',
            },
          },
        ],
      },
      { text: 'Sorry, could you spell your email again?' },
    ]);
    const result = await built.session.run({ userInput: 'my email is lee at example dot com' }).wait();
    result.expect.containsFunctionCallOutput({ isError: true });
    expect(toolOutputs(result)['book_sales_meeting']?.[0]).toContain('is not a valid email address');
    const payload = await finish();
    expect(payload.tool_calls[0]?.status).toBe('error');
    expect(payload.outcome).not.toBe('meeting_booked');
  });

  it('ends the call politely when the prospect is not interested', async () => {
    const { built } = await start([
      { toolCalls: [{ name: 'end_call', args: { reason: 'not_interested' } }] },
      { text: 'No problem at all, thanks for your time. Goodbye!' },
    ]);
    const closed = new Promise<voice.CloseEvent>((resolve) =>
      built.session.once(voice.AgentSessionEventTypes.Close, resolve),
    );
    const result = await built.session.run({ userInput: "Sorry, we're not interested." }).wait();
    result.expect.nextEvent().isFunctionCall({ name: 'end_call', args: { reason: 'not_interested' } });
    result.expect.nextEvent().isFunctionCallOutput();
    result.expect.nextEvent().isMessage({ role: 'assistant' });
    await closed;
    expect(built.endCallReason()).toBe('not_interested');
    const payload = await finish();
    expect(payload.outcome).toBe('not_interested');
    // A refusal is not a close: the call stopped at the greeting (no signal, no question).
    expect(payload.stage).toEqual({ reached: 'greeting', completed: ['greeting'] });
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
