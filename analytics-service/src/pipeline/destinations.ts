/** The configured external destinations (CRM, product analytics, webhook), each wrapped in retry + park. */
import type { Logger } from '../../../src/log.js';
import type { DestinationConfigs } from '../config.js';
import { type ParkedStore, type RetryingDestination, withRetry } from '../delivery/index.js';
import {
  createAmplitudeDestination,
  createHubSpotDestination,
  createSalesforceDestination,
  createWebhookDestination,
} from '../destinations/index.js';
import type { PiiHasher } from '../privacy/index.js';
import type { Destination } from '../types.js';

/** Destinations that are configured (each is off unless its section is set). */
export function createDestinations(
  configs: DestinationConfigs,
  log: Logger,
  hasher?: PiiHasher | null,
): Destination[] {
  const deps = { log, ...(hasher ? { hasher } : {}) };
  const out: Destination[] = [];
  if (configs.hubspot) out.push(createHubSpotDestination(configs.hubspot, deps));
  if (configs.salesforce) out.push(createSalesforceDestination(configs.salesforce, deps));
  if (configs.amplitude) out.push(createAmplitudeDestination(configs.amplitude, deps));
  if (configs.webhook) out.push(createWebhookDestination(configs.webhook, deps));
  return out;
}

export interface RetryPolicy {
  maxAttempts: number;
  deadlineMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export function withRetryAll(
  destinations: readonly Destination[],
  policy: RetryPolicy,
  parked: ParkedStore,
  log: Logger,
): RetryingDestination[] {
  return destinations.map((d) => withRetry(d, { ...policy, parked, log }));
}
