/**
 * What a simulated caller does, step by step. A step either says a line (after the agent has
 * finished speaking and a human-like gap, or cutting in while the agent is still talking), or
 * stays silent for a while.
 */
export type CallerStep =
  | {
      say: string;
      /** Pause after the agent's reply has finished playing before speaking, ms (default: a human-like 350–900 ms). */
      gapMs?: number;
      /** Cut in: start speaking once the agent's reply has been audible this long, ms (a barge-in). */
      bargeInAfterMs?: number;
    }
  | { silenceMs: number }
  /** Hang up (the caller's side of the call goes away). */
  | { hangUp: true };

export interface CallerScript {
  steps: CallerStep[];
  /** Wait for the agent's greeting before the first step (default true). */
  expectGreeting?: boolean;
}

/** A deterministic human-like gap for step `i` of call `seed`: 350–900 ms. */
export function humanGapMs(seed: string, i: number): number {
  let h = 2166136261;
  for (const ch of `${seed}#${i}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return 350 + ((h >>> 0) % 551);
}
