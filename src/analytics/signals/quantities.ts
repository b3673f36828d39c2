/**
 * team_size and monthly_volume: every quantity in the message is classified by the few tokens
 * around it — a people noun after it ("40 people", "five of us"), a group before it ("team of 8",
 * "we're 40"), or a document noun plus a period ("50 contracts a week", "monthly … 1,500 documents").
 * Numbers with neither (years, prices, percentages, dates, phone numbers, stock counts) are ignored.
 */

import { F_QUANTITY } from './flags.js';
import {
  DOC_NOUNS,
  DOC_VERBS,
  FUNCTION_WORDS,
  GROUP_NOUNS,
  HEADCOUNT_SUBJECTS,
  NOT_HEADCOUNT_VERBS,
  PERSON_NOUNS,
  UNIT_NOUNS,
} from './lexicon.js';
import { parseQuantity, type Quantity } from './numbers.js';
import { matchPeriod, type Period, toMonthly } from './periods.js';
import { isBreak, type Token } from './tokenizer.js';
import type { Hit } from './types.js';

export interface QuantityHits {
  team_size?: Hit<number>;
  monthly_volume?: Hit<number>;
}

/** Modifiers that may sit between a number and its noun without changing it. */
const FILLERS = new Set(['ish', 'odd', 'plus', 'some', 'total']);
/** Words allowed right after a bare headcount ("we're 40 strong", "team of 8 at the firm"). */
const AFTER_BARE_HEADCOUNT = new Set([
  'strong',
  'total',
  'overall',
  'altogether',
  'now',
  'currently',
  'today',
  'right',
  'give',
  'ish',
  'odd',
  'plus',
  'full',
  'people',
  'including',
  'counting',
]);
/** Words skipped backwards from a number to find its context ("team of about 40"). */
const APPROX_BEFORE = new Set([
  'about',
  'around',
  'roughly',
  'approximately',
  'approx',
  'over',
  'under',
  'nearly',
  'almost',
  'maybe',
  'probably',
  'like',
  'just',
  'only',
  '~',
  'than',
  'more',
  'less',
  'fewer',
  'at',
  'least',
  'close',
  'upwards',
  'north',
  'currently',
  'now',
  'exactly',
  'precisely',
  'somewhere',
  'roughly',
  'some',
  'right',
  'well',
]);
const VOLUME_STOPS = new Set(['and', 'but', 'while', 'which', 'because', 'so', 'whereas', 'although']);

/** Finds the team size and the monthly volume; when several are stated the last one wins. */
export function detectQuantities(t: readonly Token[]): QuantityHits {
  const hits: QuantityHits = {};
  for (let i = 0; i < t.length; i++) {
    const tok = t[i] as Token;
    if ((tok.flags & F_QUANTITY) === 0) continue;
    const q = parseQuantity(t, i);
    if (q === undefined) continue;
    i = q.to - 1;
    if (q.vague || q.notCount || !(q.value >= 1)) continue;
    classify(t, q, hits);
  }
  return hits;
}

function classify(t: readonly Token[], q: Quantity, hits: QuantityHits): void {
  const noun = findNoun(t, q);
  if (noun.kind === 'doc') {
    const period = periodAfter(t, noun.at + 1) ?? periodBefore(t, q.from);
    if (period !== undefined) setVolume(t, q, period, Math.max(noun.at, period.to - 1), hits, 'per_period');
    return;
  }
  if (noun.kind === 'none') {
    const period = rateRightAfter(t, noun.at);
    if (period !== undefined) {
      if (docContextBefore(t, q.from)) setVolume(t, q, period, period.to - 1, hits, 'bare_rate');
      return;
    }
  }
  if (notHeadcountVerbBefore(t, q.from)) return;
  if (noun.kind === 'person') setTeam(t, q.from, noun.at, q.value, hits, 'people');
  else if (noun.kind === 'of_us') setTeam(t, q.from, noun.at, q.value, hits, 'of_us');
  else if (noun.kind === 'of_them') {
    if (personNounBefore(t, q.from)) setTeam(t, q.from, noun.at, q.value, hits, 'of_us');
  } else if (noun.kind === 'none' && bareHeadcountAfter(t[q.to])) {
    const ctx = headcountContextBefore(t, q.from);
    if (ctx !== undefined) setTeam(t, ctx.from, q.to - 1, q.value, hits, ctx.rule);
  }
}

type Noun = { kind: 'person' | 'doc' | 'of_us' | 'of_them' | 'none' | 'other'; at: number };

