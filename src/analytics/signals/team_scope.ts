/**
 * Which headcount is the prospect's current one (spec v2). Every headcount the message states is a
 * candidate; each is read for whose it is (the prospect's, or a client's, a parent company's, "the
 * county as a whole") and for its time (now, before, or planned), from the nearest marker in its
 * sentence. The current own size wins; sizes stated side by side ("35 recruiters and 8 account
 * managers") add up, unless the message already gave their total. The rest become alternatives.
 */
import type { Topic } from './context.js';
import { MAX_ALTERNATIVES } from './flags.js';
import { isBreak, K_NUM, type Toks } from './tokenizer.js';
import type { Alternative, Hit } from './types.js';

export type Tense = 'current' | 'past' | 'planned';

export interface TeamCandidate {
  value: number;
  from: number;
  last: number;
  rule: string;
  tense: Tense;
  own: boolean;
  /** A sub-group read from "N of them": never summed with its neighbours. */
  subset: boolean;
  /** A department's size ("a 35-person customer success team", "our CS team is 40"): a part when another size is stated. */
  department?: boolean;
}

const SELF = new Set(["we're", 'we', "we've", 'were', 'our', 'us', 'i', "i'm", 'my', 'ours', 'im']);
/** Owners that are not the prospect: "our biggest customer has 3,000", "they have 4,000", "the county as a whole". */
const THIRD = new Set(
  (
    'client clients customer customers shipper shippers partner partners vendor vendors competitor competitors ' +
    "they they're itself whole parent prospects buyer buyers account accounts"
  ).split(' '),
);
const PAST = new Set(['was', 'were', 'had', 'ago', 'used', 'started', 'previously', 'originally', 'last']);
const PLANNED = new Set(
  (
    "will 'll plan plans planning hire hiring grow growing expect expecting projected target " +
    'targeting aim aiming hope hoping going forecast budgeted'
  ).split(' '),
);
/** Planned only for a count after them: "push toward 100" (not "70 reps and want to push …"). */
const PLANNED_BEFORE = new Set(['toward', 'towards', 'push', 'pushing']);
const SPAN_TO_NOW = new Set(['in', 'over', 'for', 'during', 'within']);
const CURRENT = new Set(['now', 'today', 'currently', 'presently', 'nowadays']);
const GROWING_ADJ_BEFORE = new Set(['a', 'an', 'fast', 'rapidly', 'quickly', 'fast-growing']);
/** "About 30 people, growing fast": how the company grows, not a planned size. */
const GROWING_HOW = new Set(['fast', 'quickly', 'rapidly', 'steadily', 'like']);
/** A count followed by one of these is the total: "six dentists, and like 20 staff total". */
const TOTAL_AFTER = new Set(['total', 'overall', 'altogether', 'combined']);
/** Nouns of a whole headcount: a count of these followed by a comma and a smaller one is a total and its part. */
const TOTAL_NOUNS = new Set([
  'people',
  'persons',
  'employees',
  'staff',
  'us',
  'folks',
  'fte',
  'ftes',
  'headcount',
]);
/** Departments that are part of a company: their head count is a part when the message states another. */
const DEPARTMENTS = new Set(
  (
    'customer success support service cs cx marketing finance accounting it hr legal partner partnerships ' +
    'enablement ops operations engineering product revenue revops implementation onboarding security data ' +
    'dedicated sales'
  ).split(' '),
);
const GROUP_WORDS = new Set(['team', 'teams', 'group', 'department', 'dept', 'org', 'function']);

