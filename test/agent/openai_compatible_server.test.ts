import { initializeLogger, llm, voice } from '@livekit/agents';
import * as openai from '@livekit/agents-plugin-openai';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  lastMessageIsToolResult,
  type OpenAICompatibleServer,
  startOpenAICompatibleServer,
  trailingToolResults,
} from '../../src/testing/openai_server_index.js';

beforeAll(() => {
  initializeLogger({ pretty: false, level: 'silent' });
});

describe('openai_compatible_server', () => {
  let server: OpenAICompatibleServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('streams text deltas and a usage chunk to the real openai plugin', async () => {
    server = await startOpenAICompatibleServer({
      reply: [{ content: 'Hello from the fake model, nice to meet you.', usage: { promptTokens: 42 } }],
      apiKey: 'k',
    });
    const model = new openai.LLM({ baseURL: server.baseURL, apiKey: 'k', model: 'fake-model' });
    const chatCtx = llm.ChatContext.empty();
    chatCtx.addMessage({ role: 'user', content: 'hi' });
    const stream = model.chat({ chatCtx });
    let text = '';
    let promptTokens = 0;
    for await (const chunk of stream) {
      text += chunk.delta?.content ?? '';
      if (chunk.usage) promptTokens = chunk.usage.promptTokens;
    }
    expect(text).toBe('Hello from the fake model, nice to meet you.');
    expect(promptTokens).toBe(42);
    const [req] = server.chatRequests();
    expect(req?.stream).toBe(true);
    expect(req?.stream_options?.include_usage).toBe(true);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer k');
    await model.aclose();
  });

  it('rejects a wrong api key with 401', async () => {
    server = await startOpenAICompatibleServer({ reply: [{ content: 'x' }], apiKey: 'right' });
    const res = await fetch(`${server.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [] }),
    });
    expect(res.status).toBe(401);
  });

  it('drives tool calls through a real AgentSession (no room)', async () => {
    server = await startOpenAICompatibleServer({
      reply: (req) =>
        lastMessageIsToolResult(req)
          ? { content: `It is ${trailingToolResults(req)[0]?.content} there.` }
          : { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] },
    });
    const model = new openai.LLM({ baseURL: server.baseURL, apiKey: 'k', model: 'fake-model' });
    const seen: string[] = [];
    const agent = new voice.Agent({
      instructions: 'test',
      tools: {
        get_weather: llm.tool({
          description: 'weather',
          parameters: z.object({ city: z.string() }),
          execute: async ({ city }) => {
            seen.push(city);
            return 'sunny';
          },
        }),
      },
    });
    const session = new voice.AgentSession({ llm: model, vad: null });
    await session.start({ agent });
    const result = await session.run({ userInput: 'weather in Paris?' }).wait();
    result.expect.nextEvent().isFunctionCall({ name: 'get_weather', args: { city: 'Paris' } });
    result.expect.nextEvent().isFunctionCallOutput();
    result.expect.nextEvent().isMessage({ role: 'assistant' });
    expect(seen).toEqual(['Paris']);
    const reqs = server.chatRequests();
    expect(reqs).toHaveLength(2);
    expect(reqs[0]?.tools?.map((t) => t.function.name)).toContain('get_weather');
    await session.close();
    await model.aclose();
  });
});
