/** Keyed hashing is defined once, on the agent side (`src/analytics/pii_keyed.ts`): the agent keys at the source when it has the key. */
export {
  createPiiHasher,
  isHashedValue,
  isKeyedHash,
  normaliseForHash,
  PII_HASH_KEY_MIN_CHARS,
  PII_HASH_SCHEME,
  type PiiField,
  type PiiHasher,
} from '../../../src/analytics/pii_keyed.js';
export { maskUnknownKeys } from './unknown_keys.js';
