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
import { PERSON_NOUNS } from './lexicon.js';
import { isNumberWord } from './numbers.js';
import { isBreak, K_NUM, K_PUNCT, K_WORD, type Toks } from './tokenizer.js';

const STRONG = new Set(
  (
    'sign signed signing signature buy buying bought purchase purchasing decide deciding decision live ' +
    'rollout roll rolling implement implementation implemented deploy deployed deployment running place ' +
    'switch switching replace replacement pilot trial onboarded contract renewal renews expires expire ' +
    'ends shuts license subscription vendor tool commit budgeted approve approval procure procurement'
  ).split(' '),
);
/** Intent and start words: a buying horizon when nothing in the clause says otherwise. */
const WEAK = new Set(
  (
    'need needs needed want wants wanted like love hoping hope aiming targeting target looking ' +
    'start starting begin beginning kick launch have get ready ideally ideal ' +
    'would prefer plan planning find finding choose select'
  ).split(' '),
);
/** Meeting and process steps: "send you times by tomorrow", "loop in security this week". */
const OTHER = new Set(
  (
    'send sending sent loop looped looping talk talking meet meeting chat call calls reconnect follow ' +
    'present presenting review reviewing redlines redline demo schedule email emails pick hear circle touch ' +
    'ping share intro introduce times slot slots ooo out office vacation travelling traveling slips slip ' +
    'locked stuck conversations conversation discussions discussion talks respond responding reply replying ' +
    'bring evaluate evaluating see seeing'
  ).split(' '),
);
/** Documents and answers the horizon is about: "the quote in writing by Friday", "the proposal by next week". */
const DOC_OBJECTS = new Set(
  (
    'writing proposal proposals quote quotes questionnaire questionnaires feedback ' +
    'deck estimates invoice invoices paperwork info information details documentation ' +
    'summary recap references reference sow number numbers pricing price prices figure figures ballpark'
  ).split(' '),
);
/**
 * Money words: "a tight budget this quarter", "budget set aside in Q1", "grow the budget next quarter".
 * A date about the budget is not a buying horizon unless a buying word is in the clause too.
 */
/** "2027": a calendar year. */
function yearNumber(k: string): boolean {
  return k.length === 4 && (k.startsWith('19') || k.startsWith('20'));
}
const MONEY = new Set([
  'budget',
  'budgets',
  'money',
  'cash',
  'funds',
  'funding',
  'expense',
  'expenses',
  'expenditure',
  'expenditures',
  'spend',
]);
/** "on hold until Q3", "paused until next year", "wait until January": the purchase waits for the horizon. */
const UNTIL = new Set(['until', 'till']);
const PAUSE_WORDS = new Set([
  'priority',
  'hold',
  'paused',
  'pause',
  'frozen',
  'freeze',
  'wait',
  'waiting',
  'postponed',
  'deferred',
  'shelved',
]);
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
const CLAUSE_WORDS = new Set([
  'and',
  'but',
  'so',
  'because',
  'although',
  'though',
  'whereas',
  'or',
  'if',
  'unless',
  'once',
  'when',
  'after',
]);
/** A subject opens a clause even without punctuation, as in transcripts: "we send 30 bids a week we'd like to start". */
const SUBJECTS = new Set(['we', "we'd", "we're", "we'll", 'i', "i'd", "i'm", "i'll", 'they', "they're"]);

const BACK_LIMIT = 12;
const AHEAD_LIMIT = 6;

/** Heads of a product noun phrase: words before them ("a sales automation solution", "a payroll tool") modify the product. */
const PRODUCT_HEADS = new Set(
  'solution solutions tool tools system systems platform platforms software crm app apps product products portal plugin integration'.split(
    ' ',
  ),
);

const CHOOSE_VERBS = new Set('find finding choose choosing select selecting pick picking'.split(' '));
const CHOSEN = new Set([
  'solution',
  'vendor',
  'tool',
  'platform',
  'system',
  'provider',
  'partner',
  'software',
  'crm',
]);
/** The verb at `m` takes a product as its object within three words: "finding a solution", "pick a new vendor". */
function choosesProduct(t: Toks, m: number): boolean {
  for (let j = m + 1; j < t.n && j <= m + 3; j++) if (CHOSEN.has(t.key[j] as string)) return true;
  return false;
}

