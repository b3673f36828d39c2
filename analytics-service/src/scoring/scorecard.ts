/**
 * Scorecards: scoring rules on what the post-call intelligence found — custom fields the LLM
 * extracted (with verified quotes), the prospect's sentiment, the success evaluation. Each rule
 * awards its points when its condition holds, and leaves a reason like any other rule
 * (`scorecard.<id>`, with the field's quotes as evidence).
 *
 * Fields: `custom_fields.<name>`, `sentiment.start|end|lowest|mean|trend`, `success.achieved`.
 * Operators: `equals` (an array field: contains), `in` (one of a list; an array field: any item),
 * `gte` / `lte` (numbers), `present` (the value exists: a custom field extracted with a verified
 * quote, a sentiment computed). A field with no value satisfies nothing but… nothing: every
 * operator is false on an absent value, `present` included.
 */
import { z } from 'zod';
import type { Evidence } from '../../../src/schema/index.js';
import type { AnalysisConfig } from '../intelligence/analysis_config.js';
import { LLM_EVIDENCE_RULE } from '../intelligence/reconcile.js';
import type { CallIntelligence, CallSentiment, ScoreReason } from '../types.js';

export const SCORECARD_OPS = ['equals', 'in', 'gte', 'lte', 'present'] as const;
export const SENTIMENT_FIELDS = ['start', 'end', 'lowest', 'mean', 'trend'] as const;
const FIELD = /^(custom_fields\.[a-z][a-z0-9_]*|sentiment\.(start|end|lowest|mean|trend)|success\.achieved)$/;

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

export const ScorecardRule = z
  .object({
    id: z.string().regex(/^[a-z0-9_]+$/, 'use lowercase letters, digits and _'),
    kind: z.enum(['fit', 'engagement']),
    field: z
      .string()
      .regex(FIELD, 'custom_fields.<name>, sentiment.start|end|lowest|mean|trend or success.achieved'),
    op: z.enum(SCORECARD_OPS),
    value: z.union([Scalar, z.array(z.union([z.string(), z.number()])).min(1)]).optional(),
    points: z.number().finite(),
    /** Plain-language text of the reason; a default is written from the condition. */
    detail: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const bad = (message: string) => ctx.addIssue({ code: 'custom', path: ['value'], message });
    if (r.op === 'present' && r.value !== undefined) bad('present takes no value');
    if (r.op === 'in' && !Array.isArray(r.value)) bad('in takes a list of values');
    if ((r.op === 'gte' || r.op === 'lte') && typeof r.value !== 'number') bad(`${r.op} takes a number`);
    if (r.op === 'equals' && (r.value === undefined || Array.isArray(r.value))) bad('equals takes one value');
    if (r.field.startsWith('sentiment.') && r.op !== 'present' && r.op !== 'gte' && r.op !== 'lte')
      bad('sentiment fields take gte, lte or present');
  });
export type ScorecardRule = z.infer<typeof ScorecardRule>;

