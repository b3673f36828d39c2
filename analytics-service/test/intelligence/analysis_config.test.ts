import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  analysisConfigVersion,
  defaultAnalysisConfig,
  loadAnalysisConfig,
  parseAnalysisConfig,
} from '../../src/intelligence/analysis_config.js';
import { answerValidator } from '../../src/intelligence/response_schema.js';
import { answerText, goodAnswer } from './answers.js';

// biome-ignore lint/suspicious/noExplicitAny: tests write invalid values into the config on purpose
const loose = (): any => structuredClone(defaultAnalysisConfig());

describe('analysis config (config/analysis.json)', () => {
  it('the bundled config declares string, number, boolean, enum and array fields with a required one', () => {
    const c = defaultAnalysisConfig();
    const types = Object.values(c.custom_fields.properties).map((f) =>
      'enum' in f && f.enum ? 'enum' : f.type,
    );
    expect(new Set(types)).toEqual(new Set(['string', 'number', 'boolean', 'enum', 'array']));
    expect(c.custom_fields.required).toEqual(['buying_stage']);
    expect(answerValidator(c).check(JSON.parse(answerText()))).toBeNull();
  });

  it('names the field a bad config gets wrong', () => {
    const noDescription = loose();
    delete noDescription.custom_fields.properties.timeline.description;
    expect(parseAnalysisConfig(noDescription)).toEqual({
      ok: false,
      error: expect.stringContaining('custom_fields.properties.timeline.description'),
    });
    const badType = loose();
    badType.custom_fields.properties.timeline.type = 'date';
    expect(parseAnalysisConfig(badType).ok).toBe(false);
    const unknownRequired = loose();
    unknownRequired.custom_fields.required = ['nope'];
    expect(parseAnalysisConfig(unknownRequired)).toEqual({
      ok: false,
      error: expect.stringContaining('required field nope is not declared'),
    });
  });

  it('loads ANALYSIS_CONFIG_PATH, and its version changes with the config and the model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'analysis-'));
    const path = join(dir, 'a.json');
    const custom = loose();
    custom.custom_fields.properties.seats = { type: 'integer', minimum: 1, description: 'Seats wanted.' };
    writeFileSync(path, JSON.stringify(custom));
    const r = await loadAnalysisConfig(path);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const base = analysisConfigVersion(defaultAnalysisConfig(), 'm', 'p1');
    expect(analysisConfigVersion(r.value, 'm', 'p1')).not.toBe(base);
    expect(analysisConfigVersion(defaultAnalysisConfig(), 'm2', 'p1')).not.toBe(base);
    expect(analysisConfigVersion(defaultAnalysisConfig(), 'm', 'p1')).toBe(base);
    // The new field is in the answer schema: an answer without it is a schema violation.
    expect(answerValidator(r.value).check(goodAnswer())).toMatch(/seats/);
    writeFileSync(path, '{');
    expect(await loadAnalysisConfig(path)).toEqual({
      ok: false,
      error: expect.stringContaining('invalid JSON'),
    });
  });
});
