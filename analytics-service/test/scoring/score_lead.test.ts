import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SessionPayload } from '../../../src/schema/index.js';
import { samplePayload } from '../../../src/schema/testing/index.js';
import { analyseSession, DEFAULT_SLAS } from '../../src/analysis/index.js';
import { defaultPriceBook } from '../../src/pricing/index.js';
import {
  buildScoredSession,
  defaultScoringConfig,
  engagementLevel,
  fitGrade,
  loadScoringConfig,
  mostDecisive,
  parseScoringConfig,
  type ScoringConfig,
  scoreLead,
  scoringRulesTable,
  topReasons,
} from '../../src/scoring/index.js';
import type { ScoreReason } from '../../src/types.js';

const config = defaultScoringConfig();
const ev = (turn_index: number, rule: string) => ({ turn_index, span: [0, 5] as [number, number], rule });

function score(overrides: Partial<SessionPayload> = {}, cfg: ScoringConfig = config, turns?: number) {
  const p = samplePayload(overrides, turns === undefined ? {} : { turns });
  return scoreLead(p, analyseSession(p, DEFAULT_SLAS), cfg);
}
const reason = (reasons: ScoreReason[], rule: string) => reasons.find((r) => r.rule === rule);
const noSignals = { signals: {} };
/** A payload that fires only the rule under test (besides the turn band). */
const quiet: Partial<SessionPayload> = { signals: {}, tool_calls: [], outcome: 'completed' };

describe('scoreLead: the sample call', () => {
  it('scores the sample as A1 with every reason explained', () => {
    const s = score();
    expect(s).toMatchObject({ model_version: 'scoring-v1', fit: 78, engagement: 85, score: 82, tier: 'A1' });
    expect(s.reasons.map((r) => [r.rule, r.points])).toEqual([
      ['fit.industry.legal', 30],
      ['fit.team_size.band_5_19', 15],
      ['fit.monthly_volume.band_200_999', 25],
      ['fit.integration.hubspot', 5],
      ['fit.integration.slack', 3],
      ['engagement.urgency.high', 30],
      ['engagement.meeting_booked', 40],
      ['engagement.knowledge_questions', 5],
      ['engagement.turns.band_6_11', 10],
    ]);
  });

  it('is deterministic', () => {
    expect(score()).toEqual(score());
  });
});

