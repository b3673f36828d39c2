/**
 * The JSON Schema the analysis model answers in (sent as `response_format: json_schema`), built
 * from the analysis config, and its validator (Ajv). Every extracted value is `{value, quotes}` or
 * null; a required custom field may not be null. Signal values use the canonical values of
 * `shared/spec/signals.md` (the same enums as the payload schema).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { INDUSTRY_IDS, INTEGRATION_IDS, type SignalName, URGENCY_LEVELS } from '../../../src/schema/index.js';
import type { AnalysisConfig } from './analysis_config.js';

type Json = Record<string, unknown>;

const QUOTES = {
  type: 'array',
  items: { type: 'string', minLength: 1 },
  minItems: 1,
  description: "The prospect's exact words supporting the value, copied verbatim from PROSPECT lines.",
};

const cited = (value: unknown, nullable: boolean): Json => {
  const obj = {
    type: 'object',
    additionalProperties: false,
    required: ['value', 'quotes'],
    properties: { value, quotes: QUOTES },
  };
  return nullable ? { anyOf: [obj, { type: 'null' }] } : obj;
};

export const SIGNAL_VALUE_SCHEMAS: Record<SignalName, Json> = {
  team_size: { type: 'integer', minimum: 1, description: 'People on the team that would use the product.' },
  monthly_volume: {
    type: 'integer',
    minimum: 1,
    description: 'Documents per month (convert weekly or daily figures to a month).',
  },
  integration_needs: {
    type: 'array',
    items: { type: 'string', enum: [...INTEGRATION_IDS] },
    minItems: 1,
    description: 'Tools the product must work with.',
  },
  urgency: { type: 'string', enum: [...URGENCY_LEVELS], description: 'How soon they need it.' },
  industry: { type: 'string', enum: [...INDUSTRY_IDS], description: "The prospect's industry." },
};

export function responseSchema(config: AnalysisConfig): Json {
  const fields = config.custom_fields;
  const required = new Set(fields.required);
  const customProps = Object.fromEntries(
    Object.entries(fields.properties).map(([name, schema]) => [name, cited(schema, !required.has(name))]),
  );
  const properties: Json = {
    summary: {
      type: 'string',
      minLength: 1,
      maxLength: config.summary_max_chars,
      description: 'What happened on the call, for a sales manager, in two or three sentences.',
    },
    custom_fields: {
      type: 'object',
      additionalProperties: false,
      required: Object.keys(customProps),
      properties: customProps,
    },
    success: {
      type: 'object',
      additionalProperties: false,
      required: ['objectives'],
      properties: {
        objectives: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'met', 'quotes'],
            properties: {
              id: { type: 'string', enum: config.objectives.map((o) => o.id) },
              met: { type: 'boolean' },
              quotes: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
  };
  if (config.signals) {
    properties.signals = {
      type: 'object',
      additionalProperties: false,
      required: Object.keys(SIGNAL_VALUE_SCHEMAS),
      properties: Object.fromEntries(
        Object.entries(SIGNAL_VALUE_SCHEMAS).map(([n, s]) => [n, cited(s, true)]),
      ),
    };
  }
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties),
    properties,
  };
}

/** The model's answer, once it passed the schema. */
export interface ModelAnswer {
  summary: string;
  custom_fields: Record<string, { value: unknown; quotes: string[] } | null>;
  success: { objectives: Array<{ id: string; met: boolean; quotes: string[] }> };
  signals?: Partial<Record<SignalName, { value: unknown; quotes: string[] } | null>>;
}

export interface AnswerValidator {
  readonly schema: Json;
  /** null when valid, else the first problems as `path: message`. */
  check(data: unknown): string | null;
}

export function answerValidator(config: AnalysisConfig): AnswerValidator {
  const schema = responseSchema(config);
  const ajv = new Ajv({ allErrors: false, strict: false });
  const validate: ValidateFunction = ajv.compile(schema);
  return {
    schema,
    check(data) {
      if (validate(data)) return null;
      return (validate.errors ?? [])
        .slice(0, 3)
        .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`)
        .join('; ');
    },
  };
}
