/**
 * Quantities in a token stream: digits (commas, decimals, `k`), number words ("twenty-five",
 * "one hundred and twenty", "a dozen", "a couple of"), scale words, and ranges ("10 to 15",
 * "between 20 and 30", "10-15", "two or three") that resolve to their midpoint rounded half up.
 * Every parse looks at a bounded number of tokens.
 */
import { B_NOT_COUNT, B_SCALED, K_NUM, K_WORD, type Toks } from './tokenizer.js';

const UNIT_WORDS: ReadonlyMap<string, number> = new Map([
  ['one', 1],
  ['two', 2],
  ['three', 3],
  ['four', 4],
  ['five', 5],
  ['six', 6],
  ['seven', 7],
  ['eight', 8],
  ['nine', 9],
  ['ten', 10],
  ['eleven', 11],
  ['twelve', 12],
  ['thirteen', 13],
  ['fourteen', 14],
  ['fifteen', 15],
  ['sixteen', 16],
  ['seventeen', 17],
  ['eighteen', 18],
  ['nineteen', 19],
]);
const TENS_WORDS: ReadonlyMap<string, number> = new Map([
  ['twenty', 20],
  ['thirty', 30],
  ['forty', 40],
  ['fifty', 50],
  ['sixty', 60],
  ['seventy', 70],
  ['eighty', 80],
  ['ninety', 90],
]);
const SCALE_WORDS: ReadonlyMap<string, number> = new Map([
  ['hundred', 100],
  ['thousand', 1000],
  ['k', 1000],
  ['million', 1_000_000],
]);
/** Words that state an unspecified amount: the quantity is present but too vague to use. */
const VAGUE_WORDS = new Set([
  'few',
  'several',
  'dozens',
  'hundreds',
  'thousands',
  'handful',
  'many',
  'numerous',
]);
/** Verbs that make "from A to B" a change rather than a range. */
const GROWTH_VERBS = new Set([
  'grew',
  'grown',
  'growing',
  'went',
  'gone',
  'going',
  'increased',
  'expanded',
  'jumped',
  'scaled',
  'shrank',
  'dropped',
  'doubled',
]);
const CURRENCY_BEFORE = new Set(['$', '€', '£', 'usd', 'eur', 'gbp']);
const CURRENCY_AFTER = new Set(['dollars', 'dollar', 'bucks', 'usd', 'eur', 'euros', 'pounds', 'cents']);

export interface Quantity {
  value: number;
  /** First token of the quantity (a leading "between" included). */
  from: number;
  /** Token after the quantity. */
  to: number;
  /** "a few dozen", "hundreds of": a number was stated but not one that can be used. */
  vague: boolean;
  /** A price, a percentage, a phone number, an ordinal or a clock time: never a count. */
  notCount: boolean;
  range: boolean;
}

interface Atom {
  value: number;
  to: number;
  vague: boolean;
  scale: number;
  digits: boolean;
}

/** Words that can start a quantity. */
export function quantityStartWords(): Iterable<string> {
  return [
    ...UNIT_WORDS.keys(),
    ...TENS_WORDS.keys(),
    ...VAGUE_WORDS,
    'a',
    'an',
    'between',
    'half',
    'couple',
    'dozen',
    'hundred',
    'thousand',
  ];
}

export function isNumberWord(key: string): boolean {
  return UNIT_WORDS.has(key) || TENS_WORDS.has(key);
}

