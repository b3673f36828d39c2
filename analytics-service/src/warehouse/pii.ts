/**
 * Contact fields under the warehouse PII policy: keep (`full`), keyed hash
 * `hmac-sha256:<key id>:<hex>` (`hashed`, see `src/analytics/pii_keyed.ts`), or drop (`none`). A value
 * the agent already hashed (`sha256:<hex>`, no key) is keyed here to the same result as its plain
 * value, so no unkeyed hash is stored.
 */
import { contactFieldOf } from '../../../src/analytics/pii.js';
import type { Lead, PiiMode } from '../../../src/schema/index.js';
import type { PiiField, PiiHasher } from '../privacy/index.js';

const CONTACT_KEYS = ['name', 'email', 'phone', 'company'] as const;
const RANK: Record<PiiMode, number> = { none: 0, hashed: 1, full: 2 };

export class WarehousePiiKeyMissing extends Error {
  override readonly name = 'WarehousePiiKeyMissing';
  constructor() {
    super('the warehouse PII mode is hashed but no PII hash key (PII_HASH_KEY) was given');
  }
}

function applyValue(field: PiiField, value: unknown, mode: PiiMode, hasher: PiiHasher | undefined): unknown {
  if (typeof value !== 'string') return mode === 'none' ? undefined : value;
  if (mode === 'none') return undefined;
  if (mode === 'hashed') {
    if (!hasher) throw new WarehousePiiKeyMissing();
    return hasher.hash(field, value);
  }
  return value;
}

/** The stricter of the payload's own mode and the policy. */
export function effectivePiiMode(payloadMode: PiiMode, policy: PiiMode): PiiMode {
  return RANK[payloadMode] <= RANK[policy] ? payloadMode : policy;
}

export function applyPiiToLead(lead: Lead, policy: PiiMode, hasher?: PiiHasher): Lead {
  const mode = effectivePiiMode(lead.pii_mode, policy);
  const out: Lead = { pii_mode: mode };
  for (const key of CONTACT_KEYS) {
    const v = applyValue(key, lead[key], mode, hasher);
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

export function applyPiiToArguments(
  args: Record<string, unknown>,
  mode: PiiMode,
  hasher?: PiiHasher,
): Record<string, unknown> {
  if (mode === 'full') return args;
  const out: Record<string, unknown> = { ...args };
  for (const key of Object.keys(out)) {
    const field = contactFieldOf(key);
    if (!field) continue;
    const v = applyValue(field, out[key], mode, hasher);
    if (v === undefined) delete out[key];
    else out[key] = v;
  }
  return out;
}

/** The participant identity under `mode` (a SIP identity is often a phone number). */
export function applyPiiToIdentity(
  identity: string | null,
  mode: PiiMode,
  hasher?: PiiHasher,
): string | null {
  if (identity === null) return null;
  const v = applyValue('name', identity, mode, hasher);
  return typeof v === 'string' ? v : null;
}

/**
 * The policy a warehouse applies: the one asked for (`hashed` needs a hasher), or by default
 * `hashed` when a hasher is given and `none` (nothing kept) when not.
 */
export function warehousePiiMode(opts: { piiMode?: PiiMode; hasher?: PiiHasher }): PiiMode {
  const mode = opts.piiMode ?? (opts.hasher ? 'hashed' : 'none');
  if (mode === 'hashed' && !opts.hasher) throw new WarehousePiiKeyMissing();
  return mode;
}
