/**
 * One PII policy for contact fields, tool arguments, tool output summaries and kept transcript
 * text (pure). Contact fields and contact-keyed arguments:
 * - full:   values kept as given.
 * - hashed: `sha256:<hex>` of the normalised value (so the same person hashes the same everywhere).
 * - none:   the value is omitted.
 * Free text (tool output, errors, transcript and turn text, evidence excerpts): emails and phone
 * numbers are masked as `[email]` / `[phone]` under hashed and none, kept under full.
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

/** How a contact value is hashed under `hashed`: `hashContact`, or a keyed hasher's `hash` when the agent has the key. */
export type ContactHash = (field: ContactField, value: string) => string;

/** The value under the policy, or undefined when it must be omitted. */
export function applyPii(
  mode: PiiMode,
  field: ContactField,
  value: unknown,
  hash: ContactHash = hashContact,
): unknown {
  if (mode === 'full') return value;
  if (mode === 'none') return undefined;
  return hash(field, typeof value === 'string' ? value : JSON.stringify(value));
}

/** Tool arguments with contact keys under the policy (other keys as the model sent them). */
export function redactArguments(
  mode: PiiMode,
  args: Record<string, unknown>,
  hash: ContactHash = hashContact,
): Record<string, unknown> {
  if (mode === 'full') return args;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    const field = contactFieldOf(k);
    if (!field || v === null || v === undefined) {
      out[k] = v;
      continue;
    }
    const applied = applyPii(mode, field, v, hash);
    if (applied !== undefined) out[k] = applied;
  }
  return out;
}

