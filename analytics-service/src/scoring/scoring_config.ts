/**
 * The scoring model as data: every rule's points live in `config/scoring.json` (documented in
 * `config/README.md`), validated here so a bad file stops start-up with the field it got wrong.
 */
import { z } from 'zod';
import { IndustryId, IntegrationId } from '../../../src/schema/index.js';
import bundled from '../../config/scoring.json' with { type: 'json' };
import { formatIssues, type LoadResult, readJsonConfig } from '../config_file.js';
import { SIGNAL_POLICIES } from '../intelligence/reconcile.js';
import { Scorecard } from './scorecard.js';

const Points = z.number().finite();

export const Band = z
  .object({
    /** Becomes the rule id suffix, e.g. `fit.team_size.band_5_19`. */
    id: z.string().regex(/^[a-z0-9_]+$/, 'use lowercase letters, digits and _'),
    min: z.number().nonnegative(),
    /** Inclusive; absent means no upper bound. */
    max: z.number().nonnegative().optional(),
    points: Points,
  })
  .strict()
  .refine((b) => b.max === undefined || b.max >= b.min, { message: 'max must be >= min', path: ['max'] });
export type Band = z.infer<typeof Band>;

const Bands = z
  .object({ bands: z.array(Band).min(1) })
  .strict()
  .superRefine(({ bands }, ctx) => {
    const sorted = [...bands].sort((a, b) => a.min - b.min);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      if (prev.max === undefined || prev.max >= cur.min) {
        ctx.addIssue({
          code: 'custom',
          path: ['bands', bands.indexOf(cur), 'min'],
          message: `band ${cur.id} overlaps band ${prev.id}`,
        });
      }
    }
    const ids = new Set<string>();
    bands.forEach((b, i) => {
      if (ids.has(b.id))
        ctx.addIssue({ code: 'custom', path: ['bands', i, 'id'], message: `duplicate band id ${b.id}` });
      ids.add(b.id);
    });
  });

const ToolNames = z.array(z.string().min(1)).min(1);

export const ScoringConfig = z
  .object({
    version: z.string().min(1),
    weights: z
      .object({ fit: z.number().nonnegative(), engagement: z.number().nonnegative() })
      .strict()
      .refine((w) => w.fit + w.engagement > 0, { message: 'fit + engagement weights must be > 0' }),
    fit: z
      .object({
        max_points: z.number().positive(),
        industry: z
          .object({ points: z.partialRecord(IndustryId, Points), unlisted_points: Points.default(0) })
          .strict(),
        team_size: Bands,
        monthly_volume: Bands,
        integrations: z
          .object({ points: z.partialRecord(IntegrationId, Points), cap: z.number().nonnegative() })
          .strict(),
      })
      .strict(),
    engagement: z
      .object({
        max_points: z.number().positive(),
        urgency: z.object({ high: Points, medium: Points, low: Points }).strict(),
        meeting_booked: z.object({ points: Points, tool_names: ToolNames }).strict(),
        callback_requested: z.object({ points: Points, tool_names: ToolNames }).strict(),
        not_interested: z.object({ points: Points }).strict(),
        knowledge_questions: z
          .object({ points_each: Points, cap: z.number().nonnegative(), tool_names: ToolNames })
          .strict(),
        turns: Bands,
      })
      .strict(),
    /** Which reading of a signal scoring takes when the LLM analysis ran (`intelligence/reconcile.ts`). */
    signal_policy: z.enum(SIGNAL_POLICIES).default('detector_first'),
    /** Points on custom fields, sentiment and success (`scorecard.ts`). */
    scorecard: Scorecard.default([]),
    /**
     * Signals the detector is less sure of (`confidence` below `low_below`) earn `points_factor`
     * of their points. Signals without a confidence earn full points.
     */
    confidence: z
      .object({ low_below: z.number().min(0).max(1), points_factor: z.number().min(0).max(1) })
      .strict()
      .default({ low_below: 0.7, points_factor: 0.5 }),
    thresholds: z
      .object({
        fit_grade: z
          .object({ A: z.number().min(0).max(100), B: z.number().min(0).max(100) })
          .strict()
          .refine((t) => t.A > t.B, { message: 'A threshold must be above B', path: ['A'] }),
        engagement_level: z
          .object({ '1': z.number().min(0).max(100), '2': z.number().min(0).max(100) })
          .strict()
          .refine((t) => t['1'] > t['2'], {
            message: 'level 1 threshold must be above level 2',
            path: ['1'],
          }),
      })
      .strict(),
  })
  .strict();
export type ScoringConfig = z.infer<typeof ScoringConfig>;

export function parseScoringConfig(data: unknown, source = 'scoring config'): LoadResult<ScoringConfig> {
  const parsed = ScoringConfig.safeParse(data);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, error: formatIssues(source, parsed.error) };
}

/** The model shipped in `analytics-service/config/scoring.json`. */
export function defaultScoringConfig(): ScoringConfig {
  const r = parseScoringConfig(bundled, 'bundled scoring.json');
  if (!r.ok) throw new Error(r.error); // a broken bundled file is a build error, caught by tests
  return r.value;
}

/** Reads the scoring model from a JSON file (`SCORING_CONFIG_PATH`), or the bundled one without a path. */
export async function loadScoringConfig(path?: string): Promise<LoadResult<ScoringConfig>> {
  if (!path) return { ok: true, value: defaultScoringConfig() };
  return readJsonConfig(path, 'scoring config', parseScoringConfig);
}