describe('fit rules', () => {
  it('fit.industry.<id>: the industry’s points, with the signal evidence', () => {
    const r = reason(score().reasons, 'fit.industry.legal')!;
    expect(r).toMatchObject({ kind: 'fit', points: 30, detail: 'industry legal scores 30 points' });
    expect(r.evidence).toEqual([{ turn_index: 0, span: [0, 10], rule: 'industry.legal' }]);
  });

  it('fit.industry.unlisted: an industry missing from the list gets unlisted_points', () => {
    const cfg = structuredClone(config);
    delete cfg.fit.industry.points.legal;
    cfg.fit.industry.unlisted_points = 2;
    const r = reason(score({}, cfg).reasons, 'fit.industry.unlisted')!;
    expect(r).toMatchObject({ points: 2, detail: 'industry legal is not in the scoring list (2 points)' });
    expect(r.evidence[0]?.rule).toBe('industry.legal');
  });

  it.each([
    [3, 'band_1_4', 5],
    [12, 'band_5_19', 15],
    [40, 'band_20_199', 25],
    [2000, 'band_200_plus', 20],
  ])('fit.team_size: a team of %i is in %s (%i points)', (value, band, points) => {
    const s = score({ signals: { team_size: { value, evidence: [ev(2, 'team_size.people')] } } });
    const r = reason(s.reasons, `fit.team_size.${band}`)!;
    expect(r.points).toBe(points);
    expect(r.detail).toContain(`team of ${value} is in the`);
    expect(r.evidence).toEqual([ev(2, 'team_size.people')]);
  });

  it.each([
    [10, 'band_1_49', 5],
    [120, 'band_50_199', 15],
    [217, 'band_200_999', 25],
    [5000, 'band_1000_plus', 30],
  ])('fit.monthly_volume: %i documents a month is in %s (%i points)', (value, band, points) => {
    const s = score({
      signals: { monthly_volume: { value, evidence: [ev(1, 'monthly_volume.per_period')] } },
    });
    const r = reason(s.reasons, `fit.monthly_volume.${band}`)!;
    expect(r.points).toBe(points);
    expect(r.detail).toBe(`${value} documents a month is in the ${r.detail.split(' in the ')[1]}`);
    expect(r.evidence).toEqual([ev(1, 'monthly_volume.per_period')]);
  });

  it('low-confidence signals earn fewer points, and the reason says so', () => {
    const team = (confidence?: number) =>
      score({
        ...quiet,
        signals: {
          team_size: {
            value: 40,
            evidence: [ev(2, 'team_size.context')],
            ...(confidence === undefined ? {} : { confidence }),
          },
          urgency: { value: 'high', evidence: [ev(3, 'urgency.high.this_week')], confidence: 0.65 },
        },
      });
    const sure = reason(team(0.9).reasons, 'fit.team_size.band_20_199')!;
    expect(sure.points).toBe(25);
    expect(sure.detail).toBe('team of 40 is in the 20–199 band (25 points)');
    const unsure = reason(team(0.6).reasons, 'fit.team_size.band_20_199')!;
    expect(unsure.points).toBe(12.5);
    expect(unsure.detail).toBe(
      'team of 40 is in the 20–199 band (12.5 of 25 points: low confidence 0.6, below 0.7)',
    );
    // A detector that gives no confidence keeps the full points.
    expect(reason(team().reasons, 'fit.team_size.band_20_199')!.points).toBe(25);
    const urgency = reason(team(0.9).reasons, 'engagement.urgency.high')!;
    expect(urgency.points).toBe(15);
    expect(urgency.detail).toContain('low confidence 0.65');
    expect(team(0.6).fit).toBeLessThan(team(0.9).fit);
  });

  it('the confidence threshold and factor are configurable', () => {
    const cfg = { ...config, confidence: { low_below: 0.95, points_factor: 0.2 } };
    const s = score(
      {
        ...quiet,
        signals: { industry: { value: 'legal', evidence: [ev(0, 'industry.legal')], confidence: 0.9 } },
      },
      cfg,
    );
    expect(reason(s.reasons, 'fit.industry.legal')!.points).toBe(6);
    const off = { ...config, confidence: { low_below: 0, points_factor: 0.2 } };
    const full = score(
      {
        ...quiet,
        signals: { industry: { value: 'legal', evidence: [ev(0, 'industry.legal')], confidence: 0.1 } },
      },
      off,
    );
    expect(reason(full.reasons, 'fit.industry.legal')!.points).toBe(30);
    expect(parseScoringConfig({ ...config, confidence: { low_below: 2, points_factor: 0.5 } }).ok).toBe(
      false,
    );
  });

  it('fit.integration.<id>: each supported integration adds its points, with the evidence', () => {
    const evidence = [ev(3, 'integration.name'), ev(4, 'integration.name')];
    const s = score({ signals: { integration_needs: { value: ['docusign', 'salesforce'], evidence } } });
    expect(reason(s.reasons, 'fit.integration.docusign')).toMatchObject({ points: 5, evidence });
    expect(reason(s.reasons, 'fit.integration.salesforce')?.detail).toBe(
      'needs salesforce, a supported integration (5 points)',
    );
  });

  it('fit.integration cap: points stop at the cap and the detail says so', () => {
    const value = ['api', 'box', 'clio', 'docusign', 'hubspot', 'salesforce'] as const;
    const s = score({
      signals: {
        integration_needs: { value: [...value], evidence: value.map(() => ev(3, 'integration.name')) },
      },
    });
    const ints = s.reasons.filter((r) => r.rule.startsWith('fit.integration.'));
    expect(ints.reduce((a, r) => a + r.points, 0)).toBe(15);
    expect(reason(s.reasons, 'fit.integration.docusign')).toMatchObject({ points: 4 });
    expect(reason(s.reasons, 'fit.integration.docusign')?.detail).toContain('capped at 15');
    expect(reason(s.reasons, 'fit.integration.hubspot')?.points).toBe(0);
  });

  it('fit.integration.unsupported: an unlisted integration fires with 0 points', () => {
    const s = score({
      signals: { integration_needs: { value: ['netsuite'], evidence: [ev(2, 'integration.name')] } },
    });
    expect(reason(s.reasons, 'fit.integration.unsupported')).toMatchObject({
      points: 0,
      detail: 'needs netsuite, which is not a supported integration (0 points)',
    });
  });

  it('absent signals fire no fit rule', () => {
    expect(score(noSignals).reasons.filter((r) => r.kind === 'fit')).toEqual([]);
    expect(score(noSignals).fit).toBe(0);
  });
});

