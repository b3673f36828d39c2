/**
 * urgency: cue phrases ("ASAP", "next quarter", "just exploring"), durations ("within two weeks",
 * "in the next two or three months", "in 9 months") and negated high cues ("not urgent",
 * "not really in a hurry"). When one message states several, the last one stated wins.
 */
import type { Urgency } from '../../schema/session_payload.js';
import { NO_CONTEXT, type ReadContext } from './context.js';
import { F_DURATION, F_QUANTITY, F_URGENCY, MAX_ALTERNATIVES } from './flags.js';
import { isNegatorAt } from './lexicon.js';
import { parseQuantity } from './numbers.js';
import { B_POSSESSIVE, isBreak, isSoftBreak, type Toks } from './tokenizer.js';
import type { Alternative, Hit } from './types.js';
import { type Cue, urgencyTable } from './urgency_cues.js';
import {
  anchorOf,
  bareMonthAnswer,
  countsAsHorizon,
  pastPurchase,
  sentenceAnswer,
  undatedCounts,
} from './urgency_scope.js';

export const DURATION_STARTS: ReadonlySet<string> = new Set(['in', 'within', 'next', 'over']);
const DURATION_SKIP = new Set([
  'the',
  'next',
  'coming',
  'following',
  'about',
  'around',
  'roughly',
  'approximately',
  'approx',
  'maybe',
  'another',
  'less',
  'than',
  'under',
  'just',
  'only',
  'like',
  'say',
  'probably',
  'perhaps',
]);
const UNIT_DAYS: ReadonlyMap<string, number> = new Map([
  ['day', 1],
  ['days', 1],
  ['week', 7],
  ['weeks', 7],
  ['month', 30],
  ['months', 30],
  ['quarter', 91],
  ['quarters', 91],
  ['year', 365],
  ['years', 365],
]);

/** Confidence of a cue by how it was anchored. */
const CONFIDENCE = { cue: 0.9, strong: 0.85, weak: 0.75, timeline: 0.8, bare: 0.65 } as const;

/**
 * The last urgency cue of the message that is about buying. Horizons about something else, and
 * earlier horizons, are kept as the alternatives it beat.
 */
