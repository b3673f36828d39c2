/**
 * The explainable lead score: fit (who the prospect is) and engagement (what they did on the call),
 * each a sum of rule points normalised to 0–100, combined by configurable weights. Every rule that
 * fires leaves a reason with its rule id, points, a plain-language detail and the signal evidence.
 * Pure: the same payload, analysis and config give the same score.
 */
import type { Evidence, SessionPayload } from '../../../src/schema/index.js';
import type { Reconciled } from '../intelligence/reconcile.js';
import type { EngagementLevel, FitGrade, LeadScore, ScoreReason, SessionAnalysis, Tier } from '../types.js';
import { type ScorecardInputs, scorecardReasons } from './scorecard.js';
import type { Band, ScoringConfig } from './scoring_config.js';

const clamp100 = (v: number) => Math.min(100, Math.max(0, Math.round(v)));
const bandLabel = (b: Band) => (b.max === undefined ? `${b.min}+` : `${b.min}–${b.max}`);
const findBand = (bands: readonly Band[], v: number) =>
  bands.find((b) => v >= b.min && (b.max === undefined || v <= b.max));
const pts = (n: number) => `${n} point${Math.abs(n) === 1 ? '' : 's'}`;

type Confidence = ScoringConfig['confidence'];

/**
 * Points of a rule on a signal, reduced when the detector's confidence in the signal is low; the
 * text says so: "12.5 of 25 points: low confidence 0.65, below 0.7".
 */
function weigh(
  full: number,
  confidence: number | undefined,
  c: Confidence,
): { points: number; said: string } {
  if (confidence === undefined || confidence >= c.low_below || full <= 0)
    return { points: full, said: pts(full) };
  const points = Math.round(full * c.points_factor * 10) / 10;
  return {
    points,
    said: `${points} of ${pts(full)}: low confidence ${confidence}, below ${c.low_below}`,
  };
}

function fitReasons(payload: SessionPayload, cfg: ScoringConfig['fit'], conf: Confidence): ScoreReason[] {
  const out: ScoreReason[] = [];
  const s = payload.signals;
  const reason = (rule: string, points: number, detail: string, evidence: Evidence[]) =>
    out.push({ rule, kind: 'fit', points, detail, evidence });

  if (s.industry) {
    const id = s.industry.value;
    const listed = cfg.industry.points[id];
    const { points, said } = weigh(listed ?? cfg.industry.unlisted_points, s.industry.confidence, conf);
    reason(
      listed === undefined ? 'fit.industry.unlisted' : `fit.industry.${id}`,
      points,
      listed === undefined
        ? `industry ${id} is not in the scoring list (${said})`
        : `industry ${id} scores ${said}`,
      s.industry.evidence,
    );
  }
  if (s.team_size) {
    const band = findBand(cfg.team_size.bands, s.team_size.value);
    if (band) {
      const { points, said } = weigh(band.points, s.team_size.confidence, conf);
      reason(
        `fit.team_size.${band.id}`,
        points,
        `team of ${s.team_size.value} is in the ${bandLabel(band)} band (${said})`,
        s.team_size.evidence,
      );
    }
  }
  if (s.monthly_volume) {
    const band = findBand(cfg.monthly_volume.bands, s.monthly_volume.value);
    if (band) {
      const { points, said } = weigh(band.points, s.monthly_volume.confidence, conf);
      reason(
        `fit.monthly_volume.${band.id}`,
        points,
        `${s.monthly_volume.value} documents a month is in the ${bandLabel(band)} band (${said})`,
        s.monthly_volume.evidence,
      );
    }
  }
  if (s.integration_needs) {
    // The value is sorted and the evidence is in order stated, so every integration reason carries
    // all of the signal's evidence rather than guessing which statement named which tool.
    let budget = cfg.integrations.cap;
    for (const id of s.integration_needs.value) {
      const listed = cfg.integrations.points[id];
      if (listed === undefined) {
        reason(
          'fit.integration.unsupported',
          0,
          `needs ${id}, which is not a supported integration (0 points)`,
          s.integration_needs.evidence,
        );
        continue;
      }
      const capped = Math.max(0, Math.min(listed, budget));
      budget -= capped;
      const { points, said } = weigh(capped, s.integration_needs.confidence, conf);
      reason(
        `fit.integration.${id}`,
        points,
        capped < listed
          ? `needs ${id}, a supported integration (${said}; ${capped} of ${listed}: integrations are capped at ${cfg.integrations.cap})`
          : `needs ${id}, a supported integration (${said})`,
        s.integration_needs.evidence,
      );
    }
  }
  return out;
}

