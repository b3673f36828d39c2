/** Nearest-rank percentile (p in 0..100) of samples already sorted ascending; null when none. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

/**
 * The finite, non-negative values among `values`, sorted ascending. A typed array sorts
 * numerically in place without the work array (and comparator calls) a JS array sort needs.
 */
export function sortedSamples(values: readonly (number | null)[]): Float64Array {
  let n = 0;
  for (const v of values) if (isSample(v)) n++;
  const out = new Float64Array(n);
  let i = 0;
  for (const v of values) if (isSample(v)) out[i++] = v;
  return out.sort();
}

function isSample(v: number | null): v is number {
  return v !== null && Number.isFinite(v) && v >= 0;
}

/** Nearest-rank percentile (p in 0..100) of the finite, non-negative samples; null when none. */
export function percentile(samples: readonly number[], p: number): number | null {
  return percentileOfSorted(sortedSamples(samples), p);
}
