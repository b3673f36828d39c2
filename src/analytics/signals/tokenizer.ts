/**
 * One linear pass over a message that yields word, number and punctuation tokens with their
 * character offsets. Every detector rule works on these tokens inside small bounded windows,
 * so detection time grows linearly with the message length whatever the input.
 */

/** `w` word, `n` number, `p` punctuation (one character). */
export type TokenKind = 'w' | 'n' | 'p';

export interface Token {
  kind: TokenKind;
  /** Lowercased text; `’` becomes `'`; numbers keep their raw digits. */
  text: string;
  /** Lookup key: `text` without a possessive `'s` ("municipality's" → "municipality"). */
  key: string;
  start: number;
  end: number;
  /** Numeric value of a number token (`k` applied, commas removed); 0 otherwise. */
  value: number;
  /** A number token carried a scale suffix (`2k`). */
  scaled: boolean;
  /** A number token is an ordinal, a clock time or otherwise not a count ("15th", "3pm", "10x"). */
  notCount: boolean;
  /** The word starts with an uppercase letter and is not all uppercase. */
  capitalized: boolean;
  /** No whitespace between the previous token and this one. */
  joined: boolean;
  /** Which rule families may start at this token (bits of `flags.ts`), set by the detector. */
  flags: number;
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
 * Token objects reused from one call to the next so that long messages do not churn the garbage
 * collector. Holds at most `cap` objects; tokens are only valid until the next `tokenize` with
 * the same pool, and detection never keeps them.
 */
export class TokenPool {
  readonly objects: Token[] = [];
  constructor(readonly cap = 32_768) {}
}

let activePool: TokenPool | undefined;
let taken = 0;

function makeToken(kind: TokenKind, text: string, start: number, end: number, joined: boolean): Token {
  const pool = activePool;
  if (pool !== undefined && taken < pool.objects.length) {
    const tok = pool.objects[taken++] as Token;
    tok.kind = kind;
    tok.text = text;
    tok.key = text;
    tok.start = start;
    tok.end = end;
    tok.value = 0;
    tok.scaled = false;
    tok.notCount = false;
    tok.capitalized = false;
    tok.joined = joined;
    tok.flags = 0;
    return tok;
  }
  const tok = newToken(kind, text, start, end, joined);
  if (pool !== undefined && pool.objects.length < pool.cap) {
    pool.objects.push(tok);
    taken++;
  }
  return tok;
}

function newToken(kind: TokenKind, text: string, start: number, end: number, joined: boolean): Token {
  return {
    kind,
    text,
    key: text,
    start,
    end,
    value: 0,
    scaled: false,
    notCount: false,
    capitalized: false,
    joined,
    flags: 0,
  };
}

/**
 * Splits `text` into tokens in one left-to-right pass; O(length). With a pool, token objects are
 * reused and the returned tokens are valid until the next call with that pool.
 */
export function tokenize(text: string, pool?: TokenPool): Token[] {
  activePool = pool;
  taken = 0;
  try {
    return scan(text);
  } finally {
    activePool = undefined;
  }
}

function scan(text: string): Token[] {
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  let joined = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      joined = false;
      i++;
      continue;
    }
    const start = i;
    if (isLetter(c)) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (isLetter(d) || isDigit(d)) i++;
        else if (isApostrophe(d) && i + 1 < n && isLetter(text.charCodeAt(i + 1))) i += 2;
        else break;
      }
      const raw = text.slice(start, i);
      const lower = raw.toLowerCase().replace(/\u2019/g, "'");
      // Transcripts carry hesitations ("we have uh about forty people"); no rule reads them.
      if (DISFLUENCIES.has(lower)) {
        joined = false;
        continue;
      }
      const tok = makeToken('w', lower, start, i, joined);
      if (lower.endsWith("'s") && lower.length > 3 && !KEEP_POSSESSIVE.has(lower))
        tok.key = lower.slice(0, -2);
      const first = raw.charCodeAt(0);
      tok.capitalized = first >= 65 && first <= 90 && raw !== raw.toUpperCase();
      tokens.push(tok);
    } else if (isDigit(c)) {
      i = scanNumber(text, i);
      const digitsEnd = i;
      // An alphanumeric suffix: `2k` is a count, `15th`, `3pm`, `10x` are not.
      let suffixEnd = i;
      while (suffixEnd < n && (isLetter(text.charCodeAt(suffixEnd)) || isDigit(text.charCodeAt(suffixEnd)))) {
        suffixEnd++;
      }
      let raw = text.slice(start, digitsEnd);
      if (raw.includes(',')) raw = raw.replace(/,/g, '');
      const suffix = suffixEnd > digitsEnd ? text.slice(digitsEnd, suffixEnd).toLowerCase() : '';
      const tok = makeToken('n', raw, start, suffixEnd, joined);
      tok.value = raw.length > 12 ? Number.POSITIVE_INFINITY : Number(raw);
      if (suffix === 'k') {
        tok.value *= 1000;
        tok.scaled = true;
      } else if (suffix !== '') {
        tok.notCount = true;
        tok.text = raw + suffix;
        tok.key = tok.text;
      }
      i = suffixEnd;
      tokens.push(tok);
    } else {
      i++;
      let ch = text[start] as string;
      if (ch === '\u2013' || ch === '\u2014') ch = '-';
      else if (ch === '\r') ch = '\n';
      tokens.push(makeToken('p', ch, start, i, joined));
    }
    joined = true;
  }
  return tokens;
}

/** Digits, comma groups of exactly three digits, and one decimal part. */
function scanNumber(text: string, from: number): number {
  const n = text.length;
  let i = from;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  while (
    i + 3 < n &&
    text.charCodeAt(i) === 44 &&
    isDigit(text.charCodeAt(i + 1)) &&
    isDigit(text.charCodeAt(i + 2)) &&
    isDigit(text.charCodeAt(i + 3)) &&
    (i + 4 >= n || !isDigit(text.charCodeAt(i + 4)))
  ) {
    i += 4;
  }
  if (i + 1 < n && text.charCodeAt(i) === 46 && isDigit(text.charCodeAt(i + 1))) {
    i++;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}

/** The token ends a clause (sentence punctuation or a line break). */
export function isBreak(tok: Token | undefined): boolean {
  return tok === undefined || (tok.kind === 'p' && BREAK_CHARS.includes(tok.text));
}

/** The token ends a clause or is a comma. */
export function isSoftBreak(tok: Token | undefined): boolean {
  return isBreak(tok) || (tok !== undefined && tok.kind === 'p' && tok.text === ',');
}
