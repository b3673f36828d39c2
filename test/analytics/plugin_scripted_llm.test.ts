import { initializeLogger, llm, voice } from '@livekit/agents';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScriptedLLM } from '../../src/testing/index.js';

beforeAll(() => initializeLogger({ pretty: false, level: 'silent' }));

describe('ScriptedLLM', () => {
  it('drives a real AgentSession through text and tool calls and reports usage as metrics', async () => {
    const model = new ScriptedLLM([
      { text: 'Hello! How can I help?', usage: { promptTokens: 50, completionTokens: 7 } },
      {
        toolCalls: [{ name: 'lookup', args: { q: 'pricing' } }],
        usage: { promptTokens: 60, completionTokens: 9 },
      },
      {
        text: 'It is $39 per seat.',
        usage: { promptTokens: 80, completionTokens: 8, promptCachedTokens: 40 },
      },
    ]);
    const lookup = llm.tool({
      description: 'Look something up',
      parameters: z.object({ q: z.string() }),
      execute: async ({ q }) => `result for ${q}`,
    });
    const session = new voice.AgentSession({ llm: model });
    const seen: { prompt: number; completion: number; speechId?: string }[] = [];
    session.on(voice.AgentSessionEventTypes.MetricsCollected, (ev) => {
      if (ev.metrics.type === 'llm_metrics')
        seen.push({
          prompt: ev.metrics.promptTokens,
          completion: ev.metrics.completionTokens,
          speechId: ev.metrics.speechId,
        });
    });
    await session.start({ agent: new voice.Agent({ instructions: 'be brief', tools: { lookup } }) });
    const r1 = await session.run({ userInput: 'hi' }).wait();
    r1.expect.nextEvent().isMessage({ role: 'assistant' });
    const r2 = await session.run({ userInput: 'how much is it?' }).wait();
    r2.expect.nextEvent().isFunctionCall({ name: 'lookup' });
    r2.expect.nextEvent().isFunctionCallOutput();
    r2.expect.nextEvent().isMessage({ role: 'assistant' });
    await session.close();
    expect(model.calls).toBe(3);
    expect(model.requests[1]?.lastUserText).toBe('how much is it?');
    expect(model.requests[1]?.toolNames).toEqual(['lookup']);
    expect(model.reported).toEqual({ promptTokens: 190, promptCachedTokens: 40, completionTokens: 24 });
    expect(seen.map((s) => s.prompt)).toEqual([50, 60, 80]);
    expect(seen.every((s) => typeof s.speechId === 'string')).toBe(true);
  });
});
