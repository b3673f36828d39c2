/**
 * urgency: cue phrases ("ASAP", "next quarter", "just exploring"), durations ("within two weeks",
 * "in the next two or three months", "in 9 months") and negated high cues ("not urgent",
 * "not really in a hurry"). When one message states several, the last one stated wins.
 */
import type { Urgency } from '../../schema/session_payload.js';
import { NO_CONTEXT, type ReadContext } from './context.js';
import { F_DURATION, F_URGENCY, MAX_ALTERNATIVES } from './flags.js';
import { isNegatorAt } from './lexicon.js';
import { parseQuantity } from './numbers.js';
import { lazy, PhraseTable } from './phrases.js';
import { isSoftBreak, type Toks } from './tokenizer.js';
import type { Alternative, Hit } from './types.js';
import { anchorOf, bareMonthAnswer, countsAsHorizon } from './urgency_scope.js';

/**
 * A cue: its level, the rule id suffix, and whether a negation before it turns it to low.
 * `tie`: "by then", "well before": a buying word ties the purchase to the horizon just skipped.
 */
type Cue = {
  level: Urgency | 'none' | 'tie';
  rule: string;
  negatable?: boolean;
  ruleId: string;
  dated: boolean;
  month?: boolean;
};

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'eod', 'eow'];
const START_VERBS = [
  'sign',
  'start',
  'begin',
  'buy',
  'need',
  'launch',
  'decide',
  'onboard',
  'live',
  'started',
  'purchase',
  'have',
];
const SEASONS = ['summer', 'fall', 'autumn', 'spring', 'winter'];

