/**
 * Periods of a document volume ("a week", "per quarter", "monthly", "every two weeks",
 * "in a typical month") and their factor to a month: day 22, week 4.33, month 1,
 * quarter 1/3, year 1/12.
 */

import { F_PERIOD } from './flags.js';
import { isNumberWord, parseQuantity } from './numbers.js';
import type { Toks } from './tokenizer.js';

/** Monthly factor as an exact fraction so that 50 × 4.33 rounds from exactly 216.5. */
interface Factor {
  num: number;
  den: number;
}

const UNIT_FACTORS: ReadonlyMap<string, Factor> = new Map([
  ['day', { num: 22, den: 1 }],
  ['days', { num: 22, den: 1 }],
  ['workday', { num: 22, den: 1 }],
  ['week', { num: 433, den: 100 }],
  ['weeks', { num: 433, den: 100 }],
  ['wk', { num: 433, den: 100 }],
  ['month', { num: 1, den: 1 }],
  ['months', { num: 1, den: 1 }],
  ['mo', { num: 1, den: 1 }],
  ['quarter', { num: 1, den: 3 }],
  ['quarters', { num: 1, den: 3 }],
  ['qtr', { num: 1, den: 3 }],
  ['year', { num: 1, den: 12 }],
  ['years', { num: 1, den: 12 }],
  ['yr', { num: 1, den: 12 }],
  ['annum', { num: 1, den: 12 }],
]);

const ADVERB_FACTORS: ReadonlyMap<string, Factor> = new Map([
  ['daily', { num: 22, den: 1 }],
  ['weekly', { num: 433, den: 100 }],
  ['monthly', { num: 1, den: 1 }],
  ['quarterly', { num: 1, den: 3 }],
  ['yearly', { num: 1, den: 12 }],
  ['annually', { num: 1, den: 12 }],
  ['annual', { num: 1, den: 12 }],
]);

const PERIOD_ADJECTIVES = new Set([
  'working',
  'business',
  'typical',
  'given',
  'normal',
  'average',
  'good',
  'single',
  'calendar',
  'regular',
  'usual',
  'busy',
]);

/** "a month from now": a date, unlike "20 invoices a day from QuickBooks". */
const DATE_AFTER_FROM = new Set(['now', 'today', 'tomorrow', 'then', 'here']);

export interface Period extends Factor {
  from: number;
  to: number;
  /** `rate`: "a week", "/day"; `each`: "per/each/every week", "in a typical month"; `adverb`: "weekly". */
  kind: 'rate' | 'each' | 'adverb';
}

/** The period phrase starting at token `k`, if any. */
export function matchPeriod(t: Toks, k: number): Period | undefined {
  if (k < 0 || k >= t.n || ((t.flags[k] as number) & F_PERIOD) === 0) return undefined;
  const key = t.key[k] as string;
  const adverb = ADVERB_FACTORS.get(key);
  // Fields listed rather than spread: a spread copy is far slower on this path.
  if (adverb !== undefined) return { num: adverb.num, den: adverb.den, from: k, to: k + 1, kind: 'adverb' };
  let j = k + 1;
  let kind: Period['kind'];
  if (key === 'a' || key === 'an' || key === '/') kind = 'rate';
  else if (key === 'per' || key === 'each' || key === 'every') kind = 'each';
  else if ((key === 'in' || key === 'on') && (t.k(j) === 'a' || t.k(j) === 'an')) {
    kind = 'each';
    j++;
    if (!PERIOD_ADJECTIVES.has(t.k(j))) return undefined;
  } else return undefined;
  let every = 1;
  if (key === 'every' && (t.isNum(j) || isNumberWord(t.k(j)) || t.k(j) === 'other')) {
    if (t.k(j) === 'other') {
      every = 2;
      j++;
    } else {
      const q = parseQuantity(t, j);
      if (q === undefined || q.vague || q.notCount || q.value < 1) return undefined;
      every = q.value;
      j = q.to;
    }
  }
  if (PERIOD_ADJECTIVES.has(t.k(j))) j++;
  const factor = UNIT_FACTORS.get(t.k(j));
  if (factor === undefined) return undefined;
  // "a month ago" is a date, "a day or two" a duration.
  const after = t.k(j + 1);
  if (kind === 'rate' && (after === 'ago' || after === 'or' || after === 'later')) return undefined;
  if (kind === 'rate' && after === 'from' && DATE_AFTER_FROM.has(t.k(j + 2))) return undefined;
  // Plural units only after "every two", "per" + plural is unusual but harmless.
  return { num: factor.num, den: factor.den * every, from: k, to: j + 1, kind };
}

/** Words that can start a period phrase. */
export function periodStartWords(): Iterable<string> {
  return [...ADVERB_FACTORS.keys(), 'a', 'an', '/', 'per', 'each', 'every', 'in', 'on'];
}

/** `value` per period → per month, rounded to the nearest integer (half up). */
export function toMonthly(value: number, p: Period): number {
  return Math.round((value * p.num) / p.den);
}