describe('engagement rules', () => {
  it.each([
    ['high', 30],
    ['medium', 15],
    ['low', 0],
  ] as const)('engagement.urgency.%s: %i points with the evidence', (value, points) => {
    const s = score({ ...quiet, signals: { urgency: { value, evidence: [ev(4, `urgency.${value}`)] } } });
    expect(reason(s.reasons, `engagement.urgency.${value}`)).toEqual({
      rule: `engagement.urgency.${value}`,
      kind: 'engagement',
      points,
      detail: `urgency is ${value} (${points} points)`,
      evidence: [ev(4, `urgency.${value}`)],
    });
  });

  it('engagement.meeting_booked: from the outcome', () => {
    const s = score({ ...quiet, outcome: 'meeting_booked' });
    expect(reason(s.reasons, 'engagement.meeting_booked')).toMatchObject({ points: 40, evidence: [] });
  });

  it('engagement.meeting_booked: from a successful booking tool call, whatever the outcome', () => {
    const base = samplePayload();
    const s = score({ ...quiet, tool_calls: base.tool_calls.filter((c) => c.name === 'book_sales_meeting') });
    expect(reason(s.reasons, 'engagement.meeting_booked')?.detail).toBe(
      'a sales meeting was booked during the call (40 points)',
    );
  });

  it('engagement.callback_requested: from the outcome or the callback tool, never with a meeting', () => {
    expect(
      reason(score({ ...quiet, outcome: 'callback_requested' }).reasons, 'engagement.callback_requested'),
    ).toMatchObject({
      points: 25,
      detail: 'the prospect asked to be called back (25 points)',
    });
    const call = { ...samplePayload().tool_calls[1]!, call_id: 'c9', name: 'request_callback' };
    expect(
      reason(score({ ...quiet, tool_calls: [call] }).reasons, 'engagement.callback_requested'),
    ).toMatchObject({
      kind: 'engagement',
      points: 25,
      detail: 'the prospect asked to be called back (25 points)',
    });
    expect(reason(score({ tool_calls: [call] }).reasons, 'engagement.callback_requested')).toBeUndefined();
  });

  it('engagement.not_interested: negative points', () => {
    const s = score({ ...quiet, outcome: 'not_interested' });
    expect(reason(s.reasons, 'engagement.not_interested')).toMatchObject({
      points: -40,
      detail: 'the prospect said they are not interested (-40 points)',
    });
    expect(s.engagement).toBe(0);
  });

  it('engagement.knowledge_questions: points each, capped', () => {
    const k = samplePayload().tool_calls[0]!;
    const calls = Array.from({ length: 5 }, (_, i) => ({ ...k, call_id: `k${i}` }));
    const one = reason(score({ ...quiet, tool_calls: [k] }).reasons, 'engagement.knowledge_questions')!;
    expect(one.detail).toBe(
      'asked 1 question the agent answered from the knowledge base (5 points: 5 each, capped at 15)',
    );
    expect(
      reason(score({ ...quiet, tool_calls: calls }).reasons, 'engagement.knowledge_questions')?.points,
    ).toBe(15);
  });

  it.each([
    [1, 'band_0_2', 0],
    [4, 'band_3_5', 5],
    [6, 'band_6_11', 10],
    [14, 'band_12_plus', 15],
  ])('engagement.turns: %i turns is in %s (%i points)', (turns, band, points) => {
    const s = score(quiet, config, turns);
    const r = reason(s.reasons, `engagement.turns.${band}`)!;
    expect(r.points).toBe(points);
    expect(r.detail).toContain(`${turns} conversation turn`);
  });
});