export type Anchor = 'strong' | 'weak' | 'other' | 'bare';

/** What the horizon in tokens `[from, to)` is about. */
export function anchorOf(t: Toks, from: number, to: number): Anchor {
  let strong = false;
  let weak = false;
  let other = false;
  // "in the budget for next year", "next year's budget cycle": a purchase put into a later year's
  // budget is deferred to it (low); a budget this quarter is a constraint, not a deadline.
  let productHead = false;
  let yearly = false;
  for (let m = from; m < to; m++)
    if (t.key[m] === 'year' || (t.kind[m] === K_NUM && yearNumber(t.key[m] as string))) yearly = true;
  // "we'll get it signed today": a buying word inside the horizon's own phrase.
  for (let m = from; m < to; m++) if (STRONG.has(t.key[m] as string)) strong = true;
  // "on hold until Q3", "paused until next year".
  const until = UNTIL.has(t.k(from)) ? from : UNTIL.has(t.k(from - 1)) ? from - 1 : -1;
  if (until >= 0 && PAUSE_WORDS.has(t.k(until - 1))) strong = true;
  for (let m = from - 1; m >= 0 && m >= from - BACK_LIMIT; m--) {
    if (clauseEdge(t, m)) break;
    const k = t.key[m] as string;
    const subject = SUBJECTS.has(k);
    if (PRODUCT_HEADS.has(k)) productHead = true;
    // "tasked with finding a solution by end of Q2", "we have to pick a vendor by March": choosing the product.
    if (CHOOSE_VERBS.has(k) && choosesProduct(t, m)) strong = true;
    // "we need a payroll tool by March": "payroll" modifies the product, it is not the business event.
    if (productHead && EVENTS.has(k) && !OTHER.has(k)) continue;
    // "sign up 200 families" is not signing a purchase; "our insurance renewal" is not this one.
    // "40 users on the platform by Q3", "every rep on the new system", "all the dispatchers using it":
    // people onto the product is a rollout.
    if (peopleOntoProduct(t, m)) strong = true;
    // "roll over to the next month" is not "roll out".
    else if (k === 'roll' || k === 'rolling') {
      if (t.k(m + 1) === 'over') other = true;
      else strong = true;
    } else if (
      STRONG.has(k) &&
      !(k === 'sign' && t.k(m + 1) === 'up') &&
      !NOT_OUR_PURCHASE.has(t.k(m - 1)) &&
      // "budget discussions happen in April": the buying word modifies a meeting noun.
      !OTHER.has(t.k(m + 1))
    )
      strong = true;
    else if (STRONG.has(k)) other = true;
    // "we need a CFO in three weeks", "we need two more reps by March": hiring a person, not buying.
    else if (HIRING_VERBS.has(k) && hiresPerson(t, m)) other = true;
    else if (WEAK.has(k) || k.endsWith("'d")) weak = true;
    // "wants it before the board meeting in June": the purchase is dated by the event.
    else if ((EVENTS.has(k) || OTHER.has(k)) && eventDeadline(t, m)) continue;
    else if (MONEY.has(k) && yearly) strong = true;
    else if (
      OTHER.has(k) ||
      EVENTS.has(k) ||
      NOT_OUR_PURCHASE.has(k) ||
      DOC_OBJECTS.has(k) ||
      (MONEY.has(k) && !yearly)
    )
      other = true;
    if (subject) break;
  }
  for (let m = to; m < t.n && m < to + AHEAD_LIMIT; m++) {
    if (clauseEdge(t, m)) break;
    const k = t.key[m] as string;
    if (STRONG.has(k) || (MONEY.has(k) && yearly)) strong = true;
    else if (OTHER.has(k) || EVENTS.has(k) || DOC_OBJECTS.has(k) || (MONEY.has(k) && !yearly)) other = true;
  }
  if (strong) return 'strong';
  if (other) return 'other';
  return weak ? 'weak' : 'bare';
}

