import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSessionPayload, SessionPayloadV1 } from '../src/schema/index.js';
import { renderJsonSchema, renderProgressJsonSchema } from '../src/schema/json_schema.js';
import { samplePayload } from '../src/schema/testing/index.js';

describe('schema', () => {
  it('the committed JSON Schema is what `npm run schema` writes today', () => {
    const committed = readFileSync(resolve(import.meta.dirname, '../schema/session-payload.v1.json'), 'utf8');
    expect(committed, 'schema/session-payload.v1.json is stale: run `npm run schema`').toBe(
      renderJsonSchema(),
    );
  });

  it('the committed progress-snapshot JSON Schema is what `npm run schema` writes today', () => {
    const committed = readFileSync(
      resolve(import.meta.dirname, '../schema/progress-snapshot.v1.json'),
      'utf8',
    );
    expect(committed, 'schema/progress-snapshot.v1.json is stale: run `npm run schema`').toBe(
      renderProgressJsonSchema(),
    );
  });

  it('accepts a full sample payload', () => {
    expect(SessionPayloadV1.parse(samplePayload()).session_id).toBe('sess_sample_0001');
  });

  it('names the reason for bad input', () => {
    expect(parseSessionPayload('{not json')).toMatchObject({ ok: false, reason: 'invalid_json' });
    expect(parseSessionPayload({ ...samplePayload(), schema_version: 7 })).toMatchObject({
      ok: false,
      reason: 'unknown_schema_version',
    });
    const bad = parseSessionPayload({ ...samplePayload(), outcome: 'maybe' });
    expect(bad).toMatchObject({ ok: false, reason: 'schema_mismatch' });
    expect(bad.ok === false && bad.error).toContain('outcome');
  });

  it('rejects a signal value outside the spec', () => {
    const p = samplePayload();
    const withBad = {
      ...p,
      signals: { industry: { value: 'farming', evidence: p.signals.industry!.evidence } },
    };
    expect(SessionPayloadV1.safeParse(withBad).success).toBe(false);
    const withEmpty = { ...p, signals: { team_size: { value: 0, evidence: p.signals.team_size!.evidence } } };
    expect(SessionPayloadV1.safeParse(withEmpty).success).toBe(false);
  });
});
