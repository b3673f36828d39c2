/**
 * A table of multi-word phrases matched at a token position. Phrases are tokenized with the
 * message tokenizer and indexed by their first key; hyphens in the text are skipped while
 * matching, so "non-profit" matches the phrase "non profit". Longest phrase wins.
 */
import { type Token, tokenize } from './tokenizer.js';

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

export class PhraseTable<T> {
  private readonly byFirst = new Map<string, Entry<T>[]>();

  constructor(entries: Iterable<readonly [string, T]>) {
    for (const [phrase, payload] of entries) {
      const keys = tokenize(phrase)
        .filter((t) => t.text !== '-')
        .map((t) => t.key);
      const first = keys[0];
      if (first === undefined) continue;
      let list = this.byFirst.get(first);
      if (list === undefined) {
        list = [];
        this.byFirst.set(first, list);
      }
      list.push({ keys, payload });
    }
    for (const list of this.byFirst.values()) list.sort((a, b) => b.keys.length - a.keys.length);
  }

  /** Keys that can start a phrase of this table. */
  firstKeys(): Iterable<string> {
    return this.byFirst.keys();
  }

  /** The longest phrase starting at token `i`, if any. Cost is bounded by the table, not the text. */
  matchAt(tokens: readonly Token[], i: number): PhraseMatch<T> | undefined {
    const first = tokens[i];
    if (first === undefined) return undefined;
    const list = this.byFirst.get(first.key);
    if (list === undefined) return undefined;
    for (const entry of list) {
      const to = matchKeys(tokens, i, entry.keys);
      if (to >= 0) return { payload: entry.payload, from: i, to };
    }
    return undefined;
  }
}

function matchKeys(tokens: readonly Token[], i: number, keys: readonly string[]): number {
  let j = i;
  for (let k = 0; k < keys.length; k++) {
    if (k > 0) {
      while (tokens[j]?.text === '-' && tokens[j]?.joined) j++;
    }
    if (tokens[j]?.key !== keys[k]) return -1;
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