function engagementReasons(
  payload: SessionPayload,
  analysis: SessionAnalysis,
  cfg: ScoringConfig['engagement'],
  conf: Confidence,
): ScoreReason[] {
  const out: ScoreReason[] = [];
  const reason = (rule: string, points: number, detail: string, evidence: Evidence[] = []) =>
    out.push({ rule, kind: 'engagement', points, detail, evidence });

  const urgency = payload.signals.urgency;
  if (urgency) {
    const { points, said } = weigh(cfg.urgency[urgency.value], urgency.confidence, conf);
    reason(
      `engagement.urgency.${urgency.value}`,
      points,
      `urgency is ${urgency.value} (${said})`,
      urgency.evidence,
    );
  }
  const bookedByTool = payload.tool_calls.some(
    (c) => c.status === 'ok' && cfg.meeting_booked.tool_names.includes(c.name),
  );
  const meetingBooked = payload.outcome === 'meeting_booked' || bookedByTool;
  if (meetingBooked) {
    reason(
      'engagement.meeting_booked',
      cfg.meeting_booked.points,
      `a sales meeting was booked during the call (${pts(cfg.meeting_booked.points)})`,
    );
  }
  const callbackByTool = payload.tool_calls.some(
    (c) => c.status === 'ok' && cfg.callback_requested.tool_names.includes(c.name),
  );
  // a booked meeting supersedes a callback request: the two never add up
  if (!meetingBooked && (payload.outcome === 'callback_requested' || callbackByTool)) {
    reason(
      'engagement.callback_requested',
      cfg.callback_requested.points,
      `the prospect asked to be called back (${pts(cfg.callback_requested.points)})`,
    );
  }
  if (payload.outcome === 'not_interested') {
    reason(
      'engagement.not_interested',
      cfg.not_interested.points,
      `the prospect said they are not interested (${pts(cfg.not_interested.points)})`,
    );
  }
  const kq = cfg.knowledge_questions;
  if (analysis.knowledge_questions > 0) {
    const points = Math.min(analysis.knowledge_questions * kq.points_each, kq.cap);
    const n = analysis.knowledge_questions;
    reason(
      'engagement.knowledge_questions',
      points,
      `asked ${n} question${n === 1 ? '' : 's'} the agent answered from the knowledge base (${pts(points)}: ${kq.points_each} each, capped at ${kq.cap})`,
    );
  }
  const band = findBand(cfg.turns.bands, analysis.turn_count);
  if (band) {
    reason(
      `engagement.turns.${band.id}`,
      band.points,
      `${analysis.turn_count} conversation turn${analysis.turn_count === 1 ? '' : 's'} is in the ${bandLabel(band)} band (${pts(band.points)})`,
    );
  }
  return out;
}

export function fitGrade(fit: number, t: ScoringConfig['thresholds']['fit_grade']): FitGrade {
  return fit >= t.A ? 'A' : fit >= t.B ? 'B' : 'C';
}

export function engagementLevel(
  engagement: number,
  t: ScoringConfig['thresholds']['engagement_level'],
): EngagementLevel {
  return engagement >= t['1'] ? 1 : engagement >= t['2'] ? 2 : 3;
}

/** Signal rule prefixes → the signal they read (to name the source of a reconciled value). */
const SIGNAL_RULES: Array<[string, keyof Reconciled['sources']]> = [
  ['fit.industry.', 'industry'],
  ['fit.team_size.', 'team_size'],
  ['fit.monthly_volume.', 'monthly_volume'],
  ['fit.integration.', 'integration_needs'],
  ['engagement.urgency.', 'urgency'],
];
const SOURCE_TEXT = {
  detector: 'the detector',
  llm: 'the LLM analysis',
  both: 'the detector and the LLM analysis, which agree',
} as const;

/** After reconciliation: each signal rule's reason names where its value came from. */
function withSources(reasons: ScoreReason[], sources: Reconciled['sources']): ScoreReason[] {
  return reasons.map((r) => {
    const signal = SIGNAL_RULES.find(([prefix]) => r.rule.startsWith(prefix))?.[1];
    const source = signal ? sources[signal] : undefined;
    return source ? { ...r, source, detail: `${r.detail}; from ${SOURCE_TEXT[source]}` } : r;
  });
}

export interface ScoreExtras extends ScorecardInputs {
  /** Set when the LLM analysis ran: the signals' sources after reconciliation. */
  sources?: Reconciled['sources'];
}

/**
 * Scores a lead from its payload and analysis under a scoring config. With `extras`, scorecard
 * rules read the sentiment and the LLM analysis, and signal reasons name their source.
 */
export function scoreLead(
  payload: SessionPayload,
  analysis: SessionAnalysis,
  config: ScoringConfig,
  extras: ScoreExtras = {},
): LeadScore {
  let fitR = fitReasons(payload, config.fit, config.confidence);
  let engR = engagementReasons(payload, analysis, config.engagement, config.confidence);
  if (extras.sources) {
    fitR = withSources(fitR, extras.sources);
    engR = withSources(engR, extras.sources);
  }
  const cards = scorecardReasons(config.scorecard ?? [], extras);
  fitR.push(...cards.filter((r) => r.kind === 'fit'));
  engR.push(...cards.filter((r) => r.kind === 'engagement'));
  const sum = (rs: ScoreReason[]) => rs.reduce((s, r) => s + r.points, 0);
  const fit = clamp100((100 * sum(fitR)) / config.fit.max_points);
  const engagement = clamp100((100 * sum(engR)) / config.engagement.max_points);
  const { fit: wf, engagement: we } = config.weights;
  const score = clamp100((wf * fit + we * engagement) / (wf + we));
  const fit_grade = fitGrade(fit, config.thresholds.fit_grade);
  const engagement_level = engagementLevel(engagement, config.thresholds.engagement_level);
  const tier: Tier = `${fit_grade}${engagement_level}`;
  return {
    model_version: config.version,
    fit,
    engagement,
    score,
    fit_grade,
    engagement_level,
    tier,
    reasons: [...fitR, ...engR],
  };
}

/** The reasons that moved the score most (largest absolute points first), for CRM summaries. */
export function topReasons(score: LeadScore, n = 3): ScoreReason[] {
  return mostDecisive(score.reasons, n);
}

/** The `n` reasons that moved a score most: non-zero, largest absolute points first. */
export function mostDecisive<R extends { points: number }>(reasons: readonly R[], n = 3): R[] {
  return reasons
    .filter((r) => r.points !== 0)
    .sort((a, b) => Math.abs(b.points) - Math.abs(a.points))
    .slice(0, n);
}
