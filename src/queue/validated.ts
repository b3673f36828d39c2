/**
 * Validate once: a payload object that the queue layer itself produced by parsing with zod is
 * remembered here, so a second layer (session publisher → publisher → outbox, or outbox drainer →
 * publisher) does not parse it again. Only zod's own output objects are recorded, never a caller's
 * object, so a caller mutating its payload after a publish cannot skip validation.
 */
import { payloadShapeError, type SessionPayload, SessionPayloadV1 } from '../schema/index.js';

const validated = new WeakSet<object>();

/** Records `payload` as the output of a successful `SessionPayloadV1` parse. */
export function markValidated(payload: SessionPayload): SessionPayload {
  validated.add(payload);
  return payload;
}

export type ValidateResult = { ok: true; payload: SessionPayload } | { ok: false; issues: string[] };

/** Parses `payload` unless it is a recorded parse output; the result's payload is always recorded. */
export function validatePayload(payload: unknown): ValidateResult {
  if (typeof payload === 'object' && payload !== null && validated.has(payload)) {
    return { ok: true, payload: payload as SessionPayload };
  }
  // Beyond the schema: what the worker's parser refuses (depth, NUL, lone surrogates) and what
  // zod's copy would silently lose (a `__proto__` key) is refused here too, by name.
  const shape = payloadShapeError(payload);
  if (shape) return { ok: false, issues: [shape.error] };
  const parsed = SessionPayloadV1.safeParse(payload);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    };
  }
  // zod returns a fresh object for an object schema; never record the caller's own object.
  if (parsed.data !== payload) validated.add(parsed.data);
  return { ok: true, payload: parsed.data };
}
