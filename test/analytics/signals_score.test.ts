import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatMiss, formatScore, loadExamples, score } from '../support/signals_scoring.js';

/**
 * Short answers: the spec's own examples (`signals-dev.jsonl`, copied from `shared/data` so that a
 * clone runs this alone; from dev-101 on with context) and two held-out sets.
 */
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

describe('signals detector accuracy on short answers', () => {
  it.each([
    ['dev', 'signals-dev.jsonl', 96],
    ['held-out', 'signals-heldout.jsonl', 150],
    ['held-out-2', 'signals-heldout-2.jsonl', 200],
  ])('reaches micro-F1 >= 0.95 on the %s set', (name, file, minSize) => {
    const examples = loadExamples(fixture(file));
    expect(examples.length).toBeGreaterThanOrEqual(minSize);
    const r = score(examples);
    console.log(formatScore(name, r));
    for (const m of r.misses) console.log(`  miss ${formatMiss(m)}`);
    expect(r.micro.f1).toBeGreaterThanOrEqual(0.95);
  });
});
