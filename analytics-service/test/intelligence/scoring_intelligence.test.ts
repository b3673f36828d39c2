import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SLAS } from '../../src/analysis/index.js';
import { loadWorkerConfig } from '../../src/config.js';
import { defaultAnalysisConfig } from '../../src/intelligence/analysis_config.js';
import { loadScoringDeps } from '../../src/pipeline/worker.js';
import { defaultPriceBook } from '../../src/pricing/index.js';
import { buildScoredSession } from '../../src/scoring/build_scored_session.js';
import { checkScorecard, type ScorecardRule, scorecardTable } from '../../src/scoring/scorecard.js';
import {
  defaultScoringConfig,
  parseScoringConfig,
  type ScoringConfig,
} from '../../src/scoring/scoring_config.js';
import type { CallIntelligence, CitedValue } from '../../src/types.js';
import { callWithTranscript } from './fixtures.js';

const cited = (value: unknown, quote: string, message_index: number): CitedValue => ({
  value,
  quotes: [quote],
  message_indexes: [message_index],
  spans: [[0, quote.length]],
});

function intelligence(over: Partial<CallIntelligence> = {}): CallIntelligence {
  return {
    status: 'ok',
    reason: null,
    config_version: 'analysis-v1+abc',
    model: 'gpt-4o-mini',
    attempts: 1,
    summary: 'A law firm wants it now.',
    custom_fields: {
      decision_maker: cited(true, "I'm the managing partner", 5),
      buying_stage: cited('ready_to_buy', 'Tuesday at 3 works', 5),
      budget_usd_per_month: null,
      objections: null,
    },
    success: { achieved: true, objectives: [] },
    signals: {
      // The detector (sample payload) says 217 a month; the LLM read 150.
      monthly_volume: cited(150, 'about 150 contracts a month', 2),
      industry: cited('legal', "We're a law firm", 0),
    },
    discarded: [],
    usage: { provider: 'openai', model: 'gpt-4o-mini', input_tokens: 1_000_000, output_tokens: 100_000 },
    analysed_at: '2026-11-20T16:00:00.000Z',
    ...over,
  };
}

const deps = (scoring: ScoringConfig = defaultScoringConfig()) => ({
  priceBook: defaultPriceBook(),
  scoring,
  slas: DEFAULT_SLAS,
});
const withPolicy = (p: ScoringConfig['signal_policy']) => ({ ...defaultScoringConfig(), signal_policy: p });
const reason = (s: ReturnType<typeof buildScoredSession>, prefix: string) =>
  s.score.reasons.find((r) => r.rule.startsWith(prefix));

describe('analysis cost', () => {
  it('prices the analysis tokens from the price book as their own lines and adds them to the total', () => {
    const without = buildScoredSession(callWithTranscript(), deps());
    const s = buildScoredSession(callWithTranscript(), deps(), intelligence());
    const lines = s.cost.lines.filter((l) => l.component === 'analysis');
    expect(lines.map((l) => [l.kind, l.provider, l.model, l.quantity])).toEqual([
      ['llm_input', 'openai', 'gpt-4o-mini', 1],
      ['llm_output', 'openai', 'gpt-4o-mini', 0.1],
    ]);
    const input = lines[0]!.unit_price_usd;
    const output = lines[1]!.unit_price_usd;
    expect(input).toBeGreaterThan(0);
    expect(s.cost.by_component.analysis).toBeCloseTo(input + 0.1 * output, 8);
    expect(s.cost.total_usd).toBeCloseTo(without.cost.total_usd + (s.cost.by_component.analysis ?? 0), 8);
    expect(without.cost.by_component.analysis).toBeUndefined();
  });

  it('lists analysis usage no price matches as unpriced', () => {
    const s = buildScoredSession(
      callWithTranscript(),
      deps(),
      intelligence({ usage: { provider: 'acme-llm', model: 'x', input_tokens: 10, output_tokens: 5 } }),
    );
    expect(s.cost.unpriced).toEqual(
      expect.arrayContaining(['acme-llm/x/llm_input', 'acme-llm/x/llm_output']),
    );
  });
});

