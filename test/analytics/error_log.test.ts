import { APIStatusError, initializeLogger, voice } from '@livekit/agents';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorLog } from '../../src/analytics/error_log.js';
import { attachAnalytics } from '../../src/analytics/index.js';
import { SessionPayloadV1 } from '../../src/schema/index.js';
import { ScriptedLLM } from '../../src/testing/index.js';

beforeAll(() => initializeLogger({ pretty: false, level: 'silent' }));

const AGENT = { name: 'errors-agent', version: '1', promptVersion: 'p' };

describe('errors by component', () => {
  it('records an LLM retry (warning), its final failure (error), the turn, and that a later turn recovered', async () => {
    const model = new ScriptedLLM([
      { error: new APIStatusError({ message: 'upstream 503', options: { statusCode: 503 } }) },
      { text: 'Sorry about that. How many people are on your team?' },
    ]);
    const session = new voice.AgentSession({
      llm: model,
      connOptions: { llmConnOptions: { maxRetry: 1, retryIntervalMs: 0, timeoutMs: 5000 } },
    });
    const handle = attachAnalytics(session, undefined, { agent: AGENT, publish: () => undefined });
    await session.start({ agent: new voice.Agent({ instructions: 'x' }) });
    await session
      .run({ userInput: 'hello' })
      .wait()
      .catch(() => undefined);
    await session.run({ userInput: 'are you there?' }).wait();
    await session.close();
    const p = await handle.finalize();
    expect(SessionPayloadV1.safeParse(p).success).toBe(true);
    const llm = p.errors.filter((e) => e.component === 'llm');
    // agents-js: one recoverable error for the failed attempt it retries, one unrecoverable after the last.
    expect(llm.map((e) => [e.severity, e.recoverable, e.attempt])).toEqual([
      ['warning', true, 1],
      ['error', false, 2],
    ]);
    expect(llm[0]).toMatchObject({ type: 'APIStatusError', status_code: 503, source: 'llm' });
    expect(llm[0]?.turn_id).toEqual(expect.any(String));
    expect(llm[0]?.turn_id).toBe(llm[1]?.turn_id);
    // The second turn's LLM answered: both errors count as recovered.
    expect(llm.every((e) => e.recovered === true)).toBe(true);
  });

  it('keeps an unrecovered error unrecovered and marks the one that closed the session critical', () => {
    const log = new ErrorLog(50);
    const base = {
      source: 'tts',
      message: 'x',
      recoverable: false,
      component: 'tts' as const,
      type: 'Error',
    };
    log.add({ ...base, at: new Date(1000).toISOString(), severity: 'error', turn_id: 't1' }, 1000);
    log.success('tts', 1500);
    log.add({ ...base, at: new Date(2000).toISOString(), severity: 'error', turn_id: 't2' }, 2000);
    const errors = log.toErrors(true);
    expect(errors.map((e) => [e.recovered, e.severity])).toEqual([
      [true, 'error'],
      [false, 'critical'],
    ]);
    expect(log.toErrors(false)[1]?.severity).toBe('error');
  });

  it('records tool errors with their turn and retries, recovered when the tool later succeeds', () => {
    const log = new ErrorLog(50);
    const tool = (at: number) => ({
      at: new Date(at).toISOString(),
      source: 'tool:book_sales_meeting',
      message: 'calendar down',
      recoverable: true,
      component: 'tool' as const,
      type: 'tool_error',
      severity: 'warning' as const,
      turn_id: 't1',
    });
    log.add(tool(1000), 1000);
    log.add(tool(2000), 2000);
    log.success('tool:search_knowledge', 2500);
    expect(log.toErrors(false).map((e) => [e.attempt, e.recovered])).toEqual([
      [1, false],
      [2, false],
    ]);
    log.success('tool:book_sales_meeting', 3000);
    expect(log.toErrors(false).every((e) => e.recovered)).toBe(true);
  });
});
