/**
 * The detector's first run in a process is slow: about 27 ms on the 2-core CI machine, then tens of
 * microseconds (V8 compiles its regular expressions and functions on first use). LiveKit runs each
 * call in a prewarmed job process, so without a warm-up the first prospect message of every call
 * would pay it on the agent's event loop, in the silence before the agent answers. `warmUpDetector`
 * runs it over a few messages that take every path (each signal, context, negation, past and
 * planned) and is called from the agent's `prewarm`.
 */
import { detectSignals } from './detector.js';
import type { Turn } from './types.js';

/** Enough runs for V8 to compile the hot paths past its interpreter (measured here: 27 ms cold, then 0.1–0.6 ms for a new message after 10 rounds; rounds beyond that changed little). */
const ROUNDS = 10;
const QUESTION: Turn[] = [
  { role: 'agent', text: 'How many people are on the team, and which tools do you use?' },
];
export const WARM_UP_MESSAGES: ReadonlyArray<readonly [string, Turn[]]> = [
  ["We're a law firm with about 40 people, we went from 25 to 40 last year.", []],
  ['Roughly 200 contracts a month, maybe 50 NDAs a week, all signed in DocuSign.', []],
  ["We're on Salesforce and Slack, we don't use HubSpot anymore, and we'd need your API.", QUESTION],
  ['We need this live by the end of next month, our contract with the old vendor ends in June.', []],
  ["Not a priority, we're just exploring. I'll send you a few times by tomorrow.", []],
  ['About forty.', QUESTION],
  ['We build cloud software for hospitals; our biggest client has 20,000 employees.', []],
];

/** Runs the detector over the warm-up messages; returns the milliseconds it took. */
export function warmUpDetector(): number {
  const t0 = performance.now();
  for (let round = 0; round < ROUNDS; round++)
    for (const [text, context] of WARM_UP_MESSAGES) detectSignals(text, context);
  return performance.now() - t0;
}
