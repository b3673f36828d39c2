/**
 * Scores the signal detector against labelled JSON Lines (the format of `signals-dev.jsonl`:
 * `{id, text, context?, signals}`): micro precision/recall/F1 over (signal, value) pairs, overall
 * and per field, with the messages it got wrong for the failure output.
 */
import { readFileSync } from 'node:fs';
import { detectSignals, type Turn, toSpecSignals } from '../../src/analytics/signals/index.js';

export interface Example {
  id: string;
  text: string;
  context?: Turn[];
  signals: Record<string, unknown>;
}

export const FIELDS = ['team_size', 'monthly_volume', 'integration_needs', 'urgency', 'industry'] as const;
export type Field = (typeof FIELDS)[number];

export interface Prf {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface Score {
  micro: Prf;
  fields: Record<Field, Prf>;
  misses: string[];
}

export function loadExamples(path: string): Example[] {
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

function prf(tp: number, fp: number, fn: number): Prf {
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, precision, recall, f1 };
}

/** Runs the detector on every example (with its context when `useContext`) and scores it. */
export function score(examples: readonly Example[], useContext = true): Score {
  const counts = Object.fromEntries(FIELDS.map((f) => [f, { tp: 0, fp: 0, fn: 0 }])) as Record<
    Field,
    { tp: number; fp: number; fn: number }
  >;
  const misses: string[] = [];
  for (const ex of examples) {
    const ctx = useContext ? ex.context : undefined;
    const got = pairs(toSpecSignals(detectSignals(ex.text, ctx)) as Record<string, unknown>);
    const want = pairs(ex.signals);
    let miss = false;
    for (const p of got) {
      const c = counts[p.slice(0, p.indexOf('=')) as Field];
      if (want.has(p)) c.tp++;
      else {
        c.fp++;
        miss = true;
      }
    }
    for (const p of want) {
      if (got.has(p)) continue;
      counts[p.slice(0, p.indexOf('=')) as Field].fn++;
      miss = true;
    }
    if (miss) misses.push(`${ex.id}: want ${[...want].join(' ')} | got ${[...got].join(' ')} | ${ex.text}`);
  }
  const fields = Object.fromEntries(
    FIELDS.map((f) => [f, prf(counts[f].tp, counts[f].fp, counts[f].fn)]),
  ) as Record<Field, Prf>;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const f of FIELDS) {
    tp += counts[f].tp;
    fp += counts[f].fp;
    fn += counts[f].fn;
  }
  return { micro: prf(tp, fp, fn), fields, misses };
}

/** One line per field and the micro figures, for the test log. */
export function formatScore(name: string, s: Score, size: number): string {
  const row = (label: string, p: Prf) =>
    `  ${label.padEnd(18)} P ${p.precision.toFixed(3)}  R ${p.recall.toFixed(3)}  F1 ${p.f1.toFixed(3)}  (tp ${p.tp}, fp ${p.fp}, fn ${p.fn})`;
  return [
    `signals ${name} (${size} messages)`,
    row('micro', s.micro),
    ...FIELDS.map((f) => row(f, s.fields[f])),
  ].join('\n');
}
