/**
 * One lookup per token tells which rule families can start there, so each detector skips the
 * tokens that cannot start one of its rules without looking them up again.
 */
import { K_NUM, K_WORD, type Toks, wordFlags } from './tokenizer.js';

export const F_QUANTITY = 1;
export const F_DURATION = 2;
export const F_URGENCY = 4;
export const F_INDUSTRY = 8;
export const F_INTEGRATION = 16;

export type FlagMap = ReadonlyMap<string, number>;

export function buildFlagMap(groups: ReadonlyArray<readonly [number, Iterable<string>]>): FlagMap {
  const map = new Map<string, number>();
  for (const [flag, keys] of groups) for (const k of keys) map.set(k, (map.get(k) ?? 0) | flag);
  return map;
}

/** Sets `flags` on every token: numbers can start a quantity, words get their map entry (cached per word). */
export function markTokens(t: Toks): void {
  const { kind, flags, id, key } = t;
  for (let i = 0; i < t.n; i++) {
    const k = kind[i];
    if (k === K_WORD) flags[i] = wordFlags(id[i] as number, key[i] as string);
    else if (k === K_NUM) flags[i] = F_QUANTITY | wordFlags(id[i] as number, key[i] as string);
  }
}
