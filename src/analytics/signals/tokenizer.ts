/**
 * One linear pass over a message that yields word, number and punctuation tokens with their
 * character offsets. Every detector rule works on these tokens inside small bounded windows,
 * so detection time grows linearly with the message length whatever the input.
 *
 * Tokens are stored column-wise (`Toks`): typed arrays for kinds, offsets, values and bits, and
 * arrays of interned strings for the lowercased text, so a long message allocates no object per
 * token and, for words seen before, no string either.
 */

export const K_WORD = 1;
export const K_NUM = 2;
export const K_PUNCT = 3;

/** A number token carried a scale suffix (`2k`). */
export const B_SCALED = 1;
/** A number token is an ordinal, a clock time or otherwise not a count ("15th", "3pm", "10x"). */
export const B_NOT_COUNT = 2;
/** The word starts with an uppercase letter and is not all uppercase. */
export const B_CAPITALIZED = 4;
/** No whitespace between the previous token and this one. */
export const B_JOINED = 8;
/** The word ends in a possessive `'s` that `key` leaves out ("municipality's"). */
export const B_POSSESSIVE = 16;
/** A punctuation token that was an en or em dash (its `key` is `-`): a pause, never a hyphen. */
export const B_DASH = 32;

/** How far past the last token the columns read as "no token" (every rule window is shorter). */
const PAD = 64;

/** The tokens of one message, column-wise. Index `i` is valid for `0 <= i < n`; reads outside give no token. */
export class Toks {
  n = 0;
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  /** Numeric value of a number token (`k` applied, commas removed); 0 otherwise. */
  value: Float64Array;
  bits: Uint8Array;
  /** Which rule families may start at this token (bits of `flags.ts`). */
  flags: Uint8Array;
  /**
   * Lowercased word (`’` becomes `'`) without a possessive `'s` ("municipality's" → "municipality",
   * flagged `B_POSSESSIVE`); a number's digits without commas (short numbers only, else ''); or
   * the punctuation character.
   */
  key: string[];
  /**
   * Indices of the tokens whose `flags` are not 0, in order (`hotN` of them): the only tokens
   * where a rule can start, so the rule passes visit these and skip the rest of a long message.
   */
  hot: Int32Array;
  hotN = 0;

  constructor(capacity = 1024) {
    this.kind = new Uint8Array(capacity);
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.value = new Float64Array(capacity);
    this.bits = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.hot = new Int32Array(capacity);
    this.key = [];
  }

  /** Makes room for `count` tokens plus the padding. */
  reserve(count: number): void {
    const need = count + PAD;
    if (need <= this.kind.length) return;
    let cap = this.kind.length * 2;
    while (cap < need) cap *= 2;
    this.kind = grow(this.kind, new Uint8Array(cap));
    this.start = grow(this.start, new Int32Array(cap));
    this.end = grow(this.end, new Int32Array(cap));
    this.value = grow(this.value, new Float64Array(cap));
    this.bits = grow(this.bits, new Uint8Array(cap));
    this.flags = grow(this.flags, new Uint8Array(cap));
    this.hot = grow(this.hot, new Int32Array(cap));
  }

  /** Key of token `i`, or '' outside the message. */
  k(i: number): string {
    return i >= 0 && i < this.n ? (this.key[i] as string) : '';
  }

  isWord(i: number): boolean {
    return i >= 0 && i < this.n && this.kind[i] === K_WORD;
  }

  isNum(i: number): boolean {
    return i >= 0 && i < this.n && this.kind[i] === K_NUM;
  }

  isPunct(i: number): boolean {
    return i >= 0 && i < this.n && this.kind[i] === K_PUNCT;
  }

  /** Punctuation token `i` is the character `ch`. */
  isP(i: number, ch: string): boolean {
    return i >= 0 && i < this.n && this.kind[i] === K_PUNCT && this.key[i] === ch;
  }

  has(i: number, bit: number): boolean {
    return i >= 0 && i < this.n && ((this.bits[i] as number) & bit) !== 0;
  }

  joined(i: number): boolean {
    return this.has(i, B_JOINED);
  }
}

function grow<T extends Uint8Array | Int32Array | Float64Array>(old: T, next: T): T {
  next.set(old);
  return next;
}

