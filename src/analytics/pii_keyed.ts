/**
 * Keyed hashing of personal data: what every "hashed" value in the worker is (contact fields in
 * the warehouse and the destinations, identifiers sent to destinations such as Amplitude's
 * `device_id`), and what the agent writes under `hashed` when it has the key too (`PII_HASH_KEY`
 * in the agent's environment), so the queue, its dead letters and the call journals hold no
 * unkeyed hash either.
 *
 *   hmac-sha256:<key id>:<hex HMAC-SHA256(PII_HASH_KEY, hex SHA-256(normalised value))>
 *
 * - Keyed: without the key a value cannot be found by enumerating candidates (a phone number's
 *   plain SHA-256 falls to a search of the number space in minutes); with one key the same person
 *   still gets the same value in every table and destination of a deployment.
 * - The inner SHA-256 lets the agent's own `sha256:<hex>` values (payloads recorded under
 *   `hashed`, hashed with no key on the agent side) be keyed here to the same result as the plain
 *   value: `hash('email', 'a@b.c') === hash('email', 'sha256:' + sha256('a@b.c'))`.
 * - `<key id>` is the first 8 hex of HMAC(key, "signalroom-pii-key-id"): it names the key (rows
 *   hashed under an older key say so) without revealing it. See docs/privacy.md for rotation.
 * - A value already `hmac-sha256:`-hashed is returned as is.
 */
import { createHmac, hash as digestOnce } from 'node:crypto';
import { type ContactField, normaliseContact } from './pii.js';

export type PiiField = ContactField;

export const PII_HASH_SCHEME = 'hmac-sha256';
/** The shortest key accepted (32 characters: e.g. `openssl rand -hex 32` gives 64). */
export const PII_HASH_KEY_MIN_CHARS = 32;

const KEYED = /^hmac-sha256:[0-9a-f]{8}:[0-9a-f]{64}$/;
const UNKEYED = /^sha256:([0-9a-f]{64})$/;

export const isKeyedHash = (v: string) => KEYED.test(v);
/** A hashed value of any scheme this project has written (`hmac-sha256:…` or the agent's `sha256:…`). */
export const isHashedValue = (v: string) => v.startsWith(`${PII_HASH_SCHEME}:`) || v.startsWith('sha256:');

/**
 * The normal form hashed: the agent's own (`normaliseContact`), so that the agent's `sha256:`
 * values and the plain values they came from key to the same result.
 */
export const normaliseForHash = normaliseContact;

export interface PiiHasher {
  /** Names the key (8 hex), written into every hash. */
  readonly keyId: string;
  /** `hmac-sha256:<key id>:<hex>` of a contact value (or of the agent's `sha256:` hash of it). */
  hash(field: PiiField, value: string): string;
  /** Hex HMAC of an identifier as given (no normalisation), for synthetic ids. */
  digest(value: string): string;
}

export function createPiiHasher(key: string): PiiHasher {
  if (key.length < PII_HASH_KEY_MIN_CHARS)
    throw new Error(`the PII hash key must be at least ${PII_HASH_KEY_MIN_CHARS} characters`);
  const hmac = (v: string) => createHmac('sha256', key).update(v).digest('hex');
  const keyId = hmac('signalroom-pii-key-id').slice(0, 8);
  return Object.freeze({
    keyId,
    hash(field: PiiField, value: string): string {
      if (isKeyedHash(value)) return value;
      const agentHash = UNKEYED.exec(value)?.[1];
      const inner = agentHash ?? digestOnce('sha256', normaliseForHash(field, value));
      return `${PII_HASH_SCHEME}:${keyId}:${hmac(inner)}`;
    },
    digest: hmac,
  });
}
