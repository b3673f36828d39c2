/**
 * A table of multi-word phrases matched at a token position. Phrases are tokenized with the
 * message tokenizer and indexed by their first key; hyphens in the text are skipped while
 * matching, so "non-profit" matches the phrase "non profit". Longest phrase wins.
 */
import { K_PUNCT, type Toks, tokenize } from './tokenizer.js';

export interface PhraseMatch<T> {
  payload: T;
  /** First token index of the match. */
  from: number;
  /** Token index after the match. */
  to: number;
}

interface Entry<T> {
  keys: string[];
  payload: T;
}

/** Phrases of one first key: the one-word phrase, and longer phrases indexed by their second key. */
interface Bucket<T> {
  single: Entry<T> | undefined;
  bySecond: Map<string, Entry<T>[]> | undefined;
}

export class PhraseTable<T> {
  private readonly byFirst = new Map<string, Bucket<T>>();

  constructor(entries: Iterable<readonly [string, T]>) {
    for (const [phrase, payload] of entries) {
      const toks = tokenize(phrase);
      const keys: string[] = [];
      for (let i = 0; i < toks.n; i++) if (toks.key[i] !== '-') keys.push(toks.key[i] as string);
      const first = keys[0];
      if (first === undefined) continue;
      let bucket = this.byFirst.get(first);
      if (bucket === undefined) {
        bucket = { single: undefined, bySecond: undefined };
        this.byFirst.set(first, bucket);
      }
      const second = keys[1];
      if (second === undefined) {
        bucket.single ??= { keys, payload };
        continue;
      }
      bucket.bySecond ??= new Map();
      let list = bucket.bySecond.get(second);
      if (list === undefined) {
        list = [];
        bucket.bySecond.set(second, list);
      }
      list.push({ keys, payload });
    }
    for (const bucket of this.byFirst.values()) {
      // Longest phrase first; among equal lengths, the first listed.
      for (const list of bucket.bySecond?.values() ?? []) list.sort((a, b) => b.keys.length - a.keys.length);
    }
  }

  /** Keys that can start a phrase of this table. */
  firstKeys(): Iterable<string> {
    return this.byFirst.keys();
  }

  /** Payload of the phrase found by the last `matchEnd` that found one. */
  matched: T | undefined = undefined;

  /** The longest phrase starting at token `i`, if any. Cost is bounded by the table, not the text. */
  matchAt(tokens: Toks, i: number): PhraseMatch<T> | undefined {
    const to = this.matchEnd(tokens, i);
    return to < 0 ? undefined : { payload: this.matched as T, from: i, to };
  }

  /**
   * Token index after the longest phrase starting at token `i`, its payload in `matched`; -1 when
   * none starts there. Allocates nothing, for the rule passes.
   */
  matchEnd(tokens: Toks, i: number): number {
    if (i < 0 || i >= tokens.n) return -1;
    const bucket = this.byFirst.get(tokens.key[i] as string);
    if (bucket === undefined) return -1;
    if (bucket.bySecond !== undefined) {
      let j = i + 1;
      while (j < tokens.n && tokens.kind[j] === K_PUNCT && tokens.key[j] === '-' && tokens.joined(j)) j++;
      const list = j < tokens.n ? bucket.bySecond.get(tokens.key[j] as string) : undefined;
      if (list !== undefined) {
        for (const entry of list) {
          const to = matchKeys(tokens, i, entry.keys);
          if (to >= 0) {
            this.matched = entry.payload;
            return to;
          }
        }
      }
    }
    if (bucket.single !== undefined) {
      this.matched = bucket.single.payload;
      return i + 1;
    }
    return -1;
  }
}

function matchKeys(tokens: Toks, i: number, keys: readonly string[]): number {
  let j = i;
  for (let k = 0; k < keys.length; k++) {
    if (k > 0) {
      while (j < tokens.n && tokens.kind[j] === K_PUNCT && tokens.key[j] === '-' && tokens.joined(j)) j++;
    }
    if (j >= tokens.n || tokens.key[j] !== keys[k]) return -1;
    j++;
  }
  return j;
}

/** Builds a value once, on first use, so that importing a module has no cost or side effect. */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    if (value === undefined) value = build();
    return value;
  };
}