/** Tokens that end a clause for the purpose of every windowed rule. */
const BREAK_CHARS = '.!?;\n';

const DISFLUENCIES = new Set(['uh', 'uhh', 'um', 'umm', 'uhm', 'er', 'erm', 'hmm', 'mm', 'mhm']);

const KEEP_POSSESSIVE = new Set([
  "it's",
  "that's",
  "there's",
  "here's",
  "what's",
  "he's",
  "she's",
  "who's",
  "let's",
  "where's",
  "how's",
]);

function isLetter(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7)
  );
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 0xa0 || c === 0x2009 || c === 0x202f;
}
function isApostrophe(c: number): boolean {
  return c === 39 || c === 0x2019;
}

/**
 * Splits `text` into tokens in one left-to-right pass; O(length). With `into`, its columns are
 * reused and the result is valid until the next call with the same `Toks`.
 */
export function tokenize(text: string, into?: Toks): Toks {
  const t = into ?? new Toks(Math.min(1024, text.length + 1));
  const n = text.length;
  t.n = 0;
  t.hotN = 0;
  let count = 0;
  let joined = false;
  let i = 0;
  t.reserve(Math.min(n, 4096));
  let cap = t.kind.length - PAD;
  let { kind, start: starts, end: ends, value: values, bits: bitsCol, flags, hot } = t;
  let hotN = 0;
  const keys = t.key;
  const cls = CHAR_CLASS;
  const u = codesOf(text);
  // Set when the text may hold an e-mail address, a URL or a domain (see `markAddresses`).
  let maybeAddress = false;
  while (i < n) {
    const c = u[i] as number;
    const cc = c < 128 ? (cls[c] as number) : classOf(c);
    if (cc === C_SPACE) {
      joined = false;
      i++;
      continue;
    }
    if (count + 1 >= cap) {
      t.reserve(Math.min(n, count * 2 + 16));
      cap = t.kind.length - PAD;
      ({ kind, start: starts, end: ends, value: values, bits: bitsCol, flags, hot } = t);
    }
    const start = i;
    let bits = joined ? B_JOINED : 0;
    if (cc === C_UPPER || cc === C_LOWER || cc === C_OTHER_LETTER) {
      // The word's hash is computed while scanning it. Non-ASCII letters (other than `’`) opt out
      // of interning.
      let h = Math.imul(FNV_SEED ^ (cc === C_UPPER ? c + 32 : c), FNV_PRIME);
      let ascii = c < 128;
      let lower = cc !== C_UPPER;
      i++;
      while (i < n) {
        const d = u[i] as number;
        const dc = d < 128 ? (cls[d] as number) : classOf(d);
        if (dc === C_LOWER || dc === C_DIGIT) {
          h = Math.imul(h ^ d, FNV_PRIME);
          i++;
        } else if (dc === C_UPPER) {
          lower = false;
          h = Math.imul(h ^ (d + 32), FNV_PRIME);
          i++;
        } else if (dc === C_OTHER_LETTER) {
          ascii = false;
          i++;
        } else if ((d === 39 || d === 0x2019) && i + 1 < n && isLetter(u[i + 1] as number)) {
          const e = u[i + 1] as number;
          if (e >= 128) ascii = false;
          if (d !== 39) lower = false;
          h = Math.imul(Math.imul(h ^ 39, FNV_PRIME) ^ lowerCode(e), FNV_PRIME);
          i += 2;
        } else break;
      }
      const id = ascii ? internHashed(text, u, start, i, h, lower) : sliced(text, start, i);
      const word = id >= 0 ? (WORDS[id] as string) : lastSliced;
      // Transcripts carry hesitations ("we have uh about forty people"); no rule reads them.
      if (id >= 0 ? (WORD_DISFLUENT[id] as number) === 1 : DISFLUENCIES.has(word)) {
        joined = false;
        continue;
      }
      let key = word;
      let keyId = id;
      if (
        i - start > 3 &&
        ((u[i - 1] as number) | 32) === 115 &&
        isApostrophe(u[i - 2] as number) &&
        !KEEP_POSSESSIVE.has(word)
      ) {
        // The hash without the `'s` is recomputed here, which is rarer than keeping it per character.
        keyId = ascii ? internLower(text, u, start, i - 2) : sliced(text, start, i - 2);
        key = keyId >= 0 ? (WORDS[keyId] as string) : lastSliced;
        bits |= B_POSSESSIVE;
      }
      if (cc === C_UPPER && hasLowercase(text, u, start + 1, i)) bits |= B_CAPITALIZED;
      kind[count] = K_WORD;
      let f = keyId >= 0 ? (WORD_FLAGS[keyId] as number) : UNKNOWN_FLAGS;
      if (f === UNKNOWN_FLAGS) f = wordFlags(keyId, key);
      flags[count] = f;
      keys[count] = key;
      if (key === 'dot') maybeAddress = true;
    } else if (cc === C_DIGIT) {
      i = scanNumber(u, n, i);
      const digitsEnd = i;
      // An alphanumeric suffix: `2k` is a count, `15th`, `3pm`, `10x` are not.
      let suffixEnd = i;
      while (suffixEnd < n && (isLetter(u[suffixEnd] as number) || isDigit(u[suffixEnd] as number))) {
        suffixEnd++;
      }
      let value = numberValue(text, u, start, digitsEnd);
      let str = numberText;
      let id = -1;
      if (suffixEnd > digitsEnd) {
        if (suffixEnd === digitsEnd + 1 && ((u[digitsEnd] as number) | 32) === 107) {
          value *= 1000;
          bits |= B_SCALED;
        } else {
          bits |= B_NOT_COUNT;
          if (str.length === digitsEnd - start || str === '') {
            id = internLower(text, u, start, suffixEnd);
            str = id >= 0 ? (WORDS[id] as string) : lastSliced;
          } else {
            str = (str + text.slice(digitsEnd, suffixEnd)).toLowerCase();
          }
        }
      }
      i = suffixEnd;
      kind[count] = K_NUM;
      flags[count] = F_NUMBER | wordFlags(id, str);
      values[count] = value;
      keys[count] = str;
    } else {
      i++;
      let ch = c;
      if (ch === 0x2013 || ch === 0x2014) {
        ch = 45;
        bits |= B_DASH;
      } else if (ch === 13) ch = 10;
      if (ch === 64 || ch === 47 || (ch === 46 && i < n && isLetter(u[i] as number))) maybeAddress = true;
      const s = charString(ch);
      kind[count] = K_PUNCT;
      flags[count] = ch < 128 ? (PUNCT_FLAGS[ch] as number) : 0;
      keys[count] = s;
    }
    starts[count] = start;
    ends[count] = i;
    bitsCol[count] = bits;
    if (flags[count] !== 0) hot[hotN++] = count;
    count++;
    joined = true;
  }
  t.n = count;
  t.hotN = hotN;
  // Padding: reads just past the end see no token.
  t.kind.fill(0, count, Math.min(t.kind.length, count + PAD));
  if (maybeAddress) markAddresses(t);
  return t;
}