describe('reconciliation of detector and LLM signals', () => {
  it('keeps both readings with their evidence, whatever the policy', () => {
    const s = buildScoredSession(callWithTranscript(), deps(), intelligence());
    const mv = s.signal_opinions?.find((o) => o.name === 'monthly_volume');
    expect(mv).toMatchObject({
      detector: { value: 217 },
      llm: { value: 150 },
      agree: false,
      used: 'detector',
    });
    expect(mv?.detector?.evidence[0]?.rule).toBe('monthly_volume.per_period');
    expect(mv?.llm?.quotes).toEqual(['about 150 contracts a month']);
    expect(s.signal_opinions?.find((o) => o.name === 'industry')).toMatchObject({ agree: true });
  });

  it('detector first: scores the detector value and the reason says so', () => {
    const r = reason(
      buildScoredSession(callWithTranscript(), deps(withPolicy('detector_first')), intelligence()),
      'fit.monthly_volume',
    );
    expect(r?.rule).toBe('fit.monthly_volume.band_200_999');
    expect(r?.source).toBe('detector');
    expect(r?.detail).toMatch(/from the detector$/);
  });

  it('LLM first: scores the LLM value, names the LLM, and carries its quote as evidence', () => {
    const r = reason(
      buildScoredSession(callWithTranscript(), deps(withPolicy('llm_first')), intelligence()),
      'fit.monthly_volume',
    );
    expect(r?.rule).toBe('fit.monthly_volume.band_50_199');
    expect(r?.source).toBe('llm');
    expect(r?.detail).toMatch(/150 documents a month.*from the LLM analysis$/);
    expect(r?.evidence).toEqual([
      { turn_index: 2, span: [0, 27], rule: 'llm.analysis', excerpt: 'about 150 contracts a month' },
    ]);
  });

  it('agree only: drops the disputed signal and scores the agreed one from both', () => {
    const s = buildScoredSession(callWithTranscript(), deps(withPolicy('agree_only')), intelligence());
    expect(reason(s, 'fit.monthly_volume')).toBeUndefined();
    expect(reason(s, 'fit.team_size')).toBeUndefined(); // the LLM did not state it
    expect(reason(s, 'fit.industry')?.detail).toMatch(/from the detector and the LLM analysis, which agree$/);
  });

  it('without an ok analysis the detector’s signals are scored as they are, even under agree_only', () => {
    const s = buildScoredSession(
      callWithTranscript(),
      deps(withPolicy('agree_only')),
      intelligence({ status: 'timeout', signals: {}, custom_fields: {} }),
    );
    expect(reason(s, 'fit.monthly_volume')?.rule).toBe('fit.monthly_volume.band_200_999');
    expect(reason(s, 'fit.monthly_volume')?.source).toBeUndefined();
  });
});