const HIRING_VERBS = new Set([
  'need',
  'needs',
  'needed',
  'hire',
  'hiring',
  'want',
  'wants',
  'find',
  'add',
  'adding',
]);
/** People a prospect hires (not seats, users or licences of the product). */
const HIRE_NOUNS = new Set(
  'cfo ceo coo cto cmo vp director directors manager managers rep reps sdr sdrs ae aes salespeople engineers developers nurses attorneys paralegals recruiters agents people staff employees hire hires person'.split(
    ' ',
  ),
);
const HIRE_FILL = new Set([
  'a',
  'an',
  'another',
  'more',
  'new',
  'extra',
  'additional',
  'full',
  'time',
  '-',
  'senior',
  'good',
]);

/** The verb at `m` takes a person as its object: "need a CFO", "hire two more reps". */
function hiresPerson(t: Toks, m: number): boolean {
  for (let j = m + 1; j < t.n && j <= m + 5; j++) {
    const k = t.key[j] as string;
    if (HIRE_NOUNS.has(k)) return true;
    if (!HIRE_FILL.has(k) && t.kind[j] !== K_NUM && !isNumberWord(k)) return false;
  }
  return false;
}

const PRODUCT_OBJECTS = new Set(['platform', 'system', 'tool', 'product', 'software', 'app']);
const PEOPLE_WORDS = new Set(['everyone', 'everybody', 'all', 'team', 'whole']);

/** Token `m` is "on"/"using" and the people before it go onto the product: "50 users on the platform". */
function peopleOntoProduct(t: Toks, m: number): boolean {
  const k = t.key[m] as string;
  if (k !== 'on' && k !== 'using' && k !== 'onto') return false;
  const next = t.k(m + 1);
  let product = next === 'it' || next === 'this' || next === 'board';
  for (let j = m + 1; !product && j <= m + 3; j++) if (PRODUCT_OBJECTS.has(t.k(j))) product = true;
  if (!product) return false;
  const who = t.k(m - 1);
  return PERSON_NOUNS.has(who) || PEOPLE_WORDS.has(who);
}

const DEADLINE_WORDS = new Set(['before', 'ahead', 'by']);

