/**
 * Scores the signal detector against labelled messages: JSON Lines in the format of
 * `shared/data/signals-dev.jsonl`, `{id, text, context?, signals}` (other fields such as `call` or
 * `source` are allowed and ignored). Precision, recall and F1 are micro-averaged over
 * (signal, value) pairs, overall and per field; a list contributes one pair per item, so a wrong
 * `team_size` is one false positive and one false negative.
 *
 * Glossary: **TP** a pair the detector found that the label has; **FP** a pair it found that the
 * label lacks; **FN** a labelled pair it missed; a **miss** is a message with any FP or FN.
 */
import { z } from 'zod';
import { IndustryId, IntegrationId, Urgency } from '../../schema/session_payload.js';
import { detectSignals, toSpecSignals } from './detector.js';
import type { SpecSignals, Turn } from './types.js';

export const FIELDS = ['team_size', 'monthly_volume', 'integration_needs', 'urgency', 'industry'] as const;
export type Field = (typeof FIELDS)[number];

const LabelledSignals = z
  .object({
    team_size: z.number().int().min(1).optional(),
    monthly_volume: z.number().int().min(1).optional(),
    integration_needs: z.array(IntegrationId).optional(),
    urgency: Urgency.optional(),
    industry: IndustryId.optional(),
  })
  .strict();

const LabelledLine = z.object({
  id: z.union([z.string().min(1), z.number()]),
  text: z.string(),
  context: z.array(z.object({ role: z.enum(['agent', 'user']), text: z.string() })).optional(),
  signals: LabelledSignals,
});

/** One labelled message. */
export interface Example {
  id: string;
  text: string;
  context?: Turn[];
  signals: SpecSignals;
}

/** A labelled line that cannot be read; `message` names the file and line. */
export class LabelledInputError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${source}:${line}: ${reason}`);
    this.name = 'LabelledInputError';
  }
}

/**
 * Parses labelled JSON Lines; blank lines are skipped. Throws a `LabelledInputError` naming the
 * first bad line (`source` is used in the message, e.g. the file path).
 */
export function parseLabelled(jsonl: string, source = 'input'): Example[] {
  const out: Example[] = [];
  const seen = new Map<string, number>();
  const lines = jsonl.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    if (raw.trim() === '') continue;
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch (err) {
      throw new LabelledInputError(source, i + 1, `invalid JSON: ${(err as Error).message}`);
    }
    const parsed = LabelledLine.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? 'line' : issue.path.join('.');
      throw new LabelledInputError(source, i + 1, `${where}: ${issue?.message ?? 'invalid'}`);
    }
    const id = String(parsed.data.id);
    const first = seen.get(id);
    if (first !== undefined)
      throw new LabelledInputError(source, i + 1, `duplicate id "${id}" (first on line ${first})`);
    seen.set(id, i + 1);
    const ex: Example = { id, text: parsed.data.text, signals: parsed.data.signals as SpecSignals };
    if (parsed.data.context !== undefined) ex.context = parsed.data.context;
    out.push(ex);
  }
  return out;
}

export interface Prf {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

/** A message the detector got wrong. */
export interface Miss {
  id: string;
  text: string;
  expected: SpecSignals;
  got: SpecSignals;
}

export interface Score {
  /** Messages scored. */
  size: number;
  micro: Prf;
  fields: Record<Field, Prf>;
  misses: Miss[];
}

/** (signal, value) pairs; a list contributes one pair per item. */
function pairs(signals: SpecSignals): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(signals)) {
    if (Array.isArray(v)) for (const x of v) out.add(`${k}=${String(x)}`);
    else if (v !== undefined) out.add(`${k}=${String(v)}`);
  }
  return out;
}

function prf(tp: number, fp: number, fn: number): Prf {
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, precision, recall, f1 };
}

/** Runs the detector on every example (with its context unless `useContext` is false) and scores it. */
export function score(examples: readonly Example[], opts: { useContext?: boolean } = {}): Score {
  const useContext = opts.useContext ?? true;
  const counts = Object.fromEntries(FIELDS.map((f) => [f, { tp: 0, fp: 0, fn: 0 }])) as Record<
    Field,
    { tp: number; fp: number; fn: number }
  >;
  const misses: Miss[] = [];
  for (const ex of examples) {
    const got = toSpecSignals(detectSignals(ex.text, useContext ? ex.context : undefined));
    const gotPairs = pairs(got);
    const wantPairs = pairs(ex.signals);
    let miss = false;
    for (const p of gotPairs) {
      const c = counts[p.slice(0, p.indexOf('=')) as Field];
      if (wantPairs.has(p)) c.tp++;
      else {
        c.fp++;
        miss = true;
      }
    }
    for (const p of wantPairs) {
      if (gotPairs.has(p)) continue;
      counts[p.slice(0, p.indexOf('=')) as Field].fn++;
      miss = true;
    }
    if (miss) misses.push({ id: ex.id, text: ex.text, expected: ex.signals, got });
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
  return { size: examples.length, micro: prf(tp, fp, fn), fields, misses };
}

/** A table: one row for micro and one per field, with P/R/F1 and the counts behind them. */
export function formatScore(name: string, s: Score): string {
  const row = (label: string, p: Prf) =>
    `  ${label.padEnd(18)} P ${p.precision.toFixed(3)}  R ${p.recall.toFixed(3)}  F1 ${p.f1.toFixed(3)}  (tp ${p.tp}, fp ${p.fp}, fn ${p.fn})`;
  return [
    `signals ${name} (${s.size} messages)`,
    row('micro', s.micro),
    ...FIELDS.map((f) => row(f, s.fields[f])),
  ].join('\n');
}

/** One line per miss: id, expected, got, text. */
export function formatMiss(m: Miss): string {
  return `${m.id}: expected ${JSON.stringify(m.expected)} got ${JSON.stringify(m.got)} | ${m.text}`;
}
