/**
 * team_size and monthly_volume: every quantity in the message is classified by the few tokens
 * around it — a people noun after it ("40 people", "five of us"), a group before it ("team of 8",
 * "we're 40"), or a document noun plus a period ("50 contracts a week", "monthly … 1,500 documents").
 * Numbers with neither (years, prices, percentages, dates, phone numbers, stock counts) are ignored.
 */

import { NO_CONTEXT, type ReadContext } from './context.js';
import { F_QUANTITY, MAX_ALTERNATIVES } from './flags.js';
import {
  audienceNear,
  DOC_NOUNS,
  DOC_VERBS,
  FUNCTION_WORDS,
  GROUP_NOUNS,
  HEADCOUNT_SUBJECTS,
  NOT_HEADCOUNT_VERBS,
  ORDER_KINDS,
  PERSON_NOUNS,
  UNIT_NOUNS,
} from './lexicon.js';
import { parseQuantity, type Quantity } from './numbers.js';
import { matchPeriod, type Period, toMonthly } from './periods.js';
import { chooseTeam, departmentCount, ownedByProspect, type TeamCandidate, tenseOf } from './team_scope.js';
import { B_DASH, B_POSSESSIVE, isBreak, K_NUM, K_PUNCT, K_WORD, type Toks } from './tokenizer.js';
import type { Alternative, Hit } from './types.js';

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
/** "a normal month is about 400 estimates": a rate period before the number, as a subject. */
const RATE_THEN = new Set(['is', "it's", 'we', 'there']);
const VOLUME_STOPS = new Set(['and', 'but', 'while', 'which', 'because', 'so', 'whereas', 'although']);

/**
 * Finds the team size (the prospect's current one, `team_scope.ts`) and the monthly volume (the
 * last one stated).
 */
export function detectQuantities(t: Toks, ctx: ReadContext = NO_CONTEXT): QuantityHits {
  const hits: Pending = {
    ctx,
    team: [],
    volumeFrom: -1,
    volumeLast: -1,
    volumeValue: 0,
    volumeRule: '',
    volumeConfidence: 0,
    volumeAlternatives: [],
    volumePeak: false,
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
    // "60/40 toward the other vendor", "24/7", "3/4 of the team": a ratio, a schedule or a
    // fraction, never a count of people or documents.
    if (slashPair(t, q.from, q.to) || formCode(t, q.from)) {
      next = Math.max(next, q.to + 2);
      continue;
    }
    classify(t, q, hits);
  }
  const out: QuantityHits = {};
  const team = chooseTeam(t, hits.team);
  if (team !== undefined) out.team_size = team;
  if (hits.volumeFrom >= 0) {
    const span = spanOf(t, hits.volumeFrom, hits.volumeLast);
    const rule = `monthly_volume.${hits.volumeRule}`;
    out.monthly_volume = { value: hits.volumeValue, span, rule, confidence: hits.volumeConfidence };
    if (hits.volumeAlternatives.length > 0) {
      out.monthly_volume.alternatives = hits.volumeAlternatives;
      out.monthly_volume.confidence = Math.min(hits.volumeConfidence, 0.8);
    }
  }
  return out;
}

/** A people noun within the next three words, with only words (no number, punctuation or function word) before it. */
function personAhead(t: Toks, from: number): boolean {
  for (let k = from; k < t.n && k < from + 3; k++) {
    if (t.kind[k] !== K_WORD || FUNCTION_WORDS.has(t.key[k] as string)) return false;
    if (PERSON_NOUNS.has(t.key[k] as string)) return true;
  }
  return false;
}

/** "W-2 employees", "an I-9", "K-1s": a form's name, a letter joined to the number by a hyphen. */
function formCode(t: Toks, from: number): boolean {
  return (
    from >= 2 &&
    t.key[from - 1] === '-' &&
    t.joined(from - 1) &&
    t.joined(from) &&
    t.kind[from - 2] === K_WORD &&
    (t.key[from - 2] as string).length === 1
  );
}

/** The number is one side of `a/b` (digits on both sides of a slash). */
function slashPair(t: Toks, from: number, to: number): boolean {
  if (t.key[to] === '/' && t.kind[to + 1] === K_NUM) return true;
  return from >= 2 && t.key[from - 1] === '/' && t.kind[from - 2] === K_NUM;
}

/** The last team size and monthly volume found so far, as token ranges; Hits are built at the end. */
interface Pending {
  ctx: ReadContext;
  team: TeamCandidate[];
  volumeFrom: number;
  volumeLast: number;
  volumeValue: number;
  volumeRule: string;
  volumeConfidence: number;
  volumeAlternatives: Alternative<number>[];
  volumePeak: boolean;
}