export function detectUrgency(t: Toks, ctx: ReadContext = NO_CONTEXT): Hit<Urgency> | undefined {
  const tab = urgencyTable();
  const tflags = t.flags;
  const hot = t.hot;
  const hotN = t.hotN;
  let best: Hit<Urgency> | undefined;
  let alternatives: Alternative<Urgency>[] | undefined;
  // The last horizon skipped as not about buying, which "by then" can tie the purchase to.
  let skipped: Hit<Urgency> | undefined;
  // Tokens before `next` belong to the last cue matched.
  let next = 0;
  // The best so far is a stated distance ("within three weeks", "about 3 weeks from now"), which a
  // later named month does not replace.
  let bestIsDistance = false;
  for (let p = 0; p < hotN; p++) {
    const i = hot[p] as number;
    const flags = tflags[i] as number;
    if (i < next || (flags & (F_DURATION | F_URGENCY | F_QUANTITY)) === 0) continue;
    let hit: Hit<Urgency> | undefined;
    let dated = false;
    let distance = false;
    let restates = false;
    let process = false;
    let month = false;
    let undated: 'high' | 'explore' | 'other' | undefined;
    let to = -1;
    if ((flags & F_DURATION) !== 0) {
      const d = duration(t, i);
      if (d !== undefined) {
        hit = d.hit;
        to = d.to;
        dated = true;
        distance = true;
      }
    }
    if (hit === undefined && (flags & F_QUANTITY) !== 0) {
      // "about 3 weeks from now", "ten days away": a distance that restates the horizon before it;
      // "a six-month evaluation": the length of the buying process.
      const d = distanceFromNow(t, i) ?? processLength(t, i) ?? processTakes(t, i);
      if (d !== undefined) {
        hit = d.hit;
        to = d.to;
        dated = true;
        distance = true;
        restates = d.hit.rule.endsWith('.distance');
        process = !restates;
      }
    }
    if (hit === undefined) {
      if ((flags & F_URGENCY) === 0) continue;
      to = tab.matchEnd(t, i);
      if (to < 0) continue;
      const cue = tab.matched as Cue;
      if (cue.level === 'none') {
        next = to;
        continue;
      }
      if (cue.level === 'tie') {
        next = to;
        const anchor = anchorOf(t, i, to);
        if (skipped === undefined || (anchor !== 'strong' && anchor !== 'weak')) continue;
        const tied: Hit<Urgency> = {
          value: skipped.value,
          span: [skipped.span[0], t.end[to - 1] as number],
          rule: `urgency.${skipped.value}.tied`,
          confidence: 0.7,
        };
        if (best !== undefined) alternatives = lose(alternatives, best, 'earlier horizon');
        best = tied;
        skipped = undefined;
        continue;
      }
      if (cue.month && (ctx.topic !== 'timeline' || !bareMonthAnswer(t, i))) continue;
      if (cue.afterDone === true && (!afterOtherWork(t, i) || lookedAtOther(t, to))) {
        next = to;
        continue;
      }
      // "not happy with what we have": discontent is a reason to buy, not contentment.
      if (cue.rule === 'low.content' && (negatedBefore(t, i) || othersContent(t, i))) {
        next = to;
        continue;
      }
      // "then we could start exploring", "let us explore the reports": trying the product, not browsing the market.
      if (cue.rule === 'low.exploring' && to - i === 1 && START_BEFORE.has(t.k(i - 1))) {
        next = to;
        continue;
      }
      // "the spring leasing rush", "the lunch rush": a busy period, not "in a rush" or "no rush".
      if (to - i === 1 && (t.k(i) === 'rush' || t.k(i) === 'hurry') && !RUSH_IDIOM_BEFORE.has(t.k(i - 1))) {
        next = to;
        continue;
      }
      const span: [number, number] = [t.start[i] as number, t.end[to - 1] as number];
      dated = cue.dated;
      month = cue.rule === 'medium.month';
      const negated = cue.negatable && negatedBefore(t, i);
      hit = negated
        ? { value: 'low', span, rule: 'urgency.low.negated' }
        : { value: cue.level, span, rule: cue.ruleId };
      if (!dated)
        undated = negated
          ? 'other'
          : cue.rule === 'high.asap'
            ? 'high'
            : cue.rule === 'low.exploring'
              ? 'explore'
              : 'other';
    }
    next = to;
    // "sign within two weeks to use this quarter's budget": a possessive horizon names a budget or
    // a plan; it does not replace a horizon already stated ("the plan for next year's budget cycle"
    // alone still dates the purchase).
    if (dated && best !== undefined && t.has(to - 1, B_POSSESSIVE)) {
      alternatives = lose(alternatives, hit, 'names a budget or a plan');
      continue;
    }
    let confidence: number = CONFIDENCE.cue;
    if (undated !== undefined && !undatedCounts(t, i, to, undated, ctx.topic)) {
      alternatives = lose(alternatives, hit, 'not about buying');
      continue;
    }
    // "not in six months": the time it is not ("not until Q3" is a horizon).
    if (dated && t.k(i - 1) === 'not' && t.k(i) !== 'until' && t.k(i) !== 'before') {
      alternatives = lose(alternatives, hit, 'negated');
      continue;
    }
    // A named month after a stated distance is a step or a consequence, not a new horizon.
    if (month && bestIsDistance) {
      alternatives = lose(alternatives, hit, 'a stated distance outranks a named month');
      continue;
    }
    if (dated && !restates && pastPurchase(t, i, to)) {
      alternatives = lose(alternatives, hit, 'a purchase already made');
      continue;
    }
    if (dated) {
      const anchor = process ? 'strong' : anchorOf(t, i, to);
      const counts =
        countsAsHorizon(anchor, ctx.topic) ||
        // "That's about 3 weeks from now." restates the horizon just counted.
        (restates && best !== undefined && anchor !== 'other') ||
        // "Maybe in the future." as its own sentence: a far horizon whatever the question.
        (hit.value === 'low' &&
          anchor === 'bare' &&
          ctx.topic !== 'meeting' &&
          ctx.topic !== 'third_party' &&
          sentenceAnswer(t, i, to));
      if (!counts) {
        alternatives = lose(
          alternatives,
          hit,
          ctx.topic === 'meeting' || anchor === 'other' ? 'not about buying' : 'not asked about timing',
        );
        if (anchor === 'other') skipped = hit;
        continue;
      }
      confidence =
        anchor === 'strong'
          ? CONFIDENCE.strong
          : anchor === 'weak'
            ? CONFIDENCE.weak
            : ctx.topic === 'timeline'
              ? CONFIDENCE.timeline
              : CONFIDENCE.bare;
    }
    hit.confidence = confidence;
    if (best !== undefined) alternatives = lose(alternatives, best, 'earlier horizon');
    best = hit;
    bestIsDistance = distance;
  }
  if (best !== undefined && alternatives !== undefined) {
    best.alternatives = alternatives.filter((a) => a.span[0] !== best?.span[0]);
    if (best.alternatives.length === 0) delete best.alternatives;
    else if (best.alternatives.some((a) => a.value !== best?.value && a.reason === 'earlier horizon'))
      best.confidence = Math.max(0.5, (best.confidence ?? CONFIDENCE.cue) - 0.1);
  }
  return best;
}

