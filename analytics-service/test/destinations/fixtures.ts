import type { SessionPayload } from '../../../src/schema/index.js';
import { samplePayload } from '../../../src/schema/testing/index.js';
import { DEFAULT_SLAS } from '../../src/analysis/index.js';
import { defaultPriceBook } from '../../src/pricing/index.js';
import { createPiiHasher } from '../../src/privacy/index.js';
import { buildScoredSession, defaultScoringConfig } from '../../src/scoring/index.js';
import type { ScoredSession } from '../../src/types.js';

export const FIXED_NOW = new Date('2026-11-20T15:05:00.000Z');

export function scoredSample(overrides: Partial<SessionPayload> = {}): ScoredSession {
  return buildScoredSession(samplePayload(overrides), {
    priceBook: defaultPriceBook(),
    scoring: defaultScoringConfig(),
    slas: DEFAULT_SLAS,
    now: () => FIXED_NOW,
  });
}

/** A sleep that records the requested waits and returns at once. */
export function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

export const signal = () => new AbortController().signal;

/** A clock that moves only when `sleep` is called (sleeps return at once and are recorded). */
export function recordingClock(startMs = Date.now()) {
  let t = startMs;
  const delays: number[] = [];
  return {
    delays,
    now: () => t,
    sleep: async (ms: number) => {
      delays.push(ms);
      t += ms;
    },
  };
}

/** A keyed hasher for tests (a deployment sets its own PII_HASH_KEY). */
export const testHasher = createPiiHasher('test-only-pii-hash-key-0123456789abcdef');