function classify(t: Toks, q: Quantity, hits: Pending): void {
  const noun = findNoun(t, q);
  const topic = hits.ctx.topic;
  if (noun.kind === 'doc') {
    const period = periodAfter(t, noun.at + 1) ?? periodBefore(t, q.from);
    if (period !== undefined) setVolume(t, q, period, Math.max(noun.at, period.to - 1), hits, 'per_period');
    else {
      // "Around 50-60 proposals." answering "How many proposals … per month?": the asked period.
      const asked = hits.ctx.period;
      if (topic === 'volume' && asked !== undefined && answerStart(t, q.from) && !isPresentStock(t, q.from)) {
        const p: Period = { num: asked.num, den: asked.den, from: q.from, to: noun.at + 1, kind: 'rate' };
        setVolume(t, q, p, noun.at, hits, 'context');
      }
    }
    return;
  }
  if (noun.kind === 'none') {
    const period = rateRightAfter(t, noun.at);
    if (period !== undefined) {
      // "20 a day per adjuster": a rate per person is not the prospect's volume.
      const per = t.k(period.to + 1);
      if (PER_WORDS.has(t.k(period.to)) && (PERSON_NOUNS.has(per) || PERSON_NOUNS.has(`${per}s`))) return;
      if (docContextBefore(t, q.from)) setVolume(t, q, period, period.to - 1, hits, 'bare_rate');
      // "Total meetings across the team? About forty a month.": the message names what is counted.
      else if (topic === 'volume' && !countedNounBefore(t, q.from))
        setVolume(t, q, period, period.to - 1, hits, 'context');
      return;
    }
    // "On a normal week maybe 600", after a question about documents.
    const before = topic === 'volume' ? periodBefore(t, q.from) : undefined;
    if (before !== undefined && bareHeadcountAfter(t, q.to)) {
      setVolume(t, q, before, q.to - 1, hits, 'context');
      return;
    }
    const asked = hits.ctx.period;
    if (topic === 'volume' && asked !== undefined && answerStart(t, q.from) && bareHeadcountAfter(t, q.to)) {
      const p: Period = { num: asked.num, den: asked.den, from: q.from, to: q.to, kind: 'rate' };
      setVolume(t, q, p, q.to - 1, hits, 'context');
      return;
    }
  }
  if (notHeadcountVerbBefore(t, q.from)) return;
  if (!Number.isInteger(q.value)) return;
  // "five other people said the same": people outside the prospect.
  if (t.k(q.to) === 'other' || t.k(q.to) === 'others') return;
  // "we email our list, about three thousand engineers": an audience, not staff.
  if (noun.kind === 'person' && audienceNear(t, q.from, noun.at + 1)) return;
  // "Three agents use it. Out of 15.": the total after a count of people; the earlier count is a part.
  if (noun.kind === 'none' && outOfTotal(t, q.from, hits) && bareHeadcountAfter(t, q.to)) {
    addTeam(t, q.from - 2, q.to - 1, q.value, hits, 'out_of', false);
    return;
  }
  if (noun.kind === 'person') {
    // "if we were 200 people", "if someone told me: here are three designers": a supposed team, not the current one.
    if (supposedBefore(t, q.from)) return;
    // "two full-time employees worth of work", "the equivalent of four people": an amount of work.
    if (workAmount(t, q.from, noun.at)) return;
    // "three people remote in Lisbon": where part of the team works names a part, not the team.
    if (LOCATED.has(t.k(noun.at + 1))) return;
    // "nine buyers plus me", "just me and two crew members": the speaker counts.
    const me = SUM_JOIN_ME.has(t.k(noun.at + 1)) && ME.has(t.k(noun.at + 2));
    // "it's me, three dispatchers": a comma joins the speaker too.
    const join = t.k(q.from - 1);
    const meBefore = !me && (SUM_JOIN_ME.has(join) || join === ',') && ME.has(t.k(q.from - 2));
    addTeam(
      t,
      meBefore ? q.from - 2 : q.from,
      me ? noun.at + 2 : noun.at,
      q.value + (me || meBefore ? 1 : 0),
      hits,
      'people',
      false,
    );
  } else if (noun.kind === 'of_us') addTeam(t, q.from, noun.at, q.value, hits, 'of_us', false);
  else if (noun.kind === 'of_them') {
    if (personNounBefore(t, q.from)) addTeam(t, q.from, noun.at, q.value, hits, 'of_us', true);
  } else if (noun.kind === 'none' && bareHeadcountAfter(t, q.to)) {
    const ctx = headcountContextBefore(t, q.from);
    if (ctx !== undefined) addTeam(t, ctx.from, q.to - 1, q.value, hits, ctx.rule, false);
    else if (topic === 'team' && answerStart(t, q.from))
      addTeam(t, q.from, q.to - 1, q.value, hits, 'context', false);
    else if (growthTarget(t, q.from))
      // "we've grown from 30 reps to just under 70": the count after "from N … to".
      addTeam(t, q.from, q.to - 1, q.value, hits, 'growth', false);
    else if (
      CURRENT_AFTER.has(t.k(q.to)) &&
      GROWTH_BEFORE.has(t.k(q.from - 1)) &&
      previousCountOfPeople(t, q.from)
    )
      // "we grew from 12 paralegals two years ago to 30 now"
      addTeam(t, q.from, q.to - 1, q.value, hits, 'growth', false);
  }
}