/** Parses the quantity that starts at token `i`, or returns undefined when none does. */
export function parseQuantity(t: Toks, i: number): Quantity | undefined {
  if (i < 0 || i >= t.n) return undefined;
  if (t.key[i] === 'between') {
    const a = parseAtom(t, i + 1);
    if (a === undefined || a.vague || t.k(a.to) !== 'and') return undefined;
    const b = parseAtom(t, a.to + 1);
    if (b === undefined || b.vague) return undefined;
    return finish(t, i, b.to, rangeValue(a, b), true);
  }
  const a = parseAtom(t, i);
  if (a === undefined) return undefined;
  if (a.vague) return { value: 0, from: i, to: a.to, vague: true, notCount: false, range: false };
  let to = a.to;
  // Phone numbers and other digit runs: "555 123 4567", "415-555-0199".
  if (a.digits) {
    const runEnd = digitRunEnd(t, i);
    if (runEnd > 0) return { value: 0, from: i, to: runEnd, vague: false, notCount: true, range: false };
  }
  const sep = t.k(to);
  if (sep === '-' || sep === 'to' || sep === 'or' || sep === '/') {
    const b = parseAtom(t, to + 1);
    if (b !== undefined && !b.vague && sep !== '/') {
      if (sep === 'or' && b.digits !== a.digits) return finish(t, i, to, a.value, false);
      to = b.to;
      // "we grew from 10 to 40 people" is a change, not a range: the figure now is the second.
      if (sep === 'to' && changeFrom(t, i)) return finish(t, i, to, b.value, false);
      return finish(t, i, to, rangeValue(a, b), true);
    }
  }
  return finish(t, i, to, a.value, false);
}

/** "grew from 10 to 40", "went from a team of 8 to 25": "from" after a growth verb, a few words back. */
function changeFrom(t: Toks, i: number): boolean {
  for (let m = i - 1; m >= 0 && m >= i - 5; m--) {
    if (t.kind[m] !== K_WORD) return false;
    if (t.key[m] === 'from') return GROWTH_VERBS.has(t.k(m - 1));
  }
  return false;
}

function rangeValue(a: Atom, b: Atom): number {
  let lo = a.value;
  if (a.scale === 1 && b.scale > 1 && lo * b.scale <= b.value) lo *= b.scale;
  return Math.round((lo + b.value) / 2);
}

function finish(t: Toks, from: number, to: number, value: number, range: boolean): Quantity {
  const before = t.k(from - 1);
  const after = t.k(to);
  let notCount = !Number.isFinite(value) || value > 1e9;
  if (CURRENCY_BEFORE.has(before)) notCount = true;
  if (before === '~' && CURRENCY_BEFORE.has(t.k(from - 2))) notCount = true;
  if (after === '%' || after === 'percent' || after === 'pct' || CURRENCY_AFTER.has(after)) notCount = true;
  if (after === 'per' && t.k(to + 1) === 'cent') notCount = true;
  return { value, from, to, vague: false, notCount, range };
}

/** End of a run of three or more numbers (or two numbers with no word between), else -1. */
function digitRunEnd(t: Toks, i: number): number {
  let j = i + 1;
  let numbers = 1;
  let hyphens = 0;
  while (j < t.n && j < i + 12) {
    if (t.kind[j] === K_NUM) {
      numbers++;
      j++;
    } else if ((t.isP(j, '-') || t.isP(j, '.') || t.isP(j, ')')) && t.isNum(j + 1)) {
      if (t.isP(j, '-')) hyphens++;
      j++;
    } else break;
  }
  // "10-15" is a range; "555 123", "415-555-0199" are not.
  if (numbers >= 3) return j;
  if (numbers === 2 && hyphens === 0 && t.isNum(i + 1)) return j;
  return -1;
}