/** Adds a horizon that lost to the alternatives (bounded); a plain function, no closure per call. */
function lose(
  list: Alternative<Urgency>[] | undefined,
  hit: Hit<Urgency>,
  reason: string,
): Alternative<Urgency>[] {
  const out = list ?? [];
  if (out.length < MAX_ALTERNATIVES) out.push({ value: hit.value, span: hit.span, reason });
  return out;
}

function negatedBefore(t: Toks, at: number): boolean {
  for (let m = at - 1; m >= 0 && m >= at - 3; m--) {
    if (isSoftBreak(t, m) || t.key[m] === 'but') return false;
    if (isNegatorAt(t, m)) return true;
  }
  return false;
}

/** What a deferred look may be at that is not the purchase: "we'll look at the numbers together". */
const LOOK_NOT_PURCHASE = new Set(
  'numbers number results report reports data figures proposal quote quotes pricing deck schedule calendar draft'.split(
    ' ',
  ),
);

function lookedAtOther(t: Toks, to: number): boolean {
  for (let m = to; m < t.n && m < to + 3; m++) {
    if (isBreak(t, m)) return false;
    if (LOOK_NOT_PURCHASE.has(t.key[m] as string)) return true;
  }
  return false;
}

const CONTENT_OTHERS = new Set([
  'clients',
  'customers',
  'client',
  'customer',
  'they',
  "they're",
  'patients',
  'users',
]);

/** "Our clients are happy with what we have": someone else's contentment, not the buyer's. */
function othersContent(t: Toks, at: number): boolean {
  for (let m = at - 1; m >= 0 && m >= at - 6; m--) {
    if (isBreak(t, m)) return false;
    if (CONTENT_OTHERS.has(t.key[m] as string)) return true;
  }
  return false;
}

const DEFER_OPENERS = new Set(['once', 'after', 'when']);
/** Words that say other work is over: "once that's settled", "after the reorg is done". */
const DONE_WORDS = new Set(
  (
    'settled settles settle done over finished finishes behind complete completed wrapped sorted ' +
    'launched closes closed stabilizes stabilises calm calms dust through'
  ).split(' '),
);

