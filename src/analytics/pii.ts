/**
 * One PII policy for contact fields, tool arguments and tool output summaries (pure).
 * - full:   values kept as given.
 * - hashed: `sha256:<hex>` of the normalised value (so the same person hashes the same everywhere).
 * - none:   the value is omitted.
 */
import { createHash } from 'node:crypto';
import type { Lead, PiiMode } from '../schema/session_payload.js';

export type ContactField = 'name' | 'email' | 'phone' | 'company';
export const CONTACT_FIELDS: readonly ContactField[] = ['name', 'email', 'phone', 'company'];

/** Argument keys that carry a contact field, and which one. */
const KEY_TO_FIELD: Readonly<Record<string, ContactField>> = {
  name: 'name',
  full_name: 'name',
  contact_name: 'name',
  first_name: 'name',
  last_name: 'name',
  email: 'email',
  email_address: 'email',
  phone: 'phone',
  phone_number: 'phone',
  company: 'company',
  company_name: 'company',
  organization: 'company',
};

export function contactFieldOf(key: string): ContactField | undefined {
  return Object.hasOwn(KEY_TO_FIELD, key) ? KEY_TO_FIELD[key] : undefined;
}

export function normaliseContact(field: ContactField, value: string): string {
  const v = value.trim();
  if (field === 'email') return v.toLowerCase();
  if (field === 'phone') return (v.startsWith('+') ? '+' : '') + v.replace(/\D/g, '');
  return v.replace(/\s+/g, ' ').toLowerCase();
}

export function hashContact(field: ContactField, value: string): string {
  return `sha256:${createHash('sha256').update(normaliseContact(field, value)).digest('hex')}`;
}

/** The value under the policy, or undefined when it must be omitted. */
export function applyPii(mode: PiiMode, field: ContactField, value: unknown): unknown {
  if (mode === 'full') return value;
  if (mode === 'none') return undefined;
  return hashContact(field, typeof value === 'string' ? value : JSON.stringify(value));
}

/** Tool arguments with contact keys under the policy (other keys as the model sent them). */
export function redactArguments(mode: PiiMode, args: Record<string, unknown>): Record<string, unknown> {
  if (mode === 'full') return args;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    const field = contactFieldOf(k);
    if (!field || v === null || v === undefined) {
      out[k] = v;
      continue;
    }
    const applied = applyPii(mode, field, v);
    if (applied !== undefined) out[k] = applied;
  }
  return out;
}

const EMAIL = /[^\s@"'<>()]+@[^\s@"'<>()]+\.[a-z]{2,}/gi;
const PHONE_CANDIDATE = /\+?\(?\d[\d\s().-]{6,}\d/g;
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/;

function maskPhone(candidate: string): string {
  if (DATE_LIKE.test(candidate)) return candidate;
  const digits = candidate.replace(/\D/g, '').length;
  return digits >= 7 && digits <= 15 ? '[phone]' : candidate;
}

/** Free text (tool output, error text) with emails and phone numbers masked unless mode is full. */
export function redactText(mode: PiiMode, text: string): string {
  if (mode === 'full') return text;
  return text.replace(EMAIL, '[email]').replace(PHONE_CANDIDATE, maskPhone);
}

/**
 * Lead contact fields from tool arguments that were already put under the policy by
 * `redactArguments` (so hashed values stay hashed). Later calls overwrite earlier ones.
 */
export function mergeLead(lead: Lead, policyArgs: Record<string, unknown>): void {
  if (lead.pii_mode === 'none') return;
  for (const [k, v] of Object.entries(policyArgs)) {
    const field = contactFieldOf(k);
    if (!field || typeof v !== 'string' || v.length === 0) continue;
    // A part of a name is redacted in arguments but is not the lead's name.
    if (k === 'first_name' || k === 'last_name') continue;
    lead[field] = v;
  }
}
