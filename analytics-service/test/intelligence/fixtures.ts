/** Payloads with a kept transcript, for the post-call intelligence tests. */
import type { SessionPayload } from '../../../src/schema/index.js';
import { samplePayload } from '../../../src/schema/testing/index.js';

export const SALES_CALL_PROSPECT = [
  "We're a law firm and our engagement letters take forever.",
  "It's a dozen attorneys plus support staff.",
  'We send out about 200 contracts a month.',
  'We live in HubSpot and sign everything in DocuSign.',
  'Honestly we needed this yesterday. What does it cost?',
  "That sounds great. Tuesday at 3 works, I'm the managing partner so I sign off on this.",
];

/**
 * A call whose transcript alternates agent and prospect lines, starting with the agent's greeting:
 * agent line k opens turn k, so prospect message i is answered by turn i + 1.
 */
export function callWithTranscript(
  prospect: readonly string[] = SALES_CALL_PROSPECT,
  overrides: Partial<SessionPayload> = {},
): SessionPayload {
  const base = samplePayload({}, { turns: prospect.length + 1 });
  const at = base.started_at;
  const transcript: NonNullable<SessionPayload['transcript']> = [
    { role: 'assistant', text: 'Hi, this is Alex from Paperflow.', at },
  ];
  for (const line of prospect) {
    transcript.push({ role: 'user', text: line, at });
    transcript.push({ role: 'assistant', text: 'Understood.', at });
  }
  return {
    ...base,
    transcript,
    turns: base.turns.map((t, i) => ({
      ...t,
      agent_text: 'Understood.',
      ...(i > 0 && prospect[i - 1] !== undefined ? { user_text: prospect[i - 1] } : {}),
    })),
    ...overrides,
  };
}

/** The same call with the transcript policy off: no text anywhere. */
export function callWithoutTranscript(): SessionPayload {
  const p = callWithTranscript();
  const { transcript: _t, ...rest } = p;
  return { ...rest, turns: p.turns.map(({ user_text: _u, agent_text: _a, ...t }) => t) };
}
