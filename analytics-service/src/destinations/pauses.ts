/**
 * Pauses a vendor asked for, per rate-limit key: an Amplitude user or device id, or a whole HubSpot
 * account. While a key is paused, deliveries counting against it are not sent (they wait), so a
 * throttled user does not keep hitting the vendor, and keys that are not paused keep flowing.
 */
export class Pauses {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /** Pauses each key for `ms` from now (a longer pause already set is kept). */
  pause(keys: readonly string[], ms: number): void {
    const until = this.now() + ms;
    for (const k of keys) if ((this.until.get(k) ?? 0) < until) this.until.set(k, until);
  }

  /** How long the longest pause among `keys` still runs, in ms (0 when none is paused). */
  remainingMs(keys: readonly string[]): number {
    const now = this.now();
    let max = 0;
    for (const k of keys) {
      const u = this.until.get(k);
      if (u === undefined) continue;
      if (u <= now) this.until.delete(k);
      else max = Math.max(max, u - now);
    }
    return max;
  }
}
