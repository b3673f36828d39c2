import { describe, expect, it } from 'vitest';
import { detectSignals, toSpecSignals } from '../../src/analytics/signals/index.js';
import { WARM_UP_MESSAGES, warmUpDetector } from '../../src/analytics/signals/warm_up.js';

describe("the detector's warm-up (run in the agent's prewarm)", () => {
  it('takes every path: each of the five signals is found in its messages, with and without context', () => {
    const found = new Set<string>();
    for (const [text, context] of WARM_UP_MESSAGES) {
      for (const k of Object.keys(toSpecSignals(detectSignals(text, context)))) found.add(k);
    }
    expect([...found].sort()).toEqual([
      'industry',
      'integration_needs',
      'monthly_volume',
      'team_size',
      'urgency',
    ]);
    expect(WARM_UP_MESSAGES.some(([, context]) => context.length > 0)).toBe(true);
    expect(WARM_UP_MESSAGES.some(([, context]) => context.length === 0)).toBe(true);
  });

  it('returns what it took and leaves the detector answering as before', () => {
    const before = toSpecSignals(detectSignals('We have 12 attorneys.', []));
    expect(warmUpDetector()).toBeGreaterThan(0);
    expect(toSpecSignals(detectSignals('We have 12 attorneys.', []))).toEqual(before);
  });
});