const EMAIL = /[^\s@"'<>()]+@[^\s@"'<>()]+\.[a-z]{2,}/gi;
/**
 * A run of phone-ish characters: digits with `+`, parentheses, `.`, `-` and spaces between them.
 * Candidates only: `phoneSpans` splits each run into phone numbers or leaves it.
 */
const PHONE_RUN = /\+?\(?\d[\d \t\u00a0().-]*\d/g;
const PHONE_SHAPE = /^\+?(?:\(\d{1,5}\)|\d)[\d \t\u00a0().-]*\d$/;
const DATE_LIKE = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$/;
const GAP = /([ \t\u00a0]+)/;
const IDENT_CHAR = /[\p{L}\p{N}_]/u;
const MAX_PHONE_DIGITS = 15;

/**
 * Whether `s` (one or more whitespace-separated pieces) is shaped like a phone number: 7–15 digits,
 * and written as one (a `+` prefix, parentheses, or separators between digit groups). A bare digit
 * run (`12345678`), a decimal (`1234567.89`) and a date (`2026-11-24`, `24.11.2026`) are not.
 */
function isPhone(s: string, pieces: readonly string[]): boolean {
  if (!PHONE_SHAPE.test(s)) return false;
  const digits = s.replace(/\D/g, '').length;
  if (digits < 7 || digits > MAX_PHONE_DIGITS) return false;
  if (pieces.some((p) => DATE_LIKE.test(p))) return false;
  if ((s.match(/\(/g)?.length ?? 0) !== (s.match(/\)/g)?.length ?? 0)) return false;
  const separators = s.replace(/[\d+]/g, '');
  if (separators === '.') return false; // a decimal number
  return s.startsWith('+') || separators.length > 0;
}

/**
 * Whether a run starting at `start` and ending at `end` stands alone, i.e. is not part of an
 * identifier (`bk_20261124-1500-9f3f…`, `ORD-555-010-9999`, `#123-456-789`), an email, a time
 * (`15:00`) or a longer dotted/dashed number.
 */
function standsAlone(text: string, start: number, end: number): boolean {
  const before = text[start - 1] ?? '';
  const before2 = text[start - 2] ?? '';
  if (IDENT_CHAR.test(before) || (before !== '' && '@#$%/&=+'.includes(before))) return false;
  if ((before === '-' || before === '.' || before === ':') && IDENT_CHAR.test(before2)) {
    // `phone:555…` is a label; `ORD-555…`, `v1.555…`, `15:555…` are not.
    if (!(before === ':' && /\p{L}/u.test(before2))) return false;
  }
  const after = text[end] ?? '';
  const after2 = text[end + 1] ?? '';
  if (IDENT_CHAR.test(after) || after === '@') return false;
  if ('-./:'.includes(after) && after !== '' && IDENT_CHAR.test(after2)) return false;
  return true;
}

/** Phone numbers in a candidate run: the longest phone-shaped groups of its pieces, left to right. */
function phoneSpansInRun(text: string, runStart: number, run: string, out: [number, number][]): void {
  const parts = run.split(GAP); // pieces at even indexes, the whitespace between them at odd ones
  const offsets: number[] = [];
  let at = runStart;
  for (const p of parts) {
    offsets.push(at);
    at += p.length;
  }
  const last = parts.length - 1;
  let i = 0;
  while (i <= last) {
    let found = -1;
    let digits = 0;
    let limit = i;
    for (let j = i; j <= last; j += 2) {
      digits += (parts[j] ?? '').replace(/\D/g, '').length;
      if (digits > MAX_PHONE_DIGITS) break;
      limit = j;
    }
    for (let j = limit; j >= i; j -= 2) {
      const start = offsets[i] ?? runStart;
      const end = (offsets[j] ?? runStart) + (parts[j] ?? '').length;
      const pieces = parts.slice(i, j + 1).filter((_, k) => k % 2 === 0);
      if (isPhone(text.slice(start, end), pieces) && standsAlone(text, start, end)) {
        out.push([start, end]);
        found = j;
        break;
      }
    }
    i = found === -1 ? i + 2 : found + 2;
  }
}

/** Spans (`[start, end)`) of emails and phone numbers in `text`, in order, not overlapping. */
export function contactSpans(text: string): { start: number; end: number; mask: '[email]' | '[phone]' }[] {
  const spans: { start: number; end: number; mask: '[email]' | '[phone]' }[] = [];
  for (const m of text.matchAll(EMAIL))
    spans.push({ start: m.index, end: m.index + m[0].length, mask: '[email]' });
  // Emails are blanked (same length) so their digits are not read as phone numbers.
  let rest = text;
  for (const e of spans) rest = rest.slice(0, e.start) + '\u0000'.repeat(e.end - e.start) + rest.slice(e.end);
  const phones: [number, number][] = [];
  for (const m of rest.matchAll(PHONE_RUN)) {
    // `(555-010-9999)`: the run takes the opening parenthesis but not the closing one.
    const open = m[0].startsWith('(') && !m[0].includes(')') ? 1 : 0;
    phoneSpansInRun(rest, m.index + open, m[0].slice(open), phones);
  }
  for (const [start, end] of phones) spans.push({ start, end, mask: '[phone]' });
  return spans.sort((a, b) => a.start - b.start);
}

/**
 * Free text (tool output, error text, transcript and turn text) with emails and phone numbers
 * masked (`[email]`, `[phone]`) unless mode is full.
 */
export function redactText(mode: PiiMode, text: string): string {
  if (mode === 'full') return text;
  const spans = contactSpans(text);
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + s.mask;
    at = s.end;
  }
  return out + text.slice(at);
}

/**
 * Excerpts of one text under the policy: `text.slice(start, end)`, with each email or phone number
 * the slice overlaps replaced (whole, once) by its mask unless mode is full. Spans keep indexing
 * the text as said; only the excerpt is masked. The text is scanned once, on the first excerpt.
 */
export function excerpter(mode: PiiMode, text: string): (start: number, end: number) => string {
  if (mode === 'full') return (start, end) => text.slice(start, end);
  let spans: ReturnType<typeof contactSpans> | undefined;
  return (start, end) => {
    spans ??= contactSpans(text);
    let out = '';
    let at = start;
    for (const s of spans) {
      if (s.end <= start || s.start >= end) continue;
      out += text.slice(at, Math.max(at, s.start)) + s.mask;
      at = s.end;
    }
    return at < end ? out + text.slice(at, end) : out;
  };
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
