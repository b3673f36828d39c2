/** Contact fields under the warehouse PII policy: keep (`full`), `sha256:<hex>` (`hashed`), or drop (`none`). */
import { createHash } from 'node:crypto';
import type { Lead, PiiMode } from '../../../src/schema/index.js';

const CONTACT_KEYS = ['name', 'email', 'phone', 'company'] as const;
const RANK: Record<PiiMode, number> = { none: 0, hashed: 1, full: 2 };

export function hashContactValue(value: string): string {
  if (value.startsWith('sha256:')) return value;
  return `sha256:${createHash('sha256').update(value.trim().toLowerCase()).digest('hex')}`;
}

function applyValue(value: unknown, mode: PiiMode): unknown {
  if (typeof value !== 'string') return value;
  if (mode === 'none') return undefined;
  if (mode === 'hashed') return hashContactValue(value);
  return value;
}

/** The stricter of the payload's own mode and the policy. */
export function effectivePiiMode(payloadMode: PiiMode, policy: PiiMode): PiiMode {
  return RANK[payloadMode] <= RANK[policy] ? payloadMode : policy;
}

export function applyPiiToLead(lead: Lead, policy: PiiMode): Lead {
  const mode = effectivePiiMode(lead.pii_mode, policy);
  const out: Lead = { pii_mode: mode };
  for (const key of CONTACT_KEYS) {
    const v = applyValue(lead[key], mode);
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

export function applyPiiToArguments(args: Record<string, unknown>, mode: PiiMode): Record<string, unknown> {
  if (mode === 'full') return args;
  const out: Record<string, unknown> = { ...args };
  for (const key of CONTACT_KEYS) {
    if (key in out) {
      const v = applyValue(out[key], mode);
      if (v === undefined) delete out[key];
      else out[key] = v;
    }
  }
  return out;
}
