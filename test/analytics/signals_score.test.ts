import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectSignals, toSpecSignals } from '../../src/analytics/signals/index.js';

interface Example {
  id: string;
  text: string;
  signals: Record<string, unknown>;
}

const DEV = fileURLToPath(new URL('../../../shared/data/signals-dev.jsonl', import.meta.url));
const HELDOUT = fileURLToPath(new URL('../fixtures/signals-heldout.jsonl', import.meta.url));
const HELDOUT_2 = fileURLToPath(new URL('../fixtures/signals-heldout-2.jsonl', import.meta.url));

function load(path: string): Example[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Example);
}

/** (signal, value) pairs; a list contributes one pair per item. */
function pairs(signals: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(signals)) {
    if (Array.isArray(v)) for (const x of v) out.add(`${k}=${String(x)}`);
    else out.add(`${k}=${String(v)}`);
  }
  return out;
}

/** Micro-F1 over (signal, value) pairs, with the misses for the failure message. */
function microF1(examples: Example[]): { f1: number; tp: number; fp: number; fn: number; misses: string[] } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const misses: string[] = [];
  for (const ex of examples) {
    const got = pairs(toSpecSignals(detectSignals(ex.text)) as Record<string, unknown>);
    const want = pairs(ex.signals);
    let miss = false;
    for (const p of got) {
      if (want.has(p)) tp++;
      else {
        fp++;
        miss = true;
      }
    }
    for (const p of want) {
      if (!got.has(p)) {
        fn++;
        miss = true;
      }
    }
    if (miss) misses.push(`${ex.id}: want ${[...want].join(' ')} got ${[...got].join(' ')}`);
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { f1, tp, fp, fn, misses };
}

describe('signals detector accuracy', () => {
  it.each([
    ['dev', DEV, 66],
    ['held-out', HELDOUT, 150],
    ['held-out-2', HELDOUT_2, 200],
  ])('reaches micro-F1 >= 0.95 on the %s set', (name, path, minSize) => {
    const examples = load(path);
    expect(examples.length).toBeGreaterThanOrEqual(minSize);
    const r = microF1(examples);
    console.log(
      `signals micro-F1 ${name}: ${r.f1.toFixed(4)} (tp ${r.tp}, fp ${r.fp}, fn ${r.fn}, ${examples.length} messages)`,
    );
    for (const m of r.misses) console.log(`  miss ${m}`);
    expect(r.f1).toBeGreaterThanOrEqual(0.95);
  });
});