describe('normalisation, grade, level and tier', () => {
  it('fit and engagement are clamped to 0–100 and combined by the weights', () => {
    const cfg = structuredClone(config);
    cfg.weights = { fit: 3, engagement: 1 };
    const s = score({}, cfg);
    expect(s.score).toBe(Math.round((3 * s.fit + s.engagement) / 4));
    const tight = structuredClone(config);
    tight.fit.max_points = 10;
    expect(score({}, tight).fit).toBe(100);
  });

  it.each([
    [{ fit: 70, eng: 60 }, 'A1'],
    [{ fit: 69, eng: 59 }, 'B2'],
    [{ fit: 39, eng: 29 }, 'C3'],
  ])('thresholds: %o → %s', ({ fit, eng }, tier) => {
    // one rule per side with exactly the points wanted, max_points 100
    const cfg = structuredClone(config);
    cfg.fit.industry.points = { legal: fit };
    cfg.engagement.urgency.high = eng;
    const s = score(
      {
        ...quiet,
        signals: { industry: samplePayload().signals.industry!, urgency: samplePayload().signals.urgency! },
      },
      cfg,
      1,
    );
    expect([s.fit, s.engagement, s.tier]).toEqual([fit, eng, tier]);
  });
});

/** A mutable deep copy for breaking a config on purpose. */
// biome-ignore lint/suspicious/noExplicitAny: tests write invalid values into the config on purpose
const loose = (c: ScoringConfig): any => structuredClone(c);

