/**
 * The urgency cue phrases: their level, rule id, and whether they are horizons that count only
 * when about buying (`dated`, see `urgency_scope.ts`). Matched by `urgency.ts`.
 */
import type { Urgency } from '../../schema/session_payload.js';
import { lazy, PhraseTable } from './phrases.js';

/**
 * A cue: its level, the rule id suffix, and whether a negation before it turns it to low.
 * `tie`: "by then", "well before": a buying word ties the purchase to the horizon just skipped.
 */
export type Cue = {
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
  'until after',
  'till after',
  'till',
  'in',
  'on',
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
  ...cues('none', 'none', [
    'urgent care',
    'right now we',
    'asap pricing',
    'critical care',
    // Urgency as a topic, not a horizon: "that creates this artificial urgency", "a sense of urgency".
    'artificial urgency',
    'sense of urgency',
    'create urgency',
    'creates urgency',
    'creating urgency',
    'urgency messaging',
    // The company's stage, not the purchase's: "an early-stage startup", "early-stage in the government space".
    'early stage company',
    'early stage companies',
    'early stage startup',
    'early stage startups',
    'early stage in the',
    // A time to talk, not to buy: "now is not a good time to talk".
    ...[
      'not a good time to',
      "isn't a good time to",
      'not the right time to',
      "isn't the right time to",
      'not the best time to',
      "isn't the best time to",
    ],
    // Interest in one thing named, not in buying: "not interested in the add-on".
    'not interested in the',
    'not really interested in the',
  ]),
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
      // The next month boundary: "by the first of the month" is within about 30 days.
      'by the first of the month',
      'before the first of the month',
      'by the 1st of the month',
      'before the 1st of the month',
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
      'later in the year',
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
        `until ${q}`,
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
    'just kind of looking',
    'just sort of looking',
    'just kinda looking',
    'just kind of exploring',
    'just sort of exploring',
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
    'not really looking',
    'not looking to sell',
    'not looking to switch',
    'not looking to change',
    'not looking for big changes',
    'not looking for any changes',
    'not looking for major changes',
    'not looking to make changes',
    'just curiosity',
    'pure curiosity',
    'mostly curiosity',
  ]),
  // Not exploring (no object to read): a negated interest or timing fit about now.
  ...cues('low', 'low.not_now', [
    // A negated interest or timing fit about now: "not interested right now", "now isn't the right time".
    // Only with a qualifier of time: a plain "I'm not interested" is a refusal, not a horizon.
    ...[
      'not interested',
      'not really interested',
      "aren't interested",
      'not that interested',
      'not looking',
      'not in the market',
      'not buying',
    ].flatMap((n) =>
      [
        'right now',
        'at the moment',
        'at this time',
        'for now',
        'yet',
        'now',
        'currently',
        'at this point',
      ].map((w) => `${n} ${w}`),
    ),
    'not the right time',
    "isn't the right time",
    'not a good time',
    "isn't a good time",
    'not the best time',
    "isn't the best time",
    "timing isn't right",
    'timing is not right',
    "timing's not right",
    'timing is off',
    'bad timing',
    'not the right moment',
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
    'not really a priority',
    'not a big priority',
    'not a top priority',
    'not a high priority',
    'low priority',
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