/** The people or document noun after a quantity, past at most two modifier words. */
function findNoun(t: readonly Token[], q: Quantity): Noun {
  let j = q.to;
  let skipped = 0;
  // "a couple of us": the quantity already took the "of".
  if (t[j]?.key === 'us' && t[j - 1]?.key === 'of') return { kind: 'of_us', at: j };
  const limit = q.to + 7;
  while (j < limit) {
    const tok = t[j];
    if (tok === undefined) return { kind: 'none', at: j };
    if (tok.kind === 'p') {
      if ((tok.text === '-' && tok.joined) || tok.text === '+') {
        j++;
        continue;
      }
      return { kind: 'none', at: j };
    }
    if (tok.kind === 'n') return { kind: 'other', at: j };
    const key = tok.key;
    if (PERSON_NOUNS.has(key)) return { kind: 'person', at: j };
    if (DOC_NOUNS.has(key)) {
      // "contract templates", "purchase orders": the last document noun of the compound.
      while (DOC_NOUNS.has(t[j + 1]?.key ?? '')) j++;
      return { kind: 'doc', at: j };
    }
    if (key === 'of') {
      const next = t[j + 1]?.key;
      if (next === 'us') return { kind: 'of_us', at: j + 1 };
      if (next === 'them') return { kind: 'of_them', at: j + 1 };
      return { kind: skipped === 0 ? 'none' : 'other', at: j };
    }
    if (key === 'or' && t[j + 1]?.key === 'so') {
      j += 2;
      continue;
    }
    if (FILLERS.has(key)) {
      j++;
      continue;
    }
    if (FUNCTION_WORDS.has(key)) return { kind: skipped === 0 ? 'none' : 'other', at: j };
    if (++skipped > 2) return { kind: 'other', at: j };
    j++;
  }
  return { kind: 'other', at: j };
}

function periodAfter(t: readonly Token[], from: number): Period | undefined {
  for (let m = from; m < from + 6; m++) {
    const tok = t[m];
    if (tok === undefined || isBreak(tok) || tok.text === ',' || tok.kind === 'n') return undefined;
    if (VOLUME_STOPS.has(tok.key)) return undefined;
    const p = matchPeriod(t, m);
    if (p !== undefined) return p;
  }
  return undefined;
}

/** "Every month we send 500 invoices", "our monthly volume is 200 contracts". */
function periodBefore(t: readonly Token[], from: number): Period | undefined {
  for (let m = from - 1; m >= 0 && m >= from - 10; m--) {
    const tok = t[m] as Token;
    if (isBreak(tok) || tok.kind === 'n') return undefined;
    const p = matchPeriod(t, m);
    if (p !== undefined && p.kind !== 'rate' && p.to <= from) return p;
  }
  return undefined;
}

/** "We sign about 200 a month": a period right after the number. */
function rateRightAfter(t: readonly Token[], at: number): Period | undefined {
  return matchPeriod(t, at);
}

function docContextBefore(t: readonly Token[], from: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - 10; m--) {
    const key = (t[m] as Token).key;
    if (DOC_NOUNS.has(key)) return true;
    if (m >= from - 4 && DOC_VERBS.has(key)) return true;
  }
  return false;
}

/** "we hired about 10 people": the verb governs the number, past approximations only. */
function notHeadcountVerbBefore(t: readonly Token[], from: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - 4; m--) {
    const key = (t[m] as Token).key;
    if (NOT_HEADCOUNT_VERBS.has(key)) return true;
    if (!APPROX_BEFORE.has(key) && key !== 'another' && key !== 'up' && key !== 'to') return false;
  }
  return false;
}

function personNounBefore(t: readonly Token[], from: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - 8; m--) {
    if (PERSON_NOUNS.has((t[m] as Token).key)) return true;
  }
  return false;
}

function bareHeadcountAfter(tok: Token | undefined): boolean {
  if (tok === undefined || tok.kind === 'p') return true;
  if (tok.kind === 'n') return false;
  if (UNIT_NOUNS.has(tok.key)) return false;
  return FUNCTION_WORDS.has(tok.key) || AFTER_BARE_HEADCOUNT.has(tok.key);
}

/** "team of 8", "staff of about 30", "our team is 8", "team's 8", "we're 40", "we employ 2,400". */
function headcountContextBefore(
  t: readonly Token[],
  from: number,
): { from: number; rule: string } | undefined {
  let p = from - 1;
  while (p >= 0 && p >= from - 4 && APPROX_BEFORE.has((t[p] as Token).key)) p--;
  const a = t[p];
  if (a === undefined) return undefined;
  const b = t[p - 1];
  if (a.key === 'of' && b !== undefined && GROUP_NOUNS.has(b.key)) return { from: p - 1, rule: 'team_of' };
  if ((a.key === 'is' || a.key === 'are' || a.key === 'was') && b !== undefined) {
    if (HEADCOUNT_SUBJECTS.has(b.key)) return { from: p - 1, rule: 'team_is' };
    if (b.key === 'we') return { from: p - 1, rule: 'we_are' };
  }
  if (a.text.endsWith("'s") && HEADCOUNT_SUBJECTS.has(a.key)) return { from: p, rule: 'team_is' };
  if (a.key === "we're" || a.key === 'were') return { from: p, rule: 'we_are' };
  if (a.key === 'employ' || a.key === 'employs' || a.key === 'employing') return { from: p, rule: 'employ' };
  return undefined;
}

function setTeam(
  t: readonly Token[],
  from: number,
  last: number,
  value: number,
  hits: QuantityHits,
  rule: string,
) {
  hits.team_size = { value, span: spanOf(t, from, last), rule: `team_size.${rule}` };
}

function setVolume(
  t: readonly Token[],
  q: Quantity,
  period: Period,
  last: number,
  hits: QuantityHits,
  rule: string,
): void {
  const value = toMonthly(q.value, period);
  if (value < 1) return;
  const from = Math.min(q.from, period.from);
  hits.monthly_volume = { value, span: spanOf(t, from, last), rule: `monthly_volume.${rule}` };
}

function spanOf(t: readonly Token[], from: number, last: number): [number, number] {
  const a = t[from] as Token;
  const b = t[Math.max(from, last)] as Token;
  return [a.start, b.end];
}