/** `dated`: a horizon that is urgency only when it is about buying (`urgency_scope.ts`). */
function cues(
  level: Urgency | 'none' | 'tie',
  rule: string,
  phrases: string[],
  { negatable = false, dated = false }: { negatable?: boolean; dated?: boolean } = {},
): Array<[string, Cue]> {
  return phrases.map((p) => [p, { level, rule, negatable, dated, ruleId: `urgency.${rule}` }]);
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTH_LEADS = [
  'in',
  'by',
  'before',
  'until',
  'mid',
  'early',
  'late',
  'end of',
  'start of',
  'beginning of',
];

/** "by December", "start of August": a named month with no stated distance is a medium horizon. */
function monthCues(): Array<[string, Cue]> {
  const out: Array<[string, Cue]> = cues(
    'medium',
    'medium.month',
    MONTHS.flatMap((m) => MONTH_LEADS.map((l) => `${l} ${m}`)),
    { dated: true },
  );
  // A bare month ("Probably January.") only answers a question about timing.
  for (const m of MONTHS) {
    if (m !== 'may' && m !== 'march')
      out.push([
        m,
        { level: 'medium', rule: 'medium.month', ruleId: 'urgency.medium.month', dated: true, month: true },
      ]);
  }
  return out;
}

const CUES = (): Array<[string, Cue]> => [
  // Phrases that contain a cue word but are not urgency.
  ...cues('none', 'none', ['urgent care', 'right now we', 'asap pricing', 'critical care']),
  ...cues('tie', 'tied', [
    'by then',
    'before then',
    'before that',
    'well before',
    'ahead of that',
    'ahead of it',
  ]),
  ...cues(
    'high',
    'high.asap',
    [
      'asap',
      'a.s.a.p',
      'as soon as possible',
      'as soon as we can',
      'soon as possible',
      'as quickly as possible',
      'as fast as possible',
      'right away',
      'straight away',
      'immediately',
      'urgent',
      'urgently',
      'urgency',
      'time sensitive',
      'pressing',
      'in a hurry',
      'hurry',
      'rush',
      'in a rush',
      'rushed',
      'top priority',
      'high priority',
      'very soon',
      'now rather than later',
      'sooner rather than later',
      'needed this yesterday',
      'needed it yesterday',
      'need it yesterday',
      'needed that yesterday',
      'wanted it yesterday',
      'needed yesterday',
      'without delay',
      'hard deadline',
      'tight deadline',
    ],
    { negatable: true },
  ),
  ...cues(
    'high',
    'high.this_week',
    [
      'this week',
      'next week',
      'end of the week',
      'end of week',
      'end of this week',
      'end of next week',
      'by tomorrow',
      'by today',
      'today if possible',
      'end of day',
      'next few days',
      'next couple of days',
      'next couple days',
      'in a few days',
      'within days',
      'within a week',
      'this month',
      'end of this month',
      'end of the month',
      'end of month',
      'month end',
      'by month end',
      'within a month',
      'within the month',
      'next 30 days',
      'within 30 days',
      'in the next month',
      'within the next month',
      'over the next month',
      ...WEEKDAYS.flatMap((d) => [`by ${d}`, `before ${d}`, `this ${d}`, `next ${d}`, `until ${d}`]),
      // Starting or buying today or tomorrow; a bare "today" ("I called today") is not a cue.
      ...START_VERBS.flatMap((v) => [`${v} today`, `${v} tomorrow`, `${v} it today`, `${v} it tomorrow`]),
      'signed today',
      'signed tomorrow',
    ],
    { dated: true },
  ),
  ...cues(
    'medium',
    'medium.horizon',
    [
      'next month',
      'end of next month',
      'this quarter',
      'next quarter',
      'end of the quarter',
      'end of quarter',
      'end of this quarter',
      'within the quarter',
      'in the coming months',
      'coming months',
      'in a few months',
      'in a couple of months',
      'in a couple months',
      'next few months',
      'next couple of months',
      'next couple months',
      'soon',
      'shortly',
      'later this year',
      'end of the year',
      'end of this year',
      'end of year',
      'by year end',
      ...['q1', 'q2', 'q3', 'q4'].flatMap((q) => [
        `by ${q}`,
        `in ${q}`,
        `for ${q}`,
        `before ${q}`,
        `during ${q}`,
      ]),
      ...SEASONS.flatMap((s) => [
        `by the ${s}`,
        `by ${s}`,
        `this ${s}`,
        `over the ${s}`,
        `in the ${s}`,
        `before ${s}`,
        `before the ${s}`,
      ]),
    ],
    { dated: true },
  ),
  ...monthCues(),
  ...cues('low', 'low.exploring', [
    'just exploring',
    'exploring',
    'just browsing',
    'browsing',
    'researching',
    'doing research',
    'research phase',
    'just looking',
    'looking around',
    'shopping around',
    'just curious',
    'gathering information',
    'gathering info',
    'early stages',
    'early stage',
    'kicking the tires',
    'not ready',
    'no plans',
    'not actively shopping',
    'not actively looking',
    'not really shopping',
    'not shopping',
    'not looking to buy',
    'getting a feel',
  ]),
  ...cues('low', 'low.no_rush', [
    'no rush',
    'no hurry',
    'not urgent',
    'nothing urgent',
    'no urgency',
    'not in a rush',
    'not in a hurry',
    'in no rush',
    'in no hurry',
    'not in any rush',
    'not in any hurry',
    'not a priority',
    'not a rush',
    'no timeline',
    'no set timeline',
    'no deadline',
    'not now',
    'not right now',
    'not immediately',
    'take our time',
    'taking our time',
    'no real timeline',
    'no hard deadline',
    'no firm timeline',
    'no set date',
  ]),
  ...cues(
    'low',
    'low.later',
    [
      'next year',
      'end of next year',
      'next fiscal year',
      'sometime',
      'someday',
      'some day',
      'down the road',
      'down the line',
      'eventually',
      'long term',
      'at some point',
      'in the future',
      'later on',
      'a year from now',
      ...SEASONS.map((s) => `next ${s}`),
    ],
    { dated: true },
  ),
];

export const urgencyTable = lazy(() => new PhraseTable<Cue>(CUES()));

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
  const lose = (hit: Hit<Urgency>, reason: string) => {
    alternatives ??= [];
    if (alternatives.length < MAX_ALTERNATIVES)
      alternatives.push({ value: hit.value as Urgency, span: hit.span, reason });
  };
  // Tokens before `next` belong to the last cue matched.
  let next = 0;
  for (let p = 0; p < hotN; p++) {
    const i = hot[p] as number;
    const flags = tflags[i] as number;
    if (i < next || (flags & (F_DURATION | F_URGENCY)) === 0) continue;
    let hit: Hit<Urgency> | undefined;
    let dated = false;
    let to = -1;
    if ((flags & F_DURATION) !== 0) {
      const d = duration(t, i);
      if (d !== undefined) {
        hit = d.hit;
        to = d.to;
        dated = true;
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
        if (best !== undefined) lose(best, 'earlier horizon');
        best = tied;
        skipped = undefined;
        continue;
      }
      if (cue.month && (ctx.topic !== 'timeline' || !bareMonthAnswer(t, i))) continue;
      const span: [number, number] = [t.start[i] as number, t.end[to - 1] as number];
      dated = cue.dated;
      hit =
        cue.negatable && negatedBefore(t, i)
          ? { value: 'low', span, rule: 'urgency.low.negated' }
          : { value: cue.level, span, rule: cue.ruleId };
    }
    next = to;
    let confidence: number = CONFIDENCE.cue;
    if (dated) {
      const anchor = anchorOf(t, i, to);
      if (!countsAsHorizon(anchor, ctx.topic)) {
        lose(
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
    if (best !== undefined) lose(best, 'earlier horizon');
    best = hit;
  }
  if (best !== undefined && alternatives !== undefined) {
    best.alternatives = alternatives.filter((a) => a.span[0] !== best?.span[0]);
    if (best.alternatives.length === 0) delete best.alternatives;
    else if (best.alternatives.some((a) => a.value !== best?.value && a.reason === 'earlier horizon'))
      best.confidence = Math.max(0.5, (best.confidence ?? CONFIDENCE.cue) - 0.1);
  }
  return best;
}

function negatedBefore(t: Toks, at: number): boolean {
  for (let m = at - 1; m >= 0 && m >= at - 3; m--) {
    if (isSoftBreak(t, m) || t.key[m] === 'but') return false;
    if (isNegatorAt(t, m)) return true;
  }
  return false;
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