/** Top-level domains that make "word.tld" a domain name. */
const TLDS = new Set(
  'com org net io co ai edu gov biz info app dev us uk ca de fr nl au eu me ly tv'.split(' '),
);

/**
 * Words inside e-mail addresses, URLs and domains ("d.reynolds@acme-logistics.com",
 * "https://example.org/healthcare", "jane at bright dental dot com") are names, not cues: their rule
 * flags are cleared so that no rule starts there. A bare "Salesforce.com" (one label and its
 * top-level domain) keeps its flags: it names the tool. One pass over the tokens, plus a window of at
 * most five tokens back from each spoken "dot"; linear in the length.
 */
function markAddresses(t: Toks): void {
  const n = t.n;
  const { kind, key, flags, bits } = t;
  let cleared = false;
  let a = 0;
  while (a < n) {
    // A chunk: tokens with no whitespace between them.
    let b = a + 1;
    while (b < n && ((bits[b] as number) & B_JOINED) !== 0) b++;
    if (b - a >= 3) {
      let at = false;
      let slash = false;
      let hyphen = false;
      let domain = false;
      let words = 0;
      for (let k = a; k < b; k++) {
        if (kind[k] === K_WORD) words++;
        if (kind[k] !== K_PUNCT) continue;
        const c = key[k] as string;
        if (c === '@') at = true;
        else if (c === '/') slash = true;
        else if (c === '-') hyphen = true;
        else if (c === '.' && k > a && k + 1 < b && kind[k - 1] !== K_PUNCT && TLDS.has(key[k + 1] as string))
          domain = true;
      }
      const www = key[a] === 'www' && key[a + 1] === '.';
      // "Salesforce.com" alone is the tool's name; "acme-freight.com", "x.example.org/healthcare" are addresses.
      if (at || www || (domain && (slash || hyphen || words > 2)) || (slash && key[a + 1] === ':')) {
        for (let k = a; k < b; k++) flags[k] = 0;
        cleared = true;
      }
    }
    a = b;
  }
  // Spoken addresses: "priya at lakeside dental dot com", "techstartup dot io".
  for (let k = 1; k + 1 < n; k++) {
    if (key[k] !== 'dot' || kind[k] !== K_WORD || !TLDS.has(key[k + 1] as string)) continue;
    let from = k - 1;
    for (let m = k - 1; m >= 0 && m >= k - 5; m--) {
      if (key[m] === 'at') {
        from = m + 1;
        break;
      }
      if (kind[m] !== K_WORD) break;
    }
    for (let m = from; m <= k + 1; m++) flags[m] = 0;
    cleared = true;
  }
  if (!cleared) return;
  let hotN = 0;
  for (let k = 0; k < n; k++) if (flags[k] !== 0) t.hot[hotN++] = k;
  t.hotN = hotN;
}

