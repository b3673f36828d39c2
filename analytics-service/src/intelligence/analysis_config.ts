/**
 * What the post-call LLM analysis asks for, as data (`config/analysis.json`, or
 * `ANALYSIS_CONFIG_PATH`): the instructions, custom fields declared as JSON Schema (string, number,
 * integer, boolean, enum, array; `required`; descriptions), the success objectives, whether to ask
 * for the five signals, and the gate (minimum prospect turns). Validated with zod at start-up; a
 * bad file stops the worker naming the field.
 *
 * The connection (which OpenAI-compatible endpoint, model and key) comes from the environment
 * (`analysis_env.ts`); with no `ANALYSIS_MODEL` the analysis is off.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import bundled from '../../config/analysis.json' with { type: 'json' };
import { formatIssues, type LoadResult, readJsonConfig } from '../config_file.js';

const Description = z.string().min(1, 'every field needs a description (the model reads it)');
const ScalarString = z
  .object({
    type: z.literal('string'),
    description: Description,
    enum: z.array(z.string().min(1)).min(1).optional(),
    maxLength: z.number().int().positive().optional(),
  })
  .strict();
const ScalarNumber = z
  .object({
    type: z.enum(['number', 'integer']),
    description: Description,
    minimum: z.number().optional(),
    maximum: z.number().optional(),
  })
  .strict();
const ScalarBoolean = z.object({ type: z.literal('boolean'), description: Description }).strict();
const Item = z.discriminatedUnion('type', [
  ScalarString.omit({ description: true }).extend({ description: z.string().optional() }).strict(),
  ScalarNumber.omit({ description: true }).extend({ description: z.string().optional() }).strict(),
]);
const ArrayField = z
  .object({
    type: z.literal('array'),
    description: Description,
    items: Item,
    maxItems: z.number().int().positive().optional(),
  })
  .strict();
// Discriminated on `type`, so an error names the field's own problem (a missing description, …).
export const FieldSchema = z.discriminatedUnion('type', [
  ScalarString,
  ScalarNumber,
  ScalarBoolean,
  ArrayField,
]);
export type FieldSchema = z.infer<typeof FieldSchema>;

export const FIELD_NAME = /^[a-z][a-z0-9_]{0,40}$/;

export const CustomFields = z
  .object({
    type: z.literal('object'),
    properties: z.record(
      z.string().regex(FIELD_NAME, 'field names are lowercase letters, digits and _ (≤ 41 chars)'),
      FieldSchema,
    ),
    required: z.array(z.string()).default([]),
  })
  .strict()
  .superRefine((s, ctx) => {
    s.required.forEach((name, i) => {
      if (!(name in s.properties)) {
        ctx.addIssue({
          code: 'custom',
          path: ['required', i],
          message: `required field ${name} is not declared`,
        });
      }
    });
  });

export const Objective = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lowercase letters, digits and _'),
    description: Description,
  })
  .strict();

export const AnalysisConfig = z
  .object({
    version: z.string().min(1),
    instructions: z.string().min(1),
    /** Calls with fewer prospect messages are skipped (default 2). */
    min_prospect_turns: z.number().int().min(1).default(2),
    summary_max_chars: z.number().int().min(50).max(4000).default(600),
    custom_fields: CustomFields,
    objectives: z.array(Objective).default([]),
    /** Ask for the five qualification signals as a second opinion to the detector. */
    signals: z.boolean().default(true),
  })
  .strict()
  .superRefine((c, ctx) => {
    const ids = new Set<string>();
    c.objectives.forEach((o, i) => {
      if (ids.has(o.id))
        ctx.addIssue({ code: 'custom', path: ['objectives', i, 'id'], message: `duplicate ${o.id}` });
      ids.add(o.id);
    });
  });
export type AnalysisConfig = z.infer<typeof AnalysisConfig>;

export function parseAnalysisConfig(data: unknown, source = 'analysis config'): LoadResult<AnalysisConfig> {
  const parsed = AnalysisConfig.safeParse(data);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, error: formatIssues(source, parsed.error) };
}

/** The config shipped in `analytics-service/config/analysis.json`. */
export function defaultAnalysisConfig(): AnalysisConfig {
  const r = parseAnalysisConfig(bundled, 'bundled analysis.json');
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

export async function loadAnalysisConfig(path?: string): Promise<LoadResult<AnalysisConfig>> {
  if (!path) return { ok: true, value: defaultAnalysisConfig() };
  return readJsonConfig(path, 'analysis config', parseAnalysisConfig);
}

/**
 * The cache key's config half: the config's own version plus a hash of everything that changes
 * the answer (the config, the model, the prompt revision). Changing any of them re-analyses.
 */
export function analysisConfigVersion(config: AnalysisConfig, model: string, promptRevision: string): string {
  const hash = createHash('sha256')
    .update(JSON.stringify({ config, model, promptRevision }))
    .digest('hex')
    .slice(0, 12);
  return `${config.version}+${hash}`;
}
