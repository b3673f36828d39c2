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
import { B_POSSESSIVE, isBreak, K_NUM, K_PUNCT, type Toks } from './tokenizer.js';
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
export function detectQuantities(t: Toks): QuantityHits {
  const hits: Pending = {
    teamFrom: -1,
    teamLast: -1,
    teamValue: 0,
    teamRule: '',
    volumeFrom: -1,
    volumeLast: -1,
    volumeValue: 0,
    volumeRule: '',
  };
  const flags = t.flags;
  const hot = t.hot;
  const hotN = t.hotN;
  // Tokens before `next` belong to the last quantity parsed.
  let next = 0;
  for (let p = 0; p < hotN; p++) {
    const i = hot[p] as number;
    if (i < next || ((flags[i] as number) & F_QUANTITY) === 0) continue;
    const q = parseQuantity(t, i);
    if (q === undefined) continue;
    next = q.to;
    if (q.vague || q.notCount || !(q.value >= 1)) continue;
    classify(t, q, hits);
  }
  const out: QuantityHits = {};
  if (hits.teamFrom >= 0) {
    const span = spanOf(t, hits.teamFrom, hits.teamLast);
    out.team_size = { value: hits.teamValue, span, rule: `team_size.${hits.teamRule}` };
  }
  if (hits.volumeFrom >= 0) {
    const span = spanOf(t, hits.volumeFrom, hits.volumeLast);
    out.monthly_volume = { value: hits.volumeValue, span, rule: `monthly_volume.${hits.volumeRule}` };
  }
  return out;
}

/** The last team size and monthly volume found so far, as token ranges; Hits are built at the end. */
interface Pending {
  teamFrom: number;
  teamLast: number;
  teamValue: number;
  teamRule: string;
  volumeFrom: number;
  volumeLast: number;
  volumeValue: number;
  volumeRule: string;
}

function classify(t: Toks, q: Quantity, hits: Pending): void {
  const noun = findNoun(t, q);
  if (noun.kind === 'doc') {
    const period = periodAfter(t, noun.at + 1) ?? periodBefore(t, q.from);
    if (period !== undefined) setVolume(q, period, Math.max(noun.at, period.to - 1), hits, 'per_period');
    return;
  }
  if (noun.kind === 'none') {
    const period = rateRightAfter(t, noun.at);
    if (period !== undefined) {
      if (docContextBefore(t, q.from)) setVolume(q, period, period.to - 1, hits, 'bare_rate');
      return;
    }
  }
  if (notHeadcountVerbBefore(t, q.from)) return;
  if (noun.kind === 'person') setTeam(q.from, noun.at, q.value, hits, 'people');
  else if (noun.kind === 'of_us') setTeam(q.from, noun.at, q.value, hits, 'of_us');
  else if (noun.kind === 'of_them') {
    if (personNounBefore(t, q.from)) setTeam(q.from, noun.at, q.value, hits, 'of_us');
  } else if (noun.kind === 'none' && bareHeadcountAfter(t, q.to)) {
    const ctx = headcountContextBefore(t, q.from);
    if (ctx !== undefined) setTeam(ctx.from, q.to - 1, q.value, hits, ctx.rule);
  }
}

type Noun = { kind: 'person' | 'doc' | 'of_us' | 'of_them' | 'none' | 'other'; at: number };

/** `findNoun`'s answer, reused from call to call: `classify` reads it before the next call. */
const NOUN: Noun = { kind: 'none', at: 0 };
function nounAt(kind: Noun['kind'], at: number): Noun {
  NOUN.kind = kind;
  NOUN.at = at;
  return NOUN;
}

/** The people or document noun after a quantity, past at most two modifier words. */
function findNoun(t: Toks, q: Quantity): Noun {
  let j = q.to;
  let skipped = 0;
  // "a couple of us": the quantity already took the "of".
  if (t.k(j) === 'us' && t.k(j - 1) === 'of') return nounAt('of_us', j);
  const limit = q.to + 7;
  while (j < limit) {
    if (j >= t.n) return nounAt('none', j);
    if (t.kind[j] === K_PUNCT) {
      if ((t.key[j] === '-' && t.joined(j)) || t.key[j] === '+') {
        j++;
        continue;
      }
      return nounAt('none', j);
    }
    if (t.kind[j] === K_NUM) return nounAt('other', j);
    const key = t.key[j] as string;
    if (PERSON_NOUNS.has(key)) return nounAt('person', j);
    if (DOC_NOUNS.has(key)) {
      // "contract templates", "purchase orders": the last document noun of the compound.
      while (DOC_NOUNS.has(t.k(j + 1))) j++;
      return nounAt('doc', j);
    }
    if (key === 'of') {
      const next = t.k(j + 1);
      if (next === 'us') return nounAt('of_us', j + 1);
      if (next === 'them') return nounAt('of_them', j + 1);
      return nounAt(skipped === 0 ? 'none' : 'other', j);
    }
    if (key === 'or' && t.k(j + 1) === 'so') {
      j += 2;
      continue;
    }
    if (FILLERS.has(key)) {
      j++;
      continue;
    }
    if (FUNCTION_WORDS.has(key)) return nounAt(skipped === 0 ? 'none' : 'other', j);
    if (++skipped > 2) return nounAt('other', j);
    j++;
  }
  return nounAt('other', j);
}

