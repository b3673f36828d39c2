/**
 * Unknown keys under a PII policy. A newer agent's fields are kept (the payload contract), but no
 * policy of this worker knows what they hold: under `hashed` and `none` every email address and
 * phone number in their strings is masked (`[email]`, `[phone]`, the agent's own masks), wherever
 * the payload is kept or sent whole (the warehouse's stored payload and extras, the webhook).
 */
import { redactText } from '../../../src/analytics/pii.js';
import {
  mapUnknownStrings,
  type PiiMode,
  type SessionPayload,
  SessionPayloadV1,
} from '../../../src/schema/index.js';

export function maskUnknownKeys(payload: SessionPayload, mode: PiiMode): SessionPayload {
  if (mode === 'full') return payload;
  return mapUnknownStrings(SessionPayloadV1, payload, (text) => redactText(mode, text));
}