/** The event word at `m` follows "before", "ahead of", "by" (past a determiner and one modifier). */
function eventDeadline(t: Toks, m: number): boolean {
  for (let b = m - 1; b >= 0 && b >= m - 3; b--) {
    const k = t.key[b] as string;
    if (DEADLINE_WORDS.has(k) || (k === 'of' && t.k(b - 1) === 'ahead')) return true;
    if (k !== 'the' && k !== 'our' && k !== 'a' && b < m - 1) return false;
  }
  return false;
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

/**
 * Undated cues (issue #21, second round). "urgent", "immediately", "exploring" are urgency only
 * when they are about this purchase. The structure decides, not the phrase:
 * - a counterfactual ("we would have signed immediately") or past state ("back then I was shopping
 *   around") is not the current horizon;
 * - an attributive use ranks or describes a thing ("our most urgent issue", "the most pressing item");
 * - a high cue counts when its clause has a buying, starting or needing word ("we need it
 *   immediately", "get started right away"), when it is predicated of the buyer or the purchase
 *   ("we're in a hurry", "it's urgent"), or when it is the whole answer to a timing question (or to
 *   nothing: a short message read on its own); not when it describes another action ("phones them
 *   back immediately", "the email is sent right away");
 * - an exploring cue counts unless it takes an object that is not a product or solution
 *   ("browsing old tickets", "exploring the dashboards" vs "exploring options", "exploring this").
 */
const MODALS = new Set(['would', 'could', 'should', 'might', "we'd", "i'd", "they'd"]);
const PERFECT_MODALS = new Set(["would've", "could've", "should've", "might've"]);
const PAST = new Set(['was', 'were', 'had', 'did', 'ago', 'last', 'previously']);
const PAST_SUBJECTS = new Set(['i', 'we', 'they', 'he', 'she', 'and', 'then', 'so']);
const ATTRIBUTIVE_BEFORE = new Set([
  'most',
  'more',
  'least',
  'our',
  'the',
  'my',
  'their',
  'his',
  'her',
  'its',
  'your',
]);
/** Nouns an attributive cue may still mean the purchase by: "an urgent need", "a tight deadline". */
const NEED_NOUNS = new Set(['need', 'needs', 'requirement', 'deadline', 'timeline', 'basis', 'priority']);
/** Words between a subject and a predicated cue: "we're in a hurry", "this is pretty urgent". */
const PREDICATE_FILLER = new Set(
  (
    "is are am be 's 're 'm pretty very really quite kind of a an in on under bit super extremely definitely " +
    'so now honestly actually kinda fairly somewhat incredibly our top high'
  ).split(' '),
);
const BUYER_SUBJECTS = new Set([
  'we',
  "we're",
  'i',
  "i'm",
  'it',
  "it's",
  'this',
  "this's",
  'that',
  "that's",
  'everything',
  'timing',
  'timeline',
]);
/** Objects that make an exploring cue about buying: "exploring options", "researching vendors". */
const BUY_OBJECTS = new Set(
  (
    'options option solutions solution alternatives alternative vendors vendor tools tool platforms platform ' +
    'software products product providers provider market possibilities systems system crms crm apps app ' +
    "companies services service offerings what whats what's ideas your how whether which if"
  ).split(' '),
);
/** Words after an exploring cue that leave it intransitive: "just browsing for now", "researching at this point". */
const INTRANSITIVE_AFTER = new Set(
  (
    'for at right now still here really too mostly just around more to into on a bit currently ' +
    'and but so honestly though yet first before anyway'
  ).split(' '),
);
const PRONOUN_OBJECTS = new Set(['this', 'it', 'that', 'them', 'you', 'things', 'stuff']);
const WHOLE_FILLERS = new Set(
  'just honestly probably well oh um uh yeah yes so pretty very really definitely like basically ideally'.split(
    ' ',
  ),
);

const PAST_FORMS = new Set([
  'saw',
  'knew',
  'got',
  'went',
  'had',
  'did',
  'felt',
  'thought',
  'made',
  'took',
  'said',
  'told',
  'began',
  'found',
  'gave',
]);

function pastVerb(k: string): boolean {
  return PAST_FORMS.has(k) || (k.length > 4 && k.endsWith('ed') && k !== 'need' && k !== 'speed');
}

const OTHER_OWNERS = new Set(['the', 'their', 'his', 'her', 'them', 'him', 'that', 'those']);

/** "not a priority for the IT team": someone else's priority, not the purchase's. */
function othersPriority(t: Toks, to: number): boolean {
  return t.k(to) === 'for' && OTHER_OWNERS.has(t.k(to + 1)) && !TIME_WORDS.has(t.k(to + 2));
}
const TIME_WORDS = new Set([
  'moment',
  'time',
  'year',
  'quarter',
  'month',
  'week',
  'foreseeable',
  'next',
  'rest',
]);

/** "we would have signed", "could've switched", "we'd have moved": a counterfactual before the cue. */
function counterfactualBefore(t: Toks, from: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - BACK_LIMIT; m--) {
    if (isBreak(t, m)) return false;
    const k = t.key[m] as string;
    if (PERFECT_MODALS.has(k)) return true;
    if (k === 'have' && MODALS.has(t.k(m - 1))) return true;
  }
  return false;
}

/** A past marker in the cue's own clause with no "now" after it: "back then I was shopping around". */
const FIRST_PERSON = new Set(['we', 'i', "we're", "i'm", 'our', 'my', 'us', "we've", "i've", "we'd", "i'd"]);

const THIRD_PARTIES = new Set(
  'clients client customers customer patients they their them users buyers partners vendors'.split(' '),
);

/** A first-person word in the sentence before `from`, with no third party nearer ("our clients want …"). */
function firstPersonBefore(t: Toks, from: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - BACK_LIMIT; m--) {
    if (isBreak(t, m)) return false;
    const k = t.key[m] as string;
    if (THIRD_PARTIES.has(k)) return false;
    if (FIRST_PERSON.has(k)) return true;
  }
  return false;
}

const NEED_WORDS = new Set(['need', 'needs', 'needed', 'want', 'wants', 'wanted', 'required', 'require']);

/** A need or want in the sentence before "yesterday": "we needed this yesterday", "we need a tool, yesterday". */
function needBefore(t: Toks, from: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - BACK_LIMIT; m--) {
    if (isBreak(t, m)) return false;
    if (NEED_WORDS.has(t.key[m] as string)) return true;
  }
  return false;
}