const PER_WORDS = new Set(['per', 'each', 'a']);

/** "… out of 15": a bare number after "out of", after a count of people (30 tokens back) or a people noun (12). */
function outOfTotal(t: Toks, from: number, hits: Pending): boolean {
  if (t.k(from - 1) !== 'of' || t.k(from - 2) !== 'out') return false;
  const last = hits.team[hits.team.length - 1];
  if (last !== undefined && from - last.last <= 30) return true;
  // "Two of the reps use it, out of 18": the people were named without a count of their own.
  for (let m = from - 3; m >= 0 && m >= from - 12; m--) if (PERSON_NOUNS.has(t.key[m] as string)) return true;
  return false;
}

/**
 * The nearest counted noun before a bare rate names something other than documents: "Total
 * meetings across the team? About forty a month." Reads at most twelve tokens back (a question
 * the prospect asks itself may come before).
 */
function countedNounBefore(t: Toks, from: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - 12; m--) {
    const k = t.key[m] as string;
    if (DOC_NOUNS.has(k)) return false;
    if (COUNTED_NOT_DOCS.has(k)) return true;
  }
  return false;
}
const COUNTED_NOT_DOCS = new Set(
  (
    'meetings meeting calls call demos demo leads lead tickets ticket deals deal emails email orders units ' +
    'shipments visits appointments referrals opportunities opps conversations sessions'
  ).split(' '),
);

/** "We have 300 templates": a stock the prospect holds, not a count per period. */
function isPresentStock(t: Toks, from: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - 4; m--) {
    const k = t.key[m] as string;
    if (k === 'have' || k === 'has' || k === 'stored' || k === 'store' || k === 'keep' || k === 'total')
      return true;
  }
  return false;
}

/**
 * "… 12 paralegals two years ago, at 30 now": a bare current count takes the noun of the count
 * before it; after "2,000 visitors a month", "we're at 18,000 now" counts visitors.
 */
function previousCountOfPeople(t: Toks, from: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - 30; m--) {
    if (t.kind[m] !== K_NUM) continue;
    for (let j = m + 1; j <= m + 3; j++) if (PERSON_NOUNS.has(t.k(j))) return true;
    return false;
  }
  return false;
}
const LOCATED = new Set(['remote', 'remotely', 'offshore', 'overseas', 'abroad', 'onsite']);
const WORK_OF = new Set(['equivalent', 'work', 'job', 'workload', 'output', 'capacity']);

/** "two full-time employees worth of productivity", "the equivalent of four people". */
function workAmount(t: Toks, from: number, noun: number): boolean {
  if (t.k(noun + 1) === 'worth') return true;
  let m = from - 1;
  while (m >= 0 && m >= from - 3 && APPROX_BEFORE.has(t.k(m))) m--;
  return t.k(m) === 'of' && WORK_OF.has(t.k(m - 1));
}