function periodAfter(t: Toks, from: number): Period | undefined {
  for (let m = from; m < from + 6; m++) {
    if (isBreak(t, m) || t.isP(m, ',') || t.kind[m] === K_NUM) return undefined;
    if (VOLUME_STOPS.has(t.key[m] as string)) return undefined;
    const p = matchPeriod(t, m);
    if (p !== undefined) return p;
  }
  return undefined;
}

/** "Every month we send 500 invoices", "our monthly volume is 200 contracts". */
function periodBefore(t: Toks, from: number): Period | undefined {
  for (let m = from - 1; m >= 0 && m >= from - 10; m--) {
    if (isBreak(t, m) || t.kind[m] === K_NUM) return undefined;
    const p = matchPeriod(t, m);
    if (p !== undefined && p.kind !== 'rate' && p.to <= from) return p;
  }
  return undefined;
}

/** "We sign about 200 a month": a period right after the number. */
function rateRightAfter(t: Toks, at: number): Period | undefined {
  return matchPeriod(t, at);
}

function docContextBefore(t: Toks, from: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - 10; m--) {
    const key = t.k(m);
    if (DOC_NOUNS.has(key)) return true;
    if (m >= from - 4 && DOC_VERBS.has(key)) return true;
  }
  return false;
}

/** "we hired about 10 people": the verb governs the number, past approximations only. */
function notHeadcountVerbBefore(t: Toks, from: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - 4; m--) {
    const key = t.k(m);
    if (NOT_HEADCOUNT_VERBS.has(key)) return true;
    if (!APPROX_BEFORE.has(key) && key !== 'another' && key !== 'up' && key !== 'to') return false;
  }
  return false;
}

function personNounBefore(t: Toks, from: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - 8; m--) {
    if (PERSON_NOUNS.has(t.k(m))) return true;
  }
  return false;
}

function bareHeadcountAfter(t: Toks, i: number): boolean {
  if (i >= t.n || t.kind[i] === K_PUNCT) return true;
  if (t.kind[i] === K_NUM) return false;
  const key = t.key[i] as string;
  if (UNIT_NOUNS.has(key)) return false;
  return FUNCTION_WORDS.has(key) || AFTER_BARE_HEADCOUNT.has(key);
}

/** "team of 8", "staff of about 30", "our team is 8", "team's 8", "we're 40", "we employ 2,400". */
function headcountContextBefore(t: Toks, from: number): { from: number; rule: string } | undefined {
  let p = from - 1;
  while (p >= 0 && p >= from - 4 && APPROX_BEFORE.has(t.k(p))) p--;
  if (p < 0) return undefined;
  const a = t.k(p);
  const b = t.k(p - 1);
  if (a === 'of' && GROUP_NOUNS.has(b)) return { from: p - 1, rule: 'team_of' };
  if (a === 'is' || a === 'are' || a === 'was') {
    if (HEADCOUNT_SUBJECTS.has(b)) return { from: p - 1, rule: 'team_is' };
    if (b === 'we') return { from: p - 1, rule: 'we_are' };
  }
  if (t.has(p, B_POSSESSIVE) && HEADCOUNT_SUBJECTS.has(a)) return { from: p, rule: 'team_is' };
  if (a === "we're" || a === 'were') return { from: p, rule: 'we_are' };
  if (a === 'employ' || a === 'employs' || a === 'employing') return { from: p, rule: 'employ' };
  return undefined;
}

function setTeam(from: number, last: number, value: number, hits: Pending, rule: string) {
  hits.teamFrom = from;
  hits.teamLast = last;
  hits.teamValue = value;
  hits.teamRule = rule;
}

function setVolume(q: Quantity, period: Period, last: number, hits: Pending, rule: string): void {
  const value = toMonthly(q.value, period);
  if (value < 1) return;
  hits.volumeFrom = Math.min(q.from, period.from);
  hits.volumeLast = last;
  hits.volumeValue = value;
  hits.volumeRule = rule;
}

function spanOf(t: Toks, from: number, last: number): [number, number] {
  return [t.start[from] as number, t.end[Math.max(from, last)] as number];
}
