import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatMiss, formatScore, loadExamples, score } from '../support/signals_scoring.js';

/**
 * The long-form development set: 46 multi-turn discovery calls, each user message labelled by
 * spec v2 with the turns before it as context. `tuning` (30 calls) shaped the rules; `heldback`
 * (10 calls) was written before any rule change and measured before and after; `heldback-2`
 * (6 calls) was written after that first measurement and before the rule changes it informed.
 * `tuning-2` (11 calls) was written for issue #21 after reading the misses on an external set of
 * public sales-call transcripts, before the rules it then shaped.
 * `docs/signals.md` records the figures.
 */
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/signals/${name}`, import.meta.url));
const TUNING = loadExamples(fixture('longform-tuning.jsonl'));
const HELDBACK = loadExamples(fixture('longform-heldback.jsonl'));
const HELDBACK_2 = loadExamples(fixture('longform-heldback-2.jsonl'));
const TUNING_2 = loadExamples(fixture('longform-tuning-2.jsonl'));

describe('signals detector on long-form discovery calls', () => {
  it.each([
    ['held-back part', HELDBACK, 60],
    ['second held-back part', HELDBACK_2, 30],
    ['tuning part', TUNING, 150],
    ['second tuning part (error kinds of the external set)', TUNING_2, 50],
    ['whole long-form set', [...TUNING, ...HELDBACK, ...HELDBACK_2, ...TUNING_2], 300],
  ] as const)('%s: micro-F1 >= 0.85, precision >= 0.9 on urgency and industry', (name, examples, minSize) => {
    expect(examples.length).toBeGreaterThanOrEqual(minSize);
    const s = score(examples);
    console.log(formatScore(name, s));
    for (const m of s.misses) console.log(`  miss ${formatMiss(m)}`);
    expect(s.micro.f1).toBeGreaterThanOrEqual(0.85);
    expect(s.fields.urgency.precision).toBeGreaterThanOrEqual(0.9);
    expect(s.fields.industry.precision).toBeGreaterThanOrEqual(0.9);
  });

  it('the agent question is what gives a bare answer its meaning', () => {
    // Without the turns before each message, the bare answers lose their signal.
    const withContext = score([...HELDBACK, ...HELDBACK_2]);
    const without = score([...HELDBACK, ...HELDBACK_2], { useContext: false });
    expect(withContext.micro.tp).toBeGreaterThan(without.micro.tp);
  });
});
