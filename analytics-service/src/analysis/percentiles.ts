/** Nearest-rank percentile (p in 0..100) of the finite, non-negative samples; null when none. */
export function percentile(samples: readonly number[], p: number): number | null {
  const sorted = samples.filter((v) => Number.isFinite(v) && v >= 0).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}
