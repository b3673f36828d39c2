/**
 * The one place that applies a destination's PII policy (`full | hashed | none`) to contact fields
 * and transcripts. Hashes are `sha256:<hex>` of a normalised value (emails lowercased, phones
 * reduced to digits and a leading +), the same form the payload uses under `hashed`.
 */
import { createHash } from 'node:crypto';
import type { Evidence, Lead, PiiMode } from '../../../src/schema/index.js';
import type { ScoredSession } from '../types.js';

export type ContactField = 'name' | 'email' | 'phone' | 'company';
export type Contact = Partial<Record<ContactField, string>>;
const CONTACT_FIELDS: readonly ContactField[] = ['name', 'email', 'phone', 'company'];

export const isHashed = (v: string) => v.startsWith('sha256:');

export function normaliseForHash(field: ContactField, value: string): string {
  const v = value.trim();
  switch (field) {
    case 'email':
      return v.toLowerCase();
    case 'phone':
      return v.replace(/(?!^\+)[^\d]/g, '');
    case 'name':
    case 'company':
      return v.replace(/\s+/g, ' ').toLowerCase();
    default: {
      const never: never = field;
      return never;
    }
  }
}

/** `sha256:<hex>` of the normalised value; a value already hashed is returned as is. */
export function hashContactValue(field: ContactField, value: string): string {
  if (isHashed(value)) return value;
  return `sha256:${createHash('sha256').update(normaliseForHash(field, value)).digest('hex')}`;
}

/** Plain sha256 hex of a string (for synthetic ids such as Amplitude device ids). */
export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * The contact a destination may see under `mode`. Fields the payload already hashed stay hashed
 * even under `full` (the worker cannot recover them); callers needing a real email check `isHashed`.
 */
export function contactFor(lead: Lead, mode: PiiMode): Contact {
  if (mode === 'none' || lead.pii_mode === 'none') return {};
  const out: Contact = {};
  for (const f of CONTACT_FIELDS) {
    const v = lead[f];
    if (v === undefined || v.trim() === '') continue;
    out[f] = mode === 'hashed' ? hashContactValue(f, v) : v;
  }
  return out;
}

/** A usable (plain, plausible) email under `mode`, or null. */
export function plainEmail(lead: Lead, mode: PiiMode): string | null {
  const email = contactFor(lead, mode).email;
  return email && !isHashed(email) && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? email.trim() : null;
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
export function redactScoredSession(session: ScoredSession, mode: PiiMode): ScoredSession {
  if (mode === 'full') return session;
  const p = session.payload;
  const contact = contactFor(p.lead, mode);
  const hideValue = (field: ContactField, v: unknown) =>
    mode === 'hashed' && typeof v === 'string' ? hashContactValue(field, v) : undefined;
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
  };
}
