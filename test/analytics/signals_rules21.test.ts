import { describe, expect, it } from 'vitest';
import { detectSignals, type Turn, toSpecSignals } from '../../src/analytics/signals/index.js';

const spec = (text: string, context?: Turn[]) => toSpecSignals(detectSignals(text, context));
const asked = (question: string): Turn[] => [{ role: 'agent', text: question }];

/**
 * The error kinds an external set of public sales-call transcripts exposed (issue #21), each in
 * our own words: talk about markets and peers, departments and task groups, dates that are not
 * about buying, and agent questions that only look like timing questions.
 */
describe('signals on the error kinds of real calls (issue #21)', () => {
  it.each([
    ['Hospitals are slow to buy anything new, honestly.', {}],
    ['We do well with credit unions, less so with the big banks.', {}],
    ['Most of these law firms run on partner politics.', {}],
    ['It is still early-stage in the government space for us.', {}],
    ['We looked at a few government-wide purchasing vehicles.', {}],
    ["The hospital's budget got frozen last week.", {}],
    ['Neither of us wants to be landlords.', {}],
    ['Mom paid off the mortgage years ago.', {}],
    ['About 70% of our revenue comes from the regional bank segment.', {}],
    ['Our carrier procurement cycles are brutal.', {}],
    ["We're a healthcare analytics company.", { industry: 'technology' }],
    ['We have 62 attorneys and a small back office.', { team_size: 62, industry: 'legal' }],
    ["We're a dental practice with two locations.", { industry: 'healthcare' }],
  ])('industry names the prospect, not its market: %s', (text, want) => {
    expect(spec(text)).toEqual(want);
  });

  it.each([
    ['Just one—can the reps see this on their phones?', {}],
    ['Just two—can reps share a login?', {}],
    ["One person can't sign off on software here.", {}],
    ['We have 12 full-time support agents right now.', { team_size: 12 }],
    ["We're a growing company with about 200 employees.", { team_size: 200 }],
    ['About 30 people, growing fast.', { team_size: 30 }],
    ['We have 85 salespeople. We also have a 35-person customer success team.', { team_size: 85 }],
    ['Thirty-two brokers and a four-person accounting team.', { team_size: 36 }],
    ['Six dentists, and like 20 staff total.', { team_size: 20, industry: 'healthcare' }],
    ['Four attorneys, three paralegals.', { team_size: 7, industry: 'legal' }],
    ['We grew from 30 reps to just under 70 in the last 18 months.', { team_size: 70 }],
    ['We have 70 reps and want to push toward 100.', { team_size: 70 }],
    ['If we can move 10 reps up a tier, that pays for itself.', {}],
  ])('team size is the current own headcount: %s', (text, want) => {
    expect(spec(text)).toEqual(want);
  });

  it.each([
    [
      "Fine. Send it over and we'll get it signed today.",
      asked('Everything is included in that price.'),
      { urgency: 'high' },
    ],
    ['Our contract renews on March 1st, so we need to decide before that.', undefined, { urgency: 'medium' }],
    ['Our insurance renewal is in August and it eats all my time.', undefined, {}],
    ['That creates this artificial urgency at the end of every quarter.', undefined, {}],
    ["We're not really looking to sell.", undefined, { urgency: 'low' }],
    ["Probably just curiosity. We're happy where we are.", undefined, { urgency: 'low' }],
    ['Maybe, but we are not looking for big changes right now.', undefined, { urgency: 'low' }],
    [
      'Some deals close in 30 days, others drag for six months.',
      asked('When you say the ramp is slow, what does that look like?'),
      {},
    ],
    [
      'We could kick this off in February.',
      asked('Implementation is about 8-12 weeks from kickoff to go-live.'),
      { urgency: 'medium' },
    ],
  ] as const)('urgency only from buying horizons: %s', (text, ctx, want) => {
    expect(spec(text, ctx === undefined ? undefined : [...ctx])).toEqual(want);
  });

  it('a peak figure named after the number does not replace the usual volume', () => {
    expect(spec('Like 150 offer letters a week in the busy stretch, maybe 60 a week otherwise.')).toEqual({
      monthly_volume: 260,
    });
  });

  it('says why a department lost to the company size', () => {
    const d = detectSignals('We have 85 salespeople. We also have a 35-person customer success team.');
    expect(d.team_size?.value).toBe(85);
    expect(d.team_size?.alternatives).toEqual([
      expect.objectContaining({ value: 35, reason: 'a department' }),
    ]);
  });
});
