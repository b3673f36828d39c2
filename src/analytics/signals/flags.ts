/**
 * One lookup per token tells which rule families can start there, so each detector skips the
 * tokens that cannot start one of its rules without looking them up again.
 */
import type { Token } from './tokenizer.js';

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

/** Sets `flags` on every token: numbers can start a quantity, words get their map entry. */
export function markTokens(tokens: Token[], map: FlagMap): void {
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as Token;
    if (tok.kind === 'n') tok.flags = F_QUANTITY | (map.get(tok.key) ?? 0);
    else if (tok.kind === 'w') tok.flags = map.get(tok.key) ?? 0;
  }
}