export const Scorecard = z.array(ScorecardRule).superRefine((rules, ctx) => {
  const ids = new Set<string>();
  rules.forEach((r, i) => {
    if (ids.has(r.id))
      ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate scorecard id ${r.id}` });
    ids.add(r.id);
  });
});

/**
 * Checks the rules against the analysis config's custom fields (run at start-up): the field must be
 * declared, numbers compared with gte/lte, enum values among the enum's. Null when all is well.
 */
export function checkScorecard(rules: readonly ScorecardRule[], analysis: AnalysisConfig): string | null {
  const problems: string[] = [];
  for (const r of rules) {
    const where = `scorecard rule ${r.id} (${r.field})`;
    if (!r.field.startsWith('custom_fields.')) {
      if (r.field === 'success.achieved' && r.op !== 'present' && r.op !== 'equals') {
        problems.push(`${where}: success.achieved takes equals or present`);
      }
      continue;
    }
    const name = r.field.slice('custom_fields.'.length);
    const schema = analysis.custom_fields.properties[name];
    if (!schema) {
      problems.push(`${where}: no custom field ${name} in the analysis config`);
      continue;
    }
    const scalar = schema.type === 'array' ? schema.items : schema;
    const isNumber = scalar.type === 'number' || scalar.type === 'integer';
    if ((r.op === 'gte' || r.op === 'lte') && !isNumber)
      problems.push(`${where}: ${r.op} needs a number field`);
    const values = r.value === undefined ? [] : Array.isArray(r.value) ? r.value : [r.value];
    for (const v of values) {
      const ok =
        scalar.type === 'boolean'
          ? typeof v === 'boolean'
          : isNumber
            ? typeof v === 'number'
            : typeof v === 'string' && (!('enum' in scalar) || !scalar.enum || scalar.enum.includes(v));
      if (!ok) problems.push(`${where}: ${JSON.stringify(v)} is not a possible value`);
    }
  }
  return problems.length ? problems.join('; ') : null;
}

export interface ScorecardInputs {
  sentiment?: CallSentiment | null | undefined;
  intelligence?: CallIntelligence | undefined;
}

function fieldValue(field: string, x: ScorecardInputs): { value: unknown; evidence: Evidence[] } | undefined {
  if (field.startsWith('sentiment.')) {
    const k = field.slice('sentiment.'.length) as (typeof SENTIMENT_FIELDS)[number];
    const v = x.sentiment?.[k];
    return typeof v === 'number' ? { value: v, evidence: [] } : undefined;
  }
  const intel = x.intelligence;
  if (intel?.status !== 'ok') return undefined;
  if (field === 'success.achieved')
    return intel.success ? { value: intel.success.achieved, evidence: [] } : undefined;
  const c = intel.custom_fields[field.slice('custom_fields.'.length)];
  if (!c) return undefined;
  return {
    value: c.value,
    evidence: c.quotes.map((q, i) => ({
      turn_index: c.message_indexes[i] ?? 0,
      span: c.spans[i] ?? [0, 0],
      rule: LLM_EVIDENCE_RULE,
      excerpt: q,
    })),
  };
}

function holds(r: ScorecardRule, v: unknown): boolean {
  const items = Array.isArray(v) ? v : [v];
  switch (r.op) {
    case 'present':
      return true;
    case 'equals':
      return items.includes(r.value);
    case 'in':
      return Array.isArray(r.value) && items.some((i) => (r.value as unknown[]).includes(i));
    case 'gte':
      return typeof v === 'number' && typeof r.value === 'number' && v >= r.value;
    case 'lte':
      return typeof v === 'number' && typeof r.value === 'number' && v <= r.value;
    default: {
      const never: never = r.op;
      throw new Error(`unknown scorecard op ${String(never)}`);
    }
  }
}

const OP_TEXT: Record<ScorecardRule['op'], string> = {
  equals: 'is',
  in: 'is one of',
  gte: '≥',
  lte: '≤',
  present: 'was stated',
};

/** The condition in words, e.g. `custom_fields.decision_maker is true`. */
export function conditionText(r: ScorecardRule): string {
  if (r.op === 'present') return `${r.field} ${OP_TEXT.present}`;
  return `${r.field} ${OP_TEXT[r.op]} ${Array.isArray(r.value) ? r.value.join(' / ') : String(r.value)}`;
}

const shown = (v: unknown) => (Array.isArray(v) ? v.join(', ') : String(v));

export function scorecardReasons(rules: readonly ScorecardRule[], x: ScorecardInputs): ScoreReason[] {
  const out: ScoreReason[] = [];
  for (const r of rules) {
    const f = fieldValue(r.field, x);
    if (f === undefined || !holds(r, f.value)) continue;
    const source = r.field.startsWith('sentiment.') ? 'prospect sentiment (VADER)' : 'the LLM analysis';
    out.push({
      rule: `scorecard.${r.id}`,
      kind: r.kind,
      points: r.points,
      detail: `${r.detail ?? conditionText(r)}: ${r.field} = ${shown(f.value)}, from ${source} (${r.points} point${Math.abs(r.points) === 1 ? '' : 's'})`,
      evidence: f.evidence,
    });
  }
  return out;
}

/** The scorecard rules as a markdown table (kept in `config/README.md`, checked by a test). */
export function scorecardTable(rules: readonly ScorecardRule[]): string {
  const rows = rules.map((r) => [
    `\`scorecard.${r.id}\``,
    r.kind,
    conditionText(r),
    r.detail ?? '',
    String(r.points),
  ]);
  const head = ['rule', 'kind', 'fires when', 'reason', 'points'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