/** Buying verbs in the past tense: "we replaced the printers in Q2", "they signed in March". */
const PAST_BUYING = new Set(
  (
    'signed bought purchased implemented deployed rolled replaced switched migrated moved renewed decided ' +
    'chose picked launched onboarded licensed subscribed'
  ).split(' '),
);
const FUTURE_MARKERS = new Set([
  'will',
  "we'll",
  "i'll",
  'want',
  'need',
  'plan',
  'going',
  'hope',
  'would',
  "we'd",
]);

/**
 * The horizon dates a purchase already made: a past buying verb with its subject before it in the
 * clause ("we replaced the printers within Q2"), or "last year" / "ago" right after it.
 */
export function pastPurchase(t: Toks, from: number, to: number): boolean {
  for (let k = to; k < t.n && k < to + 3; k++) {
    if (clauseEdge(t, k)) break;
    if (t.key[k] === 'ago' || (t.key[k] === 'last' && (t.k(k + 1) === 'year' || t.k(k + 1) === 'quarter')))
      return true;
  }
  for (let m = from - 1; m >= 0 && m >= from - BACK_LIMIT; m--) {
    if (clauseEdge(t, m)) return false;
    const k = t.key[m] as string;
    if (FUTURE_MARKERS.has(k)) return false;
    if (PAST_BUYING.has(k) && PAST_SUBJECTS.has(t.k(m - 1))) return true;
  }
  return false;
}

function pastClause(t: Toks, from: number): boolean {
  for (let m = from - 1; m >= 0 && m >= from - BACK_LIMIT; m--) {
    if (clauseEdge(t, m)) return false;
    const k = t.key[m] as string;
    if (k === 'now' || k === 'currently' || k === 'today') return false;
    // "started"/"began" is past only as a finite verb ("I started shopping around", "and started
    // looking"), not in "get started", "we've started".
    if (k === 'started' || k === 'began') {
      if (PAST_SUBJECTS.has(t.k(m - 1))) return true;
    } else if (PAST.has(k) || (k === 'then' && t.k(m - 1) === 'back')) return true;
  }
  return false;
}

/** "our most urgent issue", "the most pressing item": the cue modifies a noun. */
function attributive(t: Toks, from: number, to: number): boolean {
  const before = t.k(from - 1);
  if (!ATTRIBUTIVE_BEFORE.has(before) && !ATTRIBUTIVE_BEFORE.has(t.k(from - 2))) return false;
  if (to >= t.n || clauseEdge(t, to) || t.kind[to] !== K_WORD) return false;
  const after = t.key[to] as string;
  return !NEED_NOUNS.has(after) && !INTRANSITIVE_AFTER.has(after) && after !== 'for';
}

/** The cue is the whole sentence, give or take fillers: "Immediately.", "ASAP, honestly." */
function wholeAnswer(t: Toks, from: number, to: number): boolean {
  let m = from - 1;
  while (m >= 0 && !isBreak(t, m) && WHOLE_FILLERS.has(t.key[m] as string)) m--;
  if (m >= 0 && !isBreak(t, m)) return false;
  let n = to;
  while (n < t.n && !isBreak(t, n) && (t.key[n] === ',' || WHOLE_FILLERS.has(t.key[n] as string))) n++;
  // "Right away if the price is right.": a condition may follow the answer.
  return n >= t.n || isBreak(t, n) || CONDITIONS.has(t.key[n] as string);
}

const CONDITIONS = new Set(['if', 'once', 'provided', 'assuming', 'pending', 'unless']);

function opensSentence(t: Toks, from: number): boolean {
  let m = from - 1;
  while (m >= 0 && !isBreak(t, m) && WHOLE_FILLERS.has(t.key[m] as string)) m--;
  return m < 0 || isBreak(t, m);
}