/**
 * "Once the merger is settled, we'll look at …", "After the reorg is done we'll revisit …": the
 * sentence opens with a clause about other work ending; looking at the purchase waits for it.
 * Bounded: at most 14 tokens back, within the sentence.
 */
function afterOtherWork(t: Toks, at: number): boolean {
  let done = false;
  for (let m = at - 1; m >= 0 && m >= at - 14; m--) {
    if (isBreak(t, m)) return false;
    const k = t.key[m] as string;
    if (DONE_WORDS.has(k)) done = true;
    if (DEFER_OPENERS.has(k)) return done && (isBreak(t, m - 1) || t.isP(m - 1, ',') || t.k(m - 1) === 'but');
  }
  return false;
}

/** Before "exploring": a start of using the product ("start exploring", "begin exploring"). */
const START_BEFORE = new Set(['start', 'starting', 'started', 'begin', 'beginning', 'began', 'keep', 'go']);
const RUSH_IDIOM_BEFORE = new Set(['a', 'no', 'any', 'in', 'such', 'big', 'real']);
/** The units a distance from now is read in: days, weeks and months (not quarters or years). */
const DISTANCE_UNITS: ReadonlyMap<string, number> = new Map([...UNIT_DAYS].filter(([, days]) => days <= 30));
/** What a process length must be the length of: the buying process, not a trial once started. */
const PROCESS_NOUNS = new Set([
  'evaluation',
  'procurement',
  'buying',
  'decision',
  'approval',
  'selection',
  'purchasing',
  'vetting',
]);

function levelOf(days: number): Urgency {
  return days <= 31 ? 'high' : days <= 190 ? 'medium' : 'low';
}

/** "3 weeks from now", "ten days away", "two weeks out": a distance stated after the number. */
function distanceFromNow(t: Toks, i: number): { hit: Hit<Urgency>; to: number } | undefined {
  const q = parseQuantity(t, i);
  if (q === undefined || q.vague || q.notCount || !(q.value > 0)) return undefined;
  const days = DISTANCE_UNITS.get(t.k(q.to));
  if (days === undefined) return undefined;
  let to = q.to + 1;
  const a = t.k(to);
  if (a === 'from' && (t.k(to + 1) === 'now' || t.k(to + 1) === 'today')) to += 2;
  else if (a === 'away') to += 1;
  else return undefined;
  const value = levelOf(q.value * days);
  const span: [number, number] = [t.start[i] as number, t.end[to - 1] as number];
  return { hit: { value, span, rule: `urgency.${value}.distance` }, to };
}

/** "a 6-month evaluation", "a three-month procurement process": the buying process's length. */
function processLength(t: Toks, i: number): { hit: Hit<Urgency>; to: number } | undefined {
  const q = parseQuantity(t, i);
  if (q === undefined || q.vague || q.notCount || !(q.value > 0)) return undefined;
  let j = q.to;
  if (t.key[j] === '-') j++;
  const days = UNIT_DAYS.get(t.k(j));
  if (days === undefined) return undefined;
  j++;
  // "a 6-month evaluation and implementation process", "a 90-day procurement cycle".
  if (!PROCESS_NOUNS.has(t.k(j)) && !(t.k(j) === 'sales' && t.k(j + 1) === 'cycle')) return undefined;
  const value = levelOf(q.value * days);
  const span: [number, number] = [t.start[i] as number, t.end[j] as number];
  return { hit: { value, span, rule: `urgency.${value}.process` }, to: j + 1 };
}

/** Whose buying a process length can be about when it is not the prospect's: its own customers'. */
const BUYING_OTHERS = new Set(['client', 'clients', 'customer', 'customers', 'buyer', 'buyers', 'prospects']);
const TAKE_VERBS = new Set(['take', 'takes', 'taking', 'lasts', 'last']);
const PROCESS_SUBJECTS = new Set([...PROCESS_NOUNS, 'rfp', 'rfps', 'tender', 'committee']);

