/**
 * What a date is about (spec v2): a horizon ("this week", "in Q1", "by Friday") is urgency only
 * when it is about buying, signing, starting or going live. The clause around the date decides:
 * - a buying word ("sign", "go live", "in place", "roll out", "our contract … ends") makes it one;
 * - a meeting or process word ("send times", "loop in", "redlines", "talk"), a business event
 *   ("busy season", "board meeting", "audit") or a third party ("our customer") makes it none,
 *   unless a buying word is there too;
 * - an intent word alone ("we need it", "we'd like") makes it one when nothing else is there and
 *   the agent asked about timing (or no agent turn was given);
 * - a bare horizon ("Next quarter, probably.") is one when the agent asked about timing, or when
 *   no agent turn was given (a short answer read on its own).
 * The clause is bounded (a comma, "and", "so", "but", or a dozen tokens), so the scan is O(1).
 */
import type { Topic } from './context.js';
import { isBreak, K_PUNCT, type Toks } from './tokenizer.js';

const STRONG = new Set(
  (
    'sign signed signing signature buy buying bought purchase purchasing decide deciding decision live ' +
    'rollout roll rolling implement implementation implemented deploy deployed deployment running place ' +
    'switch switching replace replacement pilot trial onboarded contract renewal renews expires expire ' +
    'ends shuts license subscription vendor tool budget commit budgeted approve approval procure procurement'
  ).split(' '),
);
/** Intent and start words: a buying horizon when nothing in the clause says otherwise. */
const WEAK = new Set(
  (
    'need needs needed want wants wanted like love hoping hope aiming targeting target looking ' +
    'start starting begin beginning kick launch have get ready ideally ideal ' +
    'would prefer plan planning'
  ).split(' '),
);
/** Meeting and process steps: "send you times by tomorrow", "loop in security this week". */
const OTHER = new Set(
  (
    'send sending sent loop looped looping talk talking meet meeting chat call calls reconnect follow ' +
    'present presenting review reviewing redlines redline demo schedule email emails pick hear circle touch ' +
    'ping share intro introduce times slot slots ooo out office vacation travelling traveling slips slip ' +
    'locked stuck'
  ).split(' '),
);
/** The prospect's business events and third parties: "peak season in October", "our customer's deadline". */
const EVENTS = new Set(
  (
    'season seasons survey audit show conference event pipeline holidays holiday board fiscal finding ' +
    'customer customers client clients shipper shippers competitor competitors enrollment semester exam exams ' +
    'hurricane opening launches sale sales promo campaign trade payroll filing deadline'
  ).split(' '),
);
/** "our insurance renewal is in August", "the lease ends in May": the prospect's other contracts, not this purchase. */
const NOT_OUR_PURCHASE = new Set([
  'insurance',
  'lease',
  'policy',
  'mortgage',
  'liability',
  'rental',
  'office',
]);
const CLAUSE_WORDS = new Set(['and', 'but', 'so', 'because', 'although', 'though', 'whereas', 'or']);
/** A subject opens a clause even without punctuation, as in transcripts: "we send 30 bids a week we'd like to start". */
const SUBJECTS = new Set(['we', "we'd", "we're", "we'll", 'i', "i'd", "i'm", "i'll", 'they', "they're"]);

const BACK_LIMIT = 12;
const AHEAD_LIMIT = 6;

export type Anchor = 'strong' | 'weak' | 'other' | 'bare';

/** What the horizon in tokens `[from, to)` is about. */
export function anchorOf(t: Toks, from: number, to: number): Anchor {
  let strong = false;
  let weak = false;
  let other = false;
  // "we'll get it signed today": a buying word inside the horizon's own phrase.
  for (let m = from; m < to; m++) if (STRONG.has(t.key[m] as string)) strong = true;
  for (let m = from - 1; m >= 0 && m >= from - BACK_LIMIT; m--) {
    if (clauseEdge(t, m)) break;
    const k = t.key[m] as string;
    const subject = SUBJECTS.has(k);
    // "sign up 200 families" is not signing a purchase; "our insurance renewal" is not this one.
    if (STRONG.has(k) && !(k === 'sign' && t.k(m + 1) === 'up') && !NOT_OUR_PURCHASE.has(t.k(m - 1)))
      strong = true;
    else if (STRONG.has(k)) other = true;
    else if (WEAK.has(k) || k.endsWith("'d")) weak = true;
    else if (OTHER.has(k) || EVENTS.has(k) || NOT_OUR_PURCHASE.has(k)) other = true;
    if (subject) break;
  }
  for (let m = to; m < t.n && m < to + AHEAD_LIMIT; m++) {
    if (clauseEdge(t, m)) break;
    const k = t.key[m] as string;
    if (STRONG.has(k)) strong = true;
    else if (OTHER.has(k) || EVENTS.has(k)) other = true;
  }
  if (strong) return 'strong';
  if (other) return 'other';
  return weak ? 'weak' : 'bare';
}

function clauseEdge(t: Toks, m: number): boolean {
  if (isBreak(t, m)) return true;
  if (t.kind[m] === K_PUNCT) return t.key[m] === ',' || t.key[m] === ':' || t.key[m] === '(';
  return CLAUSE_WORDS.has(t.key[m] as string);
}

/** Whether a horizon with this anchor counts, given what the agent asked. */
export function countsAsHorizon(anchor: Anchor, topic: Topic): boolean {
  if (anchor === 'strong') return true;
  // An intent word ("we plan to be 120 by next year") is enough on its own only when nothing
  // else says what the message answers: no agent turn, or a question about timing.
  if (anchor === 'weak') return topic === 'none' || topic === 'timeline';
  if (anchor === 'other') return false;
  return topic === 'none' || topic === 'timeline';
}

/** Words that may open a bare month answer: "Probably January.", "Ideally by mid-March". */
const MONTH_OPENERS = new Set(
  "probably maybe ideally hopefully sometime around like i'd say guess think so early late mid by in before until".split(
    ' ',
  ),
);

/** A bare month counts only as the whole answer: "Probably January." (not "the fiscal year, which is June"). */
export function bareMonthAnswer(t: Toks, from: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - 4; m--) {
    if (clauseEdge(t, m)) return true;
    if (!MONTH_OPENERS.has(t.key[m] as string)) return false;
  }
  return from <= 4;
}