/**
 * The message's UTF-16 code units, copied natively into a reused buffer: reading a typed array is
 * cheaper than `charCodeAt` on a sliced or external string, and the scan reads most characters
 * more than once (scan, then the intern check). One code unit past the end is 0.
 */
let codeBuf = Buffer.allocUnsafeSlow(4096);
let codes = new Uint16Array(codeBuf.buffer, codeBuf.byteOffset, 2048);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function codesOf(text: string): Uint16Array {
  const need = text.length + 1;
  if (need > codes.length) {
    let cap = codes.length * 2;
    while (cap < need) cap *= 2;
    codeBuf = Buffer.allocUnsafeSlow(cap * 2);
    codes = new Uint16Array(codeBuf.buffer, codeBuf.byteOffset, cap);
  }
  if (LITTLE_ENDIAN) codeBuf.write(text, 0, 'utf16le');
  else for (let k = 0; k < text.length; k++) codes[k] = text.charCodeAt(k);
  codes[text.length] = 0;
  return codes;
}

const C_OTHER = 0;
const C_SPACE = 1;
const C_LOWER = 2;
const C_UPPER = 3;
const C_DIGIT = 4;
const C_OTHER_LETTER = 5;
/** Class of each ASCII character. */
const CHAR_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) CHAR_CLASS[c] = classOf(c);

function classOf(c: number): number {
  if (c >= 97 && c <= 122) return C_LOWER;
  if (c >= 65 && c <= 90) return C_UPPER;
  if (c >= 48 && c <= 57) return C_DIGIT;
  if (isSpace(c)) return C_SPACE;
  if (isLetter(c)) return C_OTHER_LETTER;
  return C_OTHER;
}

/** Digits, comma groups of exactly three digits, and one decimal part. */
function scanNumber(u: Uint16Array, n: number, from: number): number {
  let i = from;
  while (i < n && isDigit(u[i] as number)) i++;
  while (
    i + 3 < n &&
    (u[i] as number) === 44 &&
    isDigit(u[i + 1] as number) &&
    isDigit(u[i + 2] as number) &&
    isDigit(u[i + 3] as number) &&
    (i + 4 >= n || !isDigit(u[i + 4] as number))
  ) {
    i += 4;
  }
  if (i + 1 < n && (u[i] as number) === 46 && isDigit(u[i + 1] as number)) {
    i++;
    while (i < n && isDigit(u[i] as number)) i++;
  }
  return i;
}

/** Text of the last number read by `numberValue`: its digits without commas, or '' for long whole numbers. */
let numberText = '';

