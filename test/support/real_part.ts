/**
 * Suites that need a real part (a server, a system tool) the machine may lack. Missing on a
 * developer's machine: the suite is skipped with a warning naming what is missing. Missing under
 * CI (`CI` set to anything but `false`/`0`): one failing test says what is missing, so a green CI
 * run means the real part was there and the suite ran.
 */
import { describe, it } from 'vitest';

export const underCi = (env: Record<string, string | undefined> = process.env): boolean =>
  env.CI !== undefined && env.CI !== '' && !['false', '0'].includes(env.CI.toLowerCase());

/** `describe(name, body)` when `missing` is null; otherwise skipped, or failing under CI. */
export function describeWithRealPart(name: string, missing: string | null, body: () => void): void {
  if (missing === null) {
    describe(name, body);
    return;
  }
  if (underCi()) {
    describe(name, () => {
      it(`needs: ${missing}`, () => {
        throw new Error(`${missing}; under CI a missing real part fails instead of skipping`);
      });
    });
    return;
  }
  console.warn(`SKIPPED ${name}: ${missing}`);
  describe.skip(name, body);
}
