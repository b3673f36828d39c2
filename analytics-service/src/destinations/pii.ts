/**
 * The one place that applies a destination's PII policy (`full | hashed | none`) to contact fields
 * and transcripts. Hashed values are keyed (`hmac-sha256:<key id>:<hex>`, see
 * `src/analytics/pii_keyed.ts`): under `hashed` a destination needs the deployment's `PiiHasher`.
 */
import type { Evidence, Lead, PiiMode } from '../../../src/schema/index.js';
import {
  isHashedValue,
  maskUnknownKeys,
  normaliseForHash,
  type PiiField,
  type PiiHasher,
} from '../privacy/index.js';
import type { ScoredSession } from '../types.js';
import { redactIntelligence } from './intelligence_properties.js';

export type ContactField = PiiField;
export type Contact = Partial<Record<ContactField, string>>;
const CONTACT_FIELDS: readonly ContactField[] = ['name', 'email', 'phone', 'company'];

/** A value that is a hash (keyed, or the agent's own `sha256:`), not the value itself. */
export const isHashed = isHashedValue;
export { normaliseForHash };

/** Thrown when a policy needs the key and none was configured (start-up refuses this first). */
export class PiiKeyMissing extends Error {
  override readonly name = 'PiiKeyMissing';
  constructor(what: string) {
    super(`${what} needs PII_HASH_KEY (keyed hashing) and none is configured`);
  }
}

/** The keyed hash of a contact value; a value already keyed is returned as is. */
export function hashContactValue(field: ContactField, value: string, hasher: PiiHasher): string {
  return hasher.hash(field, value);
}

/**
 * The contact a destination may see under `mode`. Fields the payload already hashed stay hashed
 * even under `full` (the worker cannot recover them); callers needing a real email check `isHashed`.
 */
export function contactFor(lead: Lead, mode: PiiMode, hasher?: PiiHasher): Contact {
  if (mode === 'none' || lead.pii_mode === 'none') return {};
  if (mode === 'hashed' && !hasher) throw new PiiKeyMissing('the hashed PII mode');
  const out: Contact = {};
  for (const f of CONTACT_FIELDS) {
    const v = lead[f];
    if (v === undefined || v.trim() === '') continue;
    out[f] = mode === 'hashed' && hasher ? hasher.hash(f, v) : v;
  }
  return out;
}

/** A usable (plain, plausible) email under `mode`, or null (never one under `hashed` or `none`). */
export function plainEmail(lead: Lead, mode: PiiMode): string | null {
  if (mode !== 'full' || lead.pii_mode === 'none') return null;
  const email = lead.email?.trim();
  return email && !isHashed(email) && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email : null;
}

const stripExcerpt = (e: Evidence): Evidence => {
  const { excerpt: _drop, ...rest } = e;
  return rest;
};

/**
 * A copy of the scored session under `mode`: `full` keeps everything; `hashed` hashes contact
 * fields (lead, contact-looking tool arguments, participant identity) and drops free text
 * (transcript, turn texts, evidence excerpts); `none` drops all of them.
 */
export function redactScoredSession(
  session: ScoredSession,
  mode: PiiMode,
  hasher?: PiiHasher,
): ScoredSession {
  if (mode === 'full') return session;
  const p = maskUnknownKeys(session.payload, mode);
  const contact = contactFor(p.lead, mode, hasher);
  const hideValue = (field: ContactField, v: unknown) =>
    mode === 'hashed' && hasher && typeof v === 'string' ? hasher.hash(field, v) : undefined;
  const signals = Object.fromEntries(
    Object.entries(p.signals).map(([k, s]) => [
      k,
      // A signal a newer agent added may have any shape (unknown keys are kept): as it came.
      s && Array.isArray(s.evidence)
        ? {
            ...s,
            evidence: s.evidence.map(stripExcerpt),
            ...(Array.isArray(s.history)
              ? { history: s.history.map((h) => ({ ...h, evidence: stripExcerpt(h.evidence) })) }
              : {}),
          }
        : s,
    ]),
  ) as typeof p.signals;
  const { transcript: _transcript, ...payloadRest } = p;
  return {
    ...session,
    payload: {
      ...payloadRest,
      lead: { pii_mode: mode, ...contact },
      participant: {
        ...p.participant,
        identity:
          p.participant.identity === null ? null : (hideValue('name', p.participant.identity) ?? null),
      },
      signals,
      turns: p.turns.map(({ user_text: _u, agent_text: _a, ...t }) => t),
      tool_calls: p.tool_calls.map((c) => ({
        ...c,
        arguments: Object.fromEntries(
          Object.entries(c.arguments).flatMap(([k, v]) => {
            const field = CONTACT_FIELDS.find((f) => k.toLowerCase().includes(f));
            if (!field) return [[k, v]];
            const hidden = hideValue(field, v);
            return hidden === undefined ? [] : [[k, hidden]];
          }),
        ),
      })),
    },
    score: {
      ...session.score,
      reasons: session.score.reasons.map((r) => ({ ...r, evidence: r.evidence.map(stripExcerpt) })),
    },
    ...redactIntelligence(session, mode),
  };
}