/** "a 35-person customer success team", "our CS team is 40 people", "a dedicated team of three". */
export function departmentCount(t: Toks, from: number, last: number): boolean {
  // After the count: department words, then a group word.
  let m = last + 1;
  let dept = false;
  while (m < t.n && m <= last + 4 && DEPARTMENTS.has(t.k(m))) {
    dept = true;
    m++;
  }
  if (dept && GROUP_WORDS.has(t.k(m))) return true;
  // Before it: "<department> team is|of [about] N".
  let p = from - 1;
  while (p >= 0 && p >= from - 3 && !GROUP_WORDS.has(t.k(p))) p--;
  if (p < 0 || !GROUP_WORDS.has(t.k(p))) return false;
  return DEPARTMENTS.has(t.k(p - 1)) || (t.k(p - 1) === 'a' && DEPARTMENTS.has(t.k(p - 2)));
}
/** Words that may join two headcounts stated side by side. */
const SUM_JOIN = new Set(['and', 'plus', '&']);
const SUM_GAP = 8;
/** "14 AEs plus their managers, call it 18 seats": the second count restates, it does not add. */
const RESTATE = new Set(['call', "that's", 'basically', 'meaning', 'so', 'total', 'overall', 'ie']);
const WINDOW_BACK = 10;
const WINDOW_AHEAD = 6;

/** The time of the headcount in tokens `[from, last]`: the nearest time marker in its sentence. */
export function tenseOf(t: Toks, from: number, last: number): Tense {
  // "grown from 30 reps to 70": the "from" side of a change is the past size.
  if (t.k(from - 1) === 'from' && (t.k(last + 1) === 'to' || t.k(last + 2) === 'to')) return 'past';
  // "we were 30": a marker inside the headcount's own words.
  for (let m = from; m < last; m++) {
    const inside = markerAt(t, m);
    if (inside !== undefined) return inside;
  }
  let backOpen = true;
  let aheadOpen = true;
  for (let d = 1; d <= WINDOW_BACK && (backOpen || aheadOpen); d++) {
    const b = from - d;
    if (backOpen && (b < 0 || isBreak(t, b))) backOpen = false;
    if (backOpen) {
      const back = PLANNED_BEFORE.has(t.k(b)) ? 'planned' : markerAt(t, b);
      if (back !== undefined) return back;
    }
    const a = last + d;
    if (aheadOpen && (d > WINDOW_AHEAD || a >= t.n || isBreak(t, a) || t.kind[a] === K_NUM))
      aheadOpen = false;
    if (aheadOpen) {
      const ahead = markerAt(t, a);
      if (ahead !== undefined) return ahead;
    }
  }
  return 'current';
}

function markerAt(t: Toks, m: number): Tense | undefined {
  const k = t.key[m] as string;
  // "a growing e-commerce company with 200 employees": an adjective, not a plan.
  if (k === 'growing' && (GROWING_ADJ_BEFORE.has(t.k(m - 1)) || GROWING_HOW.has(t.k(m + 1))))
    return undefined;
  if (CURRENT.has(k)) return 'current';
  if (PAST.has(k)) {
    if (k !== 'last') return 'past';
    // "in the last 18 months", "over the last year": a span up to now, not a past date.
    if (t.k(m + 1) === 'month' || (t.k(m - 1) === 'the' && SPAN_TO_NOW.has(t.k(m - 2)))) return undefined;
    return 'past';
  }
  if (PLANNED.has(k) || k.endsWith("'ll")) return 'planned';
  return undefined;
}

/** Whether the headcount starting at token `from` is the prospect's own: the nearest owner word before it. */
export function ownedByProspect(t: Toks, from: number, topic: Topic): boolean {
  for (let m = from - 1; m >= 0 && m >= from - WINDOW_BACK; m--) {
    if (isBreak(t, m)) break;
    const k = t.key[m] as string;
    if (SELF.has(k)) return true;
    if (THIRD.has(k)) return false;
  }
  return topic !== 'third_party';
}

const REASON: Record<Tense, string> = {
  current: 'earlier mention',
  past: 'past size',
  planned: 'planned size',
};