/** "from 30 reps to just under 70": a number after "to" whose "from" side is a headcount. */
function growthTarget(t: Toks, from: number): boolean {
  let p = from - 1;
  while (p >= 0 && p >= from - 3 && APPROX_BEFORE.has(t.k(p))) p--;
  if (t.k(p) !== 'to') return false;
  for (let m = p - 1; m >= 0 && m >= p - 4; m--) {
    if (isBreak(t, m)) return false;
    if (t.k(m) === 'from') return PERSON_NOUNS.has(t.k(p - 1)) || t.kind[p - 1] === K_NUM;
  }
  return false;
}
const SUM_JOIN_ME = new Set(['plus', 'and', 'including']);
const ME = new Set(['me', 'myself']);
const CURRENT_AFTER = new Set(['now', 'today', 'currently']);
const GROWTH_BEFORE = new Set(['to', 'at']);
/** Words that may open a bare answer before its number: "Um, it's about 65", "Yes, probably 200". */
const ANSWER_OPENERS = new Set([
  'yes',
  'yeah',
  'yep',
  'oh',
  'so',
  'well',
  'honestly',
  "it's",
  'its',
  "that's",
  "i'd",
  'say',
  'guess',
  'think',
  'i',
  'all',
  'in',
  'total',
  'call',
  'it',
  'um',
  'hmm',
  'ok',
  'okay',
  'right',
  'and',
  'then',
  'we',
  "we're",
  'there',
  "there's",
  'are',
  'is',
  'a',
]);

/** The number opens its clause, past approximations and answer openers: "About forty.", "Um, it's about 65". */
function answerStart(t: Toks, from: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - 6; m--) {
    if (isBreak(t, m) || t.isP(m, ',') || t.isP(m, '-')) return true;
    const k = t.key[m] as string;
    if (!APPROX_BEFORE.has(k) && !ANSWER_OPENERS.has(k)) return false;
  }
  return from <= 6;
}

type Noun = { kind: 'person' | 'doc' | 'of_us' | 'of_them' | 'none' | 'other'; at: number };

/** `findNoun`'s answer, reused from call to call: `classify` reads it before the next call. */
const NOUN: Noun = { kind: 'none', at: 0 };
function nounAt(kind: Noun['kind'], at: number): Noun {
  NOUN.kind = kind;
  NOUN.at = at;
  return NOUN;
}

/**
 * "if"/"unless" opens the clause of the count with a verb of being, growing or hiring (up to ten
 * words back, no comma or sentence end between).
 */
function supposedBefore(t: Toks, at: number): boolean {
  let supposing = false;
  for (let m = at - 1; m >= 0 && m >= at - 10; m--) {
    if (isBreak(t, m) || t.isP(m, ',')) return false;
    const k = t.key[m] as string;
    if (k === 'if' || k === 'unless') return supposing;
    if (SUPPOSED_VERBS.has(k)) supposing = true;
  }
  return false;
}
/** Verbs that make the count a supposed state ("if we were 200 people", "if we hired ten reps", "told me: here are three designers"). */
const SUPPOSED_VERBS = new Set(
  "were was be had grow grew reach reached hit hire hired add added doubled double told said here there's".split(
    ' ',
  ),
);
const OUTFITS = new Set(
  'shop operation band show business outfit team firm practice department office company agency'.split(' '),
);
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
      // "35-person", "full-time" (a hyphen); "one—can reps" is a dash, a pause.
      if ((t.key[j] === '-' && t.joined(j) && ((t.bits[j] as number) & B_DASH) === 0) || t.key[j] === '+') {
        j++;
        // "full-time support agents": the word after the hyphen is part of the same modifier.
        const after = t.key[j] as string;
        if (j > q.to + 1 && t.kind[j] === K_WORD && !PERSON_NOUNS.has(after) && !DOC_NOUNS.has(after)) j++;
        continue;
      }
      return nounAt('none', j);
    }
    if (t.kind[j] === K_NUM) return nounAt('other', j);
    const key = t.key[j] as string;
    if (PERSON_NOUNS.has(key)) return nounAt('person', j);
    // "a one man IT shop", "a two-woman operation": the people in an outfit.
    if (
      (key === 'man' || key === 'woman') &&
      skipped === 0 &&
      (OUTFITS.has(t.k(j + 1)) || OUTFITS.has(t.k(j + 2)))
    )
      return nounAt('person', j);
    if (DOC_NOUNS.has(key) || isDocOrder(t, j)) {
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
    // "14 full-time and then volunteers": "full-time"/"part-time" stands for the people.
    if (FUNCTION_WORDS.has(key) && t.k(j - 1) === 'time' && (t.k(j - 3) === 'full' || t.k(j - 3) === 'part'))
      return nounAt('person', j - 1);
    // "15 sales and BD team members": two modifiers joined before the people noun.
    if ((key === 'and' || key === '&') && skipped > 0 && personAhead(t, j + 1)) {
      j++;
      skipped--; // the joined pair counts as one modifier
      continue;
    }
    if (FUNCTION_WORDS.has(key)) return nounAt(skipped === 0 ? 'none' : 'other', j);
    if (++skipped > 2) return nounAt('other', j);
    j++;
  }
  return nounAt('other', j);
}