/** Value of the digits in `[start, end)`; sets `numberText`. Builds no string for long whole numbers. */
function numberValue(text: string, u: Uint16Array, start: number, end: number): number {
  let v = 0;
  let digits = 0;
  for (let k = start; k < end; k++) {
    const d = u[k] as number;
    if (d === 46) {
      const raw = text.slice(start, end).replace(/,/g, '');
      numberText = raw;
      return raw.length > 12 ? Number.POSITIVE_INFINITY : Number(raw);
    }
    if (d !== 44) {
      // Past 13 digits the value is never used (it reads as infinite), so stop computing it.
      if (digits < 13) v = v * 10 + (d - 48);
      digits++;
    }
  }
  // Only short numbers can be part of a phrase ("Dynamics 365"); longer ones get no text.
  numberText = digits <= 4 ? smallNumberString(v) : '';
  return digits > 12 ? Number.POSITIVE_INFINITY : v;
}

const SMALL_NUMBERS: string[] = new Array<string>(10_000).fill('');
function smallNumberString(v: number): string {
  let s = SMALL_NUMBERS[v] as string;
  if (s === '') {
    s = String(v);
    SMALL_NUMBERS[v] = s;
  }
  return s;
}

const CHARS: string[] = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));
function charString(c: number): string {
  return c < 128 ? (CHARS[c] as string) : String.fromCharCode(c);
}

function hasLowercase(text: string, u: Uint16Array, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const d = u[k] as number;
    if (d >= 97 && d <= 122) return true;
    if (d >= 0xc0 && text[k] !== (text[k] as string).toUpperCase()) return true;
  }
  return false;
}

/**
 * Lowercased words are interned: a word seen before is found by a hash of its characters and
 * compared in place, so a long message of ordinary words builds no strings, and each interned
 * word carries its rule flags (`wordFlags`). The table is bounded; past it, or for long or
 * non-ASCII words, the word is sliced as usual (id -1, text in `lastSliced`).
 */
const INTERN_CAP = 1 << 16;
const INTERN_MAX_LENGTH = 32;
/**
 * Open addressing, four int32 per slot so that a probe reads one cache line: the word's hash,
 * its id + 1 (0 = empty slot), its length, and the offset of its lowercase code units in
 * `WORD_CHARS`.
 */
const SLOTS = new Int32Array(INTERN_CAP * 2 * 4);
const SLOT_MASK = INTERN_CAP * 2 - 1;
const SLOT_INDEX_MASK = SLOT_MASK << 2;
const WORDS: string[] = [];
/** The interned words' lowercase code units, back to back. */
let WORD_CHARS = new Uint16Array(1 << 14);
let wordCharsUsed = 0;
let WORD_FLAGS = new Uint8Array(1024);
let WORD_DISFLUENT = new Uint8Array(1024);
/** Flag every number token carries (set by the detector: a number can start a quantity). */
let F_NUMBER = 0;
/** Flags of ASCII punctuation tokens, restricted to the families that read punctuation ("/day"). */
const PUNCT_FLAGS = new Uint8Array(128);
/** Flags of a word not yet looked up. */
const UNKNOWN_FLAGS = 255;
let lastSliced = '';
let flagLookup: ((key: string) => number) | undefined;

/** The interned word with this id. */
export function wordAt(id: number): string {
  return WORDS[id] as string;
}

/** Installs the function that gives a word's rule flags (called once per distinct word). */
export function setFlagLookup(lookup: (key: string) => number, numberFlags: number, punctMask: number): void {
  flagLookup = lookup;
  F_NUMBER = numberFlags;
  for (let c = 0; c < 128; c++) PUNCT_FLAGS[c] = lookup(String.fromCharCode(c)) & punctMask;
  WORD_FLAGS.fill(UNKNOWN_FLAGS);
}

/** Rule flags of an interned word id, or of `key` when the word was not interned. */
export function wordFlags(id: number, key: string): number {
  const lookup = flagLookup;
  if (lookup === undefined) return 0;
  if (id < 0) return lookup(key);
  let f = WORD_FLAGS[id] as number;
  if (f === UNKNOWN_FLAGS) {
    f = lookup(WORDS[id] as string);
    WORD_FLAGS[id] = f;
  }
  return f;
}

function lowerCode(d: number): number {
  if (d >= 65 && d <= 90) return d + 32;
  if (d === 0x2019) return 39;
  return d;
}

const FNV_SEED = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;