/**
 * "procurement usually takes about two months", "an RFP … takes about three months": the buying
 * process's length stated with a present "take" (not "took", and not implementation or onboarding).
 */
function processTakes(t: Toks, i: number): { hit: Hit<Urgency>; to: number } | undefined {
  let m = i - 1;
  while (
    m >= 0 &&
    m >= i - 3 &&
    (t.k(m) === 'about' || t.k(m) === 'around' || t.k(m) === 'roughly' || t.k(m) === 'like')
  )
    m--;
  if (!TAKE_VERBS.has(t.k(m)) && !(t.k(m) === 'take' || TAKE_VERBS.has(t.k(m - 1)))) return undefined;
  let subject = false;
  let b = m - 1;
  for (; b >= 0 && b >= m - 14; b--) {
    if (isBreak(t, b)) break;
    const k = t.key[b] as string;
    if (k === 'implementation' || k === 'onboarding' || k === 'setup' || k === 'training') return undefined;
    // "our clients usually take about two months to decide": the customers' buying, not the prospect's.
    if (BUYING_OTHERS.has(k)) return undefined;
    if (PROCESS_SUBJECTS.has(k)) subject = true;
  }
  if (!subject) return undefined;
  // "Our sales cycle runs three to six months. From first meeting to decision it usually takes 90
  // days": the prospect's own selling, stated in the sentence before (bounded look-back).
  for (let c = b; c >= 0 && c >= m - 40; c--) {
    if (t.key[c] === 'cycle' && t.k(c - 1) === 'sales') return undefined;
  }
  const q = parseQuantity(t, i);
  if (q === undefined || q.vague || q.notCount || !(q.value > 0)) return undefined;
  const days = UNIT_DAYS.get(t.k(q.to));
  if (days === undefined) return undefined;
  const value = levelOf(q.value * days);
  const span: [number, number] = [t.start[i] as number, t.end[q.to] as number];
  return { hit: { value, span, rule: `urgency.${value}.process` }, to: q.to + 1 };
}

/** "within two weeks", "in the next two or three months", "in 9 months or so", "in a month or two". */
function duration(t: Toks, i: number): { hit: Hit<Urgency>; to: number } | undefined {
  let j = i + 1;
  while (j < i + 5 && DURATION_SKIP.has(t.k(j))) j++;
  let amount: number;
  const k = t.k(j);
  if (k === 'a' || k === 'an' || k === 'one') {
    if (t.k(j + 1) === 'couple') {
      amount = 2;
      j += t.k(j + 2) === 'of' ? 3 : 2;
    } else if (t.k(j + 1) === 'few') {
      amount = 3;
      j += 2;
    } else {
      amount = 1;
      j += 1;
    }
  } else if (k === 'few' || k === 'several' || k === 'couple') {
    amount = k === 'several' ? 4 : k === 'few' ? 3 : 2;
    j += t.k(j + 1) === 'of' ? 2 : 1;
  } else {
    const q = parseQuantity(t, j);
    if (q === undefined || q.vague || q.notCount || !(q.value > 0)) return undefined;
    amount = q.value;
    j = q.to;
  }
  if (t.k(j) === 'business' || t.k(j) === 'working') j++;
  const days = UNIT_DAYS.get(t.k(j));
  if (days === undefined) return undefined;
  let to = j + 1;
  // "in a month or two": the midpoint.
  if (t.k(to) === 'or') {
    const q = parseQuantity(t, to + 1);
    if (q !== undefined && !q.vague && !q.notCount) {
      amount = (amount + q.value) / 2;
      to = q.to;
      if (UNIT_DAYS.has(t.k(to))) to++;
    }
  }
  const total = amount * days;
  const value: Urgency = total <= 31 ? 'high' : total <= 190 ? 'medium' : 'low';
  const span: [number, number] = [t.start[i] as number, t.end[to - 1] as number];
  return { hit: { value, span, rule: `urgency.${value}.duration` }, to };
}
