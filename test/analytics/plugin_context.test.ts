import { initializeLogger, voice } from '@livekit/agents';
import { beforeAll, describe, expect, it } from 'vitest';
import { attachAnalytics } from '../../src/analytics/index.js';
import { SessionPayloadV1 } from '../../src/schema/index.js';
import { ScriptedLLM } from '../../src/testing/index.js';

beforeAll(() => initializeLogger({ pretty: false, level: 'silent' }));

const AGENT = { name: 'context-agent', version: '1', promptVersion: 'p' };

/** Runs a scripted call: the agent says each `agentLines[i]` after the user's `userLines[i]`. */
async function call(userLines: string[], agentLines: string[]) {
  const session = new voice.AgentSession({ llm: new ScriptedLLM(agentLines.map((text) => ({ text }))) });
  const handle = attachAnalytics(session, undefined, { agent: AGENT, publish: () => undefined });
  await session.start({ agent: new voice.Agent({ instructions: 'x' }) });
  for (const line of userLines) await session.run({ userInput: line }).wait();
  await session.close();
  return handle.finalize();
}

describe('attachAnalytics: the conversation before each user message', () => {
  it("reads a bare answer by the agent's last question, with a lower confidence", async () => {
    const p = await call(
      ['Hi, I run operations at a law firm.', 'About forty, give or take.'],
      ['Thanks! How many people are on your team today?', 'Got it.'],
    );
    expect(SessionPayloadV1.safeParse(p).success).toBe(true);
    expect(p.signals.team_size?.value).toBe(40);
    expect(p.signals.team_size?.evidence[0]?.rule).toBe('team_size.context');
    expect(p.signals.team_size?.confidence).toBeLessThan(0.8);
    expect(p.signals.industry?.confidence).toBeGreaterThanOrEqual(0.8);
  });

  it('does not read a meeting time as the buying horizon', async () => {
    const p = await call(
      ['Sounds interesting.', 'End of next month would be ideal.'],
      ['When is a good time for a follow-up call?', 'Great.'],
    );
    expect(p.signals.urgency).toBeUndefined();
  });

  it('carries the candidates a value beat, with why', async () => {
    const text = 'We went from 40 reps five years ago to 150 now. Our biggest customer has 20,000 employees.';
    const p = await call([text], ['Thanks.']);
    const at = (s: string): [number, number] => [text.indexOf(s), text.indexOf(s) + s.length];
    expect(p.signals.team_size?.value).toBe(150);
    expect(p.signals.team_size?.alternatives).toEqual([
      { value: 40, reason: 'past size', turn_index: 0, span: at('40 reps') },
      { value: 20000, reason: 'another organisation', turn_index: 0, span: at('20,000 employees') },
    ]);
    expect(SessionPayloadV1.safeParse(p).success).toBe(true);
  });
});