/** The current own headcount with the candidates it beat, or undefined when there is none. */
export function chooseTeam(t: Toks, cands: readonly TeamCandidate[]): Hit<number> | undefined {
  if (cands.length === 0) return undefined;
  let own = cands.filter((c) => c.own && c.tense === 'current');
  // A department's size yields to the company's or the users' size stated in the same message.
  // ("32 brokers and a four-person accounting team" is a sum: the department is named with the others.)
  if (own.some((c) => !c.department) && own.some((c) => c.department)) {
    own = own.filter((c, k) => !c.department || (k > 0 && sideBySide(t, own[k - 1] as TeamCandidate, c)));
  }
  // A bare number read from the agent's question yields to a headcount the message states itself.
  if (own.some((c) => c.rule !== 'team_size.context'))
    own = own.filter((c) => c.rule !== 'team_size.context');
  let best: TeamCandidate | undefined;
  let parts: TeamCandidate[] = [];
  for (let k = 0; k < own.length; k++) {
    const c = own[k] as TeamCandidate;
    const prev = own[k - 1];
    if (prev !== undefined && best === prev && sideBySide(t, prev, c)) {
      const total = (parts.length > 0 ? best.value : prev.value) + c.value;
      // "There are 16 of us, eleven therapists and five front desk": the parts of a stated total.
      const stated = own.slice(0, k - parts.length - 1).find((o) => o.value === total);
      if (stated !== undefined) {
        parts.push(prev, c);
        best = stated;
        continue;
      }
      if (parts.length === 0) parts = [prev];
      parts.push(c);
      best = { ...c, value: total, from: parts[0]?.from ?? c.from, rule: 'team_size.sum' };
      continue;
    }
    // "There are 16 of us, eleven therapists …": a smaller count right after a total is its part.
    if (prev !== undefined && best === prev && partAfterComma(t, prev, c)) {
      parts.push(c);
      continue;
    }
    best = c;
    parts = [];
  }
  if (best === undefined) return undefined;
  const chosen = best;
  const span: [number, number] = [t.start[chosen.from] as number, t.end[chosen.last] as number];
  const hit: Hit<number> = {
    value: chosen.value,
    span,
    rule: chosen.rule,
    confidence: confidenceOf(chosen.rule),
  };
  const alternatives: Alternative<number>[] = [];
  for (const c of cands) {
    if (alternatives.length >= MAX_ALTERNATIVES) break;
    if (c === chosen || parts.includes(c) || c.value === chosen.value) continue;
    const reason = !c.own ? 'another organisation' : c.department ? 'a department' : REASON[c.tense];
    alternatives.push({ value: c.value, span: [t.start[c.from] as number, t.end[c.last] as number], reason });
  }
  if (alternatives.length > 0) {
    hit.alternatives = alternatives;
    hit.confidence = Math.min(hit.confidence ?? 1, 0.8);
  }
  return hit;
}

/** "35 recruiters and 8 account managers", "nine buyers plus me": two headcounts joined in one sentence. */
function sideBySide(t: Toks, a: TeamCandidate, b: TeamCandidate): boolean {
  if (a.subset || b.subset || b.from - a.last > SUM_GAP) return false;
  // "six dentists, and like 20 staff total": the second count is the total.
  if (TOTAL_AFTER.has(t.k(b.last + 1))) return false;
  let joined = false;
  for (let m = a.last + 1; m < b.from; m++) {
    if (isBreak(t, m) || t.kind[m] === K_NUM) return false;
    const k = t.key[m] as string;
    if (RESTATE.has(k)) return false;
    if (SUM_JOIN.has(k)) joined = true;
    // "four attorneys, three paralegals": a list of roles adds up like "and".
    else if (
      t.isP(m, ',') &&
      m === a.last + 1 &&
      !TOTAL_NOUNS.has(t.k(a.last)) &&
      !TOTAL_NOUNS.has(t.k(b.last))
    )
      joined = true;
  }
  return joined;
}

function partAfterComma(t: Toks, a: TeamCandidate, b: TeamCandidate): boolean {
  if (!TOTAL_NOUNS.has(t.k(a.last)) && a.rule === 'team_size.people') return false;
  if (b.value >= a.value || b.from - a.last > 4 || !t.isP(a.last + 1, ',')) return false;
  for (let m = a.last + 2; m < b.from; m++) if (t.kind[m] === K_NUM || isBreak(t, m)) return false;
  return true;
}

function confidenceOf(rule: string): number {
  switch (rule) {
    case 'team_size.people':
    case 'team_size.of_us':
      return 0.9;
    case 'team_size.team_of':
    case 'team_size.employ':
    case 'team_size.team_is':
      return 0.85;
    case 'team_size.sum':
      return 0.7;
    case 'team_size.context':
      return 0.75;
    default:
      return 0.8;
  }
}