/** Whether an undated cue in tokens `[from, to)` is about this purchase. */
export function undatedCounts(
  t: Toks,
  from: number,
  to: number,
  kind: 'high' | 'explore' | 'other',
  topic: Topic,
): boolean {
  if (counterfactualBefore(t, from)) return false;
  if (kind === 'other') return !othersPriority(t, to);
  // "I was just curious": why the prospect asked, said in the past tense, still holds now.
  if (kind === 'explore' && (t.k(to - 1) === 'curious' || t.k(to - 1) === 'curiosity'))
    return exploreObjectOk(t, to);
  if (pastClause(t, from)) return false;
  // "we immediately saw the value": the cue modifies the past verb after it.
  if (kind === 'high' && t.kind[to] === K_WORD && pastVerb(t.key[to] as string)) return false;
  if (kind === 'explore') return exploreObjectOk(t, to);
  if (attributive(t, from, to)) return false;
  if (wholeAnswer(t, from, to)) return topic === 'none' || topic === 'timeline';
  // "Right away, bidding season starts by Friday." answering "When do you want this in place?":
  // the cue opens the answer to a timing question; the rest gives the reason.
  if (topic === 'timeline' && opensSentence(t, from)) return true;
  let subjectFill = true;
  // "We need a proper intake tool, yesterday.": the sentence's last word, after a comma, still
  // belongs to the need before it.
  const yesterday = t.k(from) === 'yesterday';
  let productHead = false;
  let tailComma = yesterday && (to >= t.n || isBreak(t, to - 1) || t.kind[to] === K_PUNCT);
  // "the hospitals want everything yesterday": only the prospect's own need is its urgency.
  if (yesterday && !firstPersonBefore(t, from)) return false;
  // "Your competitor just signed with us yesterday": the day something happened, not a need.
  if (yesterday && !needBefore(t, from)) return false;
  for (let m = from - 1; m >= 0 && m >= from - BACK_LIMIT; m--) {
    if (clauseEdge(t, m)) {
      if (tailComma && m === from - 1 && t.key[m] === ',') {
        tailComma = false;
        continue;
      }
      break;
    }
    const k = t.key[m] as string;
    if (subjectFill && BUYER_SUBJECTS.has(k)) return true;
    if (!PREDICATE_FILLER.has(k)) subjectFill = false;
    if (PRODUCT_HEADS.has(k)) productHead = true;
    if (productHead && EVENTS.has(k) && !OTHER.has(k)) continue;
    if (OTHER.has(k) || EVENTS.has(k) || DOC_OBJECTS.has(k)) return false;
    if ((STRONG.has(k) || WEAK.has(k)) && k !== 'would' && k !== 'like') return true;
  }
  return false;
}

function exploreObjectOk(t: Toks, to: number): boolean {
  if (to >= t.n || clauseEdge(t, to)) return true;
  const next = t.key[to] as string;
  if (BUY_OBJECTS.has(next)) return true;
  if (PRONOUN_OBJECTS.has(next))
    return to + 1 >= t.n || clauseEdge(t, to + 1) || INTRANSITIVE_AFTER.has(t.k(to + 1));
  if (INTRANSITIVE_AFTER.has(next) && next !== 'a') return true;
  // A noun phrase object: it names a product or solution within a few words, or it is something else.
  for (let m = to; m < t.n && m < to + 4; m++) {
    if (clauseEdge(t, m)) return false;
    if (BUY_OBJECTS.has(t.key[m] as string)) return true;
  }
  return false;
}

const SUBORDINATORS = new Set([
  'when',
  'once',
  'if',
  'after',
  'as',
  'whenever',
  'maybe',
  'probably',
  'perhaps',
]);

/**
 * The horizon is its own sentence, give or take fillers and a subordinate clause: "Maybe in the
 * future when we grow.", "Perhaps down the road, once we hire." (not "Next year, we onboard 30 reps").
 */
export function sentenceAnswer(t: Toks, from: number, to: number): boolean {
  const after = t.k(to) === ',' ? to + 1 : to;
  if (!isBreak(t, after) && !SUBORDINATORS.has(t.k(after))) return false;
  for (let m = from - 1; m >= 0 && m >= from - 4; m--) {
    if (isBreak(t, m)) return true;
    if (
      !MONTH_OPENERS.has(t.key[m] as string) &&
      !WHOLE_FILLERS.has(t.key[m] as string) &&
      t.key[m] !== 'perhaps'
    )
      return false;
  }
  return from <= 3;
}