/** "purchase orders", "change orders", "order forms" (not "30,000 orders a day" shipped). */
function isDocOrder(t: Toks, j: number): boolean {
  const key = t.key[j] as string;
  if (key === 'orders' || key === 'order') return ORDER_KINDS.has(t.k(j - 1)) || DOC_NOUNS.has(t.k(j + 1));
  return false;
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
    if (p !== undefined && p.to <= from && (p.kind !== 'rate' || RATE_THEN.has(t.k(p.to)))) return p;
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
    if (DOC_NOUNS.has(key) || (m >= 0 && isDocOrder(t, m))) return true;
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
  while (p >= 0 && p >= from - 4 && APPROX_BEFORE.has(t.k(p))) {
    // "we're at 18,000 now": a level of something else, unless "at least".
    if (t.k(p) === 'at' && t.k(p + 1) !== 'least') return undefined;
    p--;
  }
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

function addTeam(
  t: Toks,
  from: number,
  last: number,
  value: number,
  hits: Pending,
  rule: string,
  subset: boolean,
) {
  // "One person can't buy software": a single person is the prospect's team only when they say so.
  // ("One employee." answering "How many employees?" says so.)
  if (value === 1 && rule === 'people' && !selfBefore(t, from) && hits.ctx.topic !== 'team') return;
  if (hits.team.length >= MAX_TEAM_CANDIDATES) hits.team.shift();
  hits.team.push({
    value,
    from,
    last,
    rule: `team_size.${rule}`,
    tense: tenseOf(t, from, last),
    own: ownedByProspect(t, from, hits.ctx.topic),
    subset,
    department: departmentCount(t, from, last),
  });
}

const SELF_WORDS = new Set(["we're", 'we', 'our', 'us', 'i', "i'm", 'my', 'im', "it's"]);

function selfBefore(t: Toks, from: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - 6; m--) {
    if (isBreak(t, m)) return false;
    if (SELF_WORDS.has(t.k(m))) return true;
  }
  return false;
}

/** Bound on the candidates kept (the latest ones): a hostile message can state thousands. */
const MAX_TEAM_CANDIDATES = 16;

const VOLUME_CONFIDENCE: Record<string, number> = { per_period: 0.9, bare_rate: 0.8, context: 0.75 };

function setVolume(t: Toks, q: Quantity, period: Period, last: number, hits: Pending, rule: string): void {
  const value = toMonthly(q.value, period);
  if (value < 1) return;
  const peak = peakClause(t, q.from, last);
  const alts = hits.volumeAlternatives;
  if (hits.volumeFrom >= 0 && hits.volumeValue !== value) {
    if (alts.length >= MAX_ALTERNATIVES) alts.shift();
    // A peak-season figure does not replace the usual one stated before it.
    if (peak && !hits.volumePeak) {
      alts.push({ value, span: spanOf(t, Math.min(q.from, period.from), last), reason: 'peak volume' });
      return;
    }
    const reason = hits.volumePeak ? 'peak volume' : 'earlier mention';
    alts.push({ value: hits.volumeValue, span: spanOf(t, hits.volumeFrom, hits.volumeLast), reason });
  }
  hits.volumePeak = peak;
  hits.volumeConfidence = VOLUME_CONFIDENCE[rule] ?? 0.8;
  hits.volumeFrom = Math.min(q.from, period.from);
  hits.volumeLast = last;
  hits.volumeValue = value;
  hits.volumeRule = rule;
}

function spanOf(t: Toks, from: number, last: number): [number, number] {
  return [t.start[from] as number, t.end[Math.max(from, last)] as number];
}

/** "In peak season it's closer to 900 a week", "on a heavy day": not the usual volume. */
const PEAK_WORDS = new Set([
  'peak',
  'busiest',
  'busy',
  'heavy',
  'spike',
  'spikes',
  'rush',
  'crunch',
  'record',
  'stretch',
  'season',
]);

function peakClause(t: Toks, from: number, last: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - 10; m--) {
    if (isBreak(t, m)) break;
    if (PEAK_WORDS.has(t.key[m] as string)) return true;
  }
  // "150 a week in the busy stretch": the peak named right after the figure.
  for (let m = last + 1; m < t.n && m <= last + 5; m++) {
    if (isBreak(t, m) || t.isP(m, ',') || t.kind[m] === K_NUM) return false;
    if (PEAK_WORDS.has(t.key[m] as string)) return true;
  }
  return false;
}
