/**
 * One lookup per distinct word tells which rule families can start at it; the tokenizer stores the
 * flags on each token, so each detector skips the tokens that cannot start one of its rules.
 */

export const F_QUANTITY = 1;
export const F_DURATION = 2;
export const F_URGENCY = 4;
export const F_INDUSTRY = 8;
export const F_INTEGRATION = 16;
/** A document-volume period can start here ("a week", "per month", "monthly"). */
export const F_PERIOD = 32;
/** A product noun ("software", "API") that a self-description can end on. */
export const F_PRODUCT = 64;

export type FlagMap = ReadonlyMap<string, number>;

export function buildFlagMap(groups: ReadonlyArray<readonly [number, Iterable<string>]>): FlagMap {
  const map = new Map<string, number>();
  for (const [flag, keys] of groups) for (const k of keys) map.set(k, (map.get(k) ?? 0) | flag);
  return map;
}

/** Alternatives kept per signal of one message: enough to explain, bounded for hostile input. */
export const MAX_ALTERNATIVES = 4;