describe('scorecards', () => {
  const rule = (r: Partial<ScorecardRule> & Pick<ScorecardRule, 'field' | 'op'>): ScorecardRule => ({
    id: 'r',
    kind: 'engagement',
    points: 7,
    ...r,
  });
  const scoreWith = (rules: ScorecardRule[], intel = intelligence()) =>
    buildScoredSession(callWithTranscript(), deps({ ...defaultScoringConfig(), scorecard: rules }), intel);

  it('awards points on custom fields with equals, in, present, gte and lte, with the quotes as evidence', () => {
    const s = scoreWith([
      rule({ id: 'dm', field: 'custom_fields.decision_maker', op: 'equals', value: true }),
      rule({
        id: 'stage',
        field: 'custom_fields.buying_stage',
        op: 'in',
        value: ['evaluating', 'ready_to_buy'],
      }),
      rule({ id: 'budget', field: 'custom_fields.budget_usd_per_month', op: 'present', kind: 'fit' }),
      rule({ id: 'no', field: 'custom_fields.buying_stage', op: 'equals', value: 'exploring' }),
    ]);
    const cards = s.score.reasons.filter((r) => r.rule.startsWith('scorecard.'));
    expect(cards.map((r) => r.rule)).toEqual(['scorecard.dm', 'scorecard.stage']);
    expect(cards[0]?.evidence[0]).toMatchObject({ excerpt: "I'm the managing partner", turn_index: 5 });
    expect(cards[0]?.detail).toMatch(
      /custom_fields.decision_maker = true, from the LLM analysis \(7 points\)/,
    );
    const base = scoreWith([]);
    expect(s.score.engagement).toBeGreaterThan(base.score.engagement);
  });

  it('awards points on sentiment (no analysis needed) and on success', () => {
    const s = scoreWith(
      [
        rule({ id: 'happy_end', field: 'sentiment.end', op: 'gte', value: 0.3 }),
        rule({ id: 'low', field: 'sentiment.lowest', op: 'lte', value: -0.9 }),
        rule({ id: 'won', field: 'success.achieved', op: 'equals', value: true }),
      ],
      intelligence({ status: 'off', custom_fields: {}, success: null, signals: {} }),
    );
    // The fixture's last prospect line is "That sounds great…": the call ends positive.
    expect(s.sentiment?.end).toBeGreaterThan(0.3);
    expect(s.score.reasons.filter((r) => r.rule.startsWith('scorecard.')).map((r) => r.rule)).toEqual([
      'scorecard.happy_end',
    ]);
  });

  it('rejects a malformed rule when the scoring config is parsed, naming it', () => {
    const bad = {
      ...defaultScoringConfig(),
      scorecard: [{ ...rule({ field: 'custom_fields.x', op: 'in', value: 'a' }) }],
    };
    expect(parseScoringConfig(bad)).toEqual({
      ok: false,
      error: expect.stringContaining('scorecard.0.value: in takes a list'),
    });
    const badField = { ...defaultScoringConfig(), scorecard: [rule({ field: 'mood', op: 'present' })] };
    expect(parseScoringConfig(badField)).toEqual({
      ok: false,
      error: expect.stringContaining('scorecard.0.field'),
    });
  });

  it('checks rules against the analysis config: unknown field, wrong type, impossible enum value', () => {
    const a = defaultAnalysisConfig();
    expect(checkScorecard(defaultScoringConfig().scorecard, a)).toBeNull();
    expect(checkScorecard([rule({ field: 'custom_fields.nope', op: 'present' })], a)).toMatch(
      /no custom field nope/,
    );
    expect(checkScorecard([rule({ field: 'custom_fields.timeline', op: 'gte', value: 3 })], a)).toMatch(
      /gte needs a number field/,
    );
    expect(
      checkScorecard([rule({ field: 'custom_fields.buying_stage', op: 'equals', value: 'hot' })], a),
    ).toMatch(/"hot" is not a possible value/);
  });

  it('stops worker start-up with the rule named when the scorecard does not fit the analysis config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scorecard-'));
    const path = join(dir, 'scoring.json');
    writeFileSync(
      path,
      JSON.stringify({
        ...defaultScoringConfig(),
        scorecard: [rule({ id: 'x', field: 'custom_fields.nope', op: 'present' })],
      }),
    );
    const config = loadWorkerConfig({
      PII_HASH_KEY: 'intelligence-test-pii-hash-key-0123456789',
      SCORING_CONFIG_PATH: path,
    });
    await expect(loadScoringDeps(config)).rejects.toThrow(
      /scorecard rule x \(custom_fields.nope\): no custom field nope/,
    );
  });

  it('config/README.md documents the default scorecard exactly', () => {
    const readme = readFileSync(new URL('../../config/README.md', import.meta.url), 'utf8');
    const rows = (md: string) =>
      md
        .split('\n')
        .filter((l) => l.startsWith('| `scorecard.'))
        .map((l) => l.replace(/\s+/g, ' ').trim());
    const expected = rows(scorecardTable(defaultScoringConfig().scorecard));
    expect(expected.length).toBe(defaultScoringConfig().scorecard.length);
    expect(rows(readme)).toEqual(expected);
  });
});