function internLower(text: string, u: Uint16Array, start: number, end: number): number {
  let h = FNV_SEED;
  for (let k = start; k < end; k++) {
    const d = u[k] as number;
    if (d >= 128 && d !== 0x2019) return sliced(text, start, end);
    h = Math.imul(h ^ lowerCode(d), FNV_PRIME);
  }
  return internHashed(text, u, start, end, h, false);
}

/**
 * Interns the lowercased word `[start, end)` whose hash is `h` (ASCII or `’` only); `lower` says
 * the text is already lowercase, so a native comparison verifies a hit.
 */
function internHashed(
  text: string,
  u: Uint16Array,
  start: number,
  end: number,
  h: number,
  lower: boolean,
): number {
  const len = end - start;
  if (len > INTERN_MAX_LENGTH) return sliced(text, start, end);
  const slots = SLOTS;
  let slot = (h & SLOT_MASK) << 2;
  for (;;) {
    const e = slots[slot + 1] as number;
    if (e === 0) break;
    if (slots[slot] === h && slots[slot + 2] === len) {
      // Compare in place with the stored lowercase code units: no string is read or built.
      const chars = WORD_CHARS;
      const off = slots[slot + 3] as number;
      let k = 0;
      if (lower) {
        while (k < len && chars[off + k] === u[start + k]) k++;
      } else {
        while (k < len && chars[off + k] === lowerCode(u[start + k] as number)) k++;
      }
      if (k === len) return e - 1;
    }
    slot = (slot + 4) & SLOT_INDEX_MASK;
  }
  if (WORDS.length >= INTERN_CAP) return sliced(text, start, end);
  const w = text
    .slice(start, end)
    .toLowerCase()
    .replace(/\u2019/g, "'");
  const id = WORDS.length;
  WORDS.push(w);
  if (id >= WORD_FLAGS.length) {
    const f = new Uint8Array(WORD_FLAGS.length * 2);
    f.fill(UNKNOWN_FLAGS);
    f.set(WORD_FLAGS);
    WORD_FLAGS = f;
    const d = new Uint8Array(WORD_DISFLUENT.length * 2);
    d.set(WORD_DISFLUENT);
    WORD_DISFLUENT = d;
  }
  if (wordCharsUsed + len > WORD_CHARS.length) {
    const c = new Uint16Array(WORD_CHARS.length * 2);
    c.set(WORD_CHARS);
    WORD_CHARS = c;
  }
  for (let k = 0; k < len; k++) WORD_CHARS[wordCharsUsed + k] = w.charCodeAt(k);
  WORD_FLAGS[id] = UNKNOWN_FLAGS;
  WORD_DISFLUENT[id] = DISFLUENCIES.has(w) ? 1 : 0;
  slots[slot] = h;
  slots[slot + 1] = id + 1;
  slots[slot + 2] = len;
  slots[slot + 3] = wordCharsUsed;
  wordCharsUsed += len;
  return id;
}

function sliced(text: string, start: number, end: number): number {
  lastSliced = text
    .slice(start, end)
    .toLowerCase()
    .replace(/\u2019/g, "'");
  return -1;
}

/** Token `i` ends a clause (sentence punctuation or a line break), or is outside the message. */
export function isBreak(t: Toks, i: number): boolean {
  if (i < 0 || i >= t.n) return true;
  return t.kind[i] === K_PUNCT && BREAK_CHARS.includes(t.key[i] as string);
}

/** Token `i` ends a clause or is a comma. */
export function isSoftBreak(t: Toks, i: number): boolean {
  return isBreak(t, i) || (t.kind[i] === K_PUNCT && t.key[i] === ',');
}

/** Plain per-token view, for tests and debugging. */
export interface TokenView {
  kind: 'w' | 'n' | 'p';
  key: string;
  start: number;
  end: number;
  value: number;
}

export function tokenViews(text: string): TokenView[] {
  const t = tokenize(text);
  const out: TokenView[] = [];
  for (let i = 0; i < t.n; i++) {
    out.push({
      kind: t.kind[i] === K_WORD ? 'w' : t.kind[i] === K_NUM ? 'n' : 'p',
      key: t.key[i] as string,
      start: t.start[i] as number,
      end: t.end[i] as number,
      value: t.value[i] as number,
    });
  }
  return out;
}