describe('scoring config', () => {
  it('the bundled config is valid and README documents every rule with its points', () => {
    const readme = readFileSync(new URL('../../config/README.md', import.meta.url), 'utf8');
    // compare rows with padding collapsed: the formatter aligns markdown table columns
    const rows = (md: string) =>
      md
        .split('\n')
        .filter((l) => l.startsWith('| `'))
        .map((l) => l.replace(/\s+/g, ' ').trim());
    const expected = rows(scoringRulesTable(config));
    expect(expected.length).toBeGreaterThan(40);
    expect(rows(readme)).toEqual(expect.arrayContaining(expected));
    expect(rows(readme).filter((r) => /^\| `(fit|engagement)\./.test(r))).toHaveLength(expected.length);
  });

  it('a bad config names the field', () => {
    const bad = loose(config);
    bad.thresholds.fit_grade.B = 90;
    expect(parseScoringConfig(bad)).toEqual({
      ok: false,
      error: expect.stringContaining('thresholds.fit_grade.A'),
    });
    const overlap = loose(config);
    overlap.fit.team_size.bands[1].min = 3;
    expect(parseScoringConfig(overlap)).toEqual({
      ok: false,
      error: expect.stringContaining('fit.team_size.bands.1.min'),
    });
    const unknownIndustry = loose(config);
    unknownIndustry.fit.industry.points.aerospace = 10;
    expect(parseScoringConfig(unknownIndustry).ok).toBe(false);
  });

  it('loads from SCORING_CONFIG_PATH, with clear errors for a missing or broken file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scoring-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ ...config, version: 'custom-1' }));
    expect(await loadScoringConfig(good)).toMatchObject({ ok: true, value: { version: 'custom-1' } });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{');
    expect(await loadScoringConfig(broken)).toEqual({
      ok: false,
      error: expect.stringContaining('invalid JSON'),
    });
    expect(await loadScoringConfig(join(dir, 'missing.json'))).toEqual({
      ok: false,
      error: expect.stringContaining('cannot read'),
    });
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ ...config, weights: { fit: -1, engagement: 1 } }));
    expect(await loadScoringConfig(wrong)).toEqual({
      ok: false,
      error: expect.stringContaining('weights.fit'),
    });
  });
});

describe('buildScoredSession', () => {
  it('prices, analyses and scores one payload with the given clock', () => {
    const s = buildScoredSession(samplePayload(), {
      priceBook: defaultPriceBook(),
      scoring: config,
      slas: DEFAULT_SLAS,
      now: () => new Date('2026-11-20T16:00:00.000Z'),
    });
    expect(s.session_id).toBe('sess_sample_0001');
    expect(s.processed_at).toBe('2026-11-20T16:00:00.000Z');
    expect(s.cost.price_book_version).toBe(defaultPriceBook().version);
    expect(s.analysis.turn_count).toBe(6);
    expect(s.score.tier).toBe('A1');
  });
});

describe('scoreLead: edges (found by mutation testing)', () => {
  const sig = (name: 'team_size' | 'monthly_volume', value: number) => ({
    signals: { [name]: { value, evidence: [ev(0, name)] } },
  });

  it('band edges are inclusive and labelled; a value in no band scores nothing (and does not throw)', () => {
    expect(
      reason(score({ ...quiet, ...sig('team_size', 4) }).reasons, 'fit.team_size.band_1_4')?.detail,
    ).toBe('team of 4 is in the 1–4 band (5 points)');
    expect(
      reason(score({ ...quiet, ...sig('team_size', 200) }).reasons, 'fit.team_size.band_200_plus')?.detail,
    ).toBe('team of 200 is in the 200+ band (20 points)');
    const none = score({ ...quiet, ...sig('team_size', 0) }).reasons.map((r) => r.rule);
    expect(none.filter((r) => r.startsWith('fit.'))).toEqual([]);
    const noVolume = score({ ...quiet, ...sig('monthly_volume', 0) }).reasons.map((r) => r.rule);
    expect(noVolume.filter((r) => r.startsWith('fit.'))).toEqual([]);
  });

  it('details say 1 point, 1 question, 1 turn; plural otherwise', () => {
    const cfg = structuredClone(config);
    cfg.engagement.knowledge_questions.points_each = 1;
    const k = samplePayload().tool_calls[0]!;
    const two = [k, { ...k, call_id: 'k2' }];
    expect(
      reason(score({ ...quiet, tool_calls: [k] }, cfg).reasons, 'engagement.knowledge_questions')?.detail,
    ).toBe('asked 1 question the agent answered from the knowledge base (1 point: 1 each, capped at 15)');
    expect(
      reason(score({ ...quiet, tool_calls: two }).reasons, 'engagement.knowledge_questions')?.detail,
    ).toBe('asked 2 questions the agent answered from the knowledge base (10 points: 5 each, capped at 15)');
    expect(reason(score(quiet).reasons, 'engagement.knowledge_questions')).toBeUndefined();
    expect(reason(score(quiet, config, 1).reasons, 'engagement.turns.band_0_2')?.detail).toBe(
      '1 conversation turn is in the 0–2 band (0 points)',
    );
    expect(reason(score(quiet, config, 3).reasons, 'engagement.turns.band_3_5')?.detail).toBe(
      '3 conversation turns is in the 3–5 band (5 points)',
    );
  });

  it('a meeting tool call that failed is not a booked meeting', () => {
    const call = {
      ...samplePayload().tool_calls[1]!,
      call_id: 'm9',
      name: 'book_sales_meeting',
      status: 'error' as const,
    };
    expect(
      reason(score({ ...quiet, tool_calls: [call] }).reasons, 'engagement.meeting_booked'),
    ).toBeUndefined();
  });

  it('a callback tool call that failed is not a callback request', () => {
    const call = {
      ...samplePayload().tool_calls[1]!,
      call_id: 'c9',
      name: 'request_callback',
      status: 'error' as const,
    };
    expect(
      reason(score({ ...quiet, tool_calls: [call] }).reasons, 'engagement.callback_requested'),
    ).toBeUndefined();
  });

  it('grade and level thresholds are inclusive', () => {
    const t = config.thresholds;
    expect([
      fitGrade(70, t.fit_grade),
      fitGrade(69, t.fit_grade),
      fitGrade(40, t.fit_grade),
      fitGrade(39, t.fit_grade),
    ]).toEqual(['A', 'B', 'B', 'C']);
    const e = t.engagement_level;
    expect([
      engagementLevel(60, e),
      engagementLevel(59, e),
      engagementLevel(30, e),
      engagementLevel(29, e),
    ]).toEqual([1, 2, 2, 3]);
  });

  it('the most decisive reasons: non-zero, largest absolute points first, at most n', () => {
    const rs = [5, -40, 0, 30, 10].map((points) => ({ points }));
    expect(mostDecisive(rs).map((r) => r.points)).toEqual([-40, 30, 10]);
    expect(mostDecisive(rs, 5).map((r) => r.points)).toEqual([-40, 30, 10, 5]);
    const s = score();
    expect(topReasons(s).map((r) => r.points)).toEqual(
      [...s.reasons]
        .filter((r) => r.points !== 0)
        .sort((a, b) => Math.abs(b.points) - Math.abs(a.points))
        .slice(0, 3)
        .map((r) => r.points),
    );
  });
});
