export {
  createPiiHasher,
  isHashedValue,
  isKeyedHash,
  normaliseForHash,
  PII_HASH_KEY_MIN_CHARS,
  PII_HASH_SCHEME,
  type PiiField,
  type PiiHasher,
} from './pii_hasher.js';
export { maskUnknownKeys } from './unknown_keys.js';