function parseAtom(t: Toks, i: number): Atom | undefined {
  if (i < 0 || i >= t.n) return undefined;
  if (t.kind[i] === K_NUM) {
    if (t.has(i, B_NOT_COUNT)) return undefined;
    let value = t.value[i] as number;
    let scale = t.has(i, B_SCALED) ? 1000 : 1;
    let j = i + 1;
    if (t.isWord(j) && scale === 1) {
      const nk = t.key[j] as string;
      const s = SCALE_WORDS.get(nk);
      if (s !== undefined && !(nk === 'k' && !t.joined(j) && t.isNum(j + 1))) {
        value *= s;
        scale = s;
        j++;
      } else if (nk === 'dozen') {
        value *= 12;
        j++;
      }
    }
    return { value, to: j, vague: false, scale, digits: true };
  }
  if (t.kind[i] !== K_WORD) return undefined;
  const k = t.key[i] as string;
  const k1 = t.k(i + 1);
  if (VAGUE_WORDS.has(k)) return vagueFrom(t, i + 1);
  if (k === 'a' || k === 'an') {
    if (k1 === 'dozen') return { value: 12, to: i + 2, vague: false, scale: 1, digits: false };
    if (k1 === 'few' || k1 === 'handful' || k1 === 'lot' || k1 === 'bunch') return vagueFrom(t, i + 2);
    if (k1 === 'couple') return couple(t, i + 1);
    // "half a dozen" is not one of the spec's number words: a stated but unusable amount.
    if (k1 === 'half' && t.k(i + 2) === 'dozen') return vagueFrom(t, i + 3);
    if (k1 === 'hundred' || k1 === 'thousand' || k1 === 'million') return cardinal(t, i + 1);
    return undefined;
  }
  if (k === 'couple') return couple(t, i);
  if (k === 'half') {
    if (k1 === 'a' && t.k(i + 2) === 'dozen') return vagueFrom(t, i + 3);
    if (k1 === 'dozen') return vagueFrom(t, i + 2);
    return undefined;
  }
  if (k === 'dozen') return undefined;
  if (UNIT_WORDS.has(k) || TENS_WORDS.has(k)) return cardinal(t, i);
  return undefined;
}

function vagueFrom(t: Toks, j: number): Atom {
  let to = j;
  while (to < j + 3) {
    const key = t.k(to);
    if (key === 'dozen' || key === 'hundred' || key === 'thousand' || key === 'of' || key === 'dozens') to++;
    else break;
  }
  return { value: 0, to, vague: true, scale: 1, digits: false };
}

/** "a couple of" = 2, "a couple hundred" = 200. `i` is the index of "couple". */
function couple(t: Toks, i: number): Atom {
  const next = t.k(i + 1);
  const scale = SCALE_WORDS.get(next);
  if (scale !== undefined && next !== 'k')
    return { value: 2 * scale, to: i + 2, vague: false, scale, digits: false };
  if (next === 'dozen') return { value: 24, to: i + 2, vague: false, scale: 1, digits: false };
  return { value: 2, to: next === 'of' ? i + 2 : i + 1, vague: false, scale: 1, digits: false };
}

/** Number words: "twenty-five", "one hundred and twenty", "two thousand", "a hundred". */
function cardinal(t: Toks, i: number): Atom | undefined {
  let total = 0;
  let cur = 0;
  let last: 'none' | 'unit' | 'tens' | 'hundred' | 'thousand' = 'none';
  let j = i;
  let scale = 1;
  const limit = i + 12;
  while (j < t.n && j < limit) {
    const k = t.key[j] as string;
    const unit = UNIT_WORDS.get(k);
    const tens = TENS_WORDS.get(k);
    if (unit !== undefined) {
      if (last === 'unit' || (last === 'tens' && unit >= 10)) break;
      cur += unit;
      last = 'unit';
    } else if (tens !== undefined) {
      if (last === 'unit' || last === 'tens') break;
      cur += tens;
      last = 'tens';
    } else if (k === 'hundred') {
      if (last === 'hundred') break;
      cur = (cur || 1) * 100;
      scale = Math.max(scale, 100);
      last = 'hundred';
    } else if (k === 'thousand' || k === 'million') {
      if (last === 'thousand') break;
      const s = k === 'thousand' ? 1000 : 1_000_000;
      total += (cur || 1) * s;
      cur = 0;
      scale = Math.max(scale, s);
      last = 'thousand';
    } else if (k === '-' && t.joined(j) && last === 'tens' && UNIT_WORDS.has(t.k(j + 1))) {
      j++;
      continue;
    } else if (
      k === 'and' &&
      (last === 'hundred' || last === 'thousand') &&
      (UNIT_WORDS.has(t.k(j + 1)) || TENS_WORDS.has(t.k(j + 1)))
    ) {
      j++;
      continue;
    } else if (k === 'dozen' && last === 'unit') {
      cur *= 12;
      last = 'hundred';
    } else break;
    j++;
  }
  if (j === i) return undefined;
  return { value: total + cur, to: j, vague: false, scale, digits: false };
}
