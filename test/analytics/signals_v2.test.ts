import { describe, expect, it } from 'vitest';
import { detectSignals, type Turn, toSpecSignals } from '../../src/analytics/signals/index.js';

const spec = (text: string, context?: Turn[]) => toSpecSignals(detectSignals(text, context));
const asked = (question: string): Turn[] => [{ role: 'agent', text: question }];

/** The failure kinds of issue 21, each as the prospect said it on a real call. */
describe('signals spec v2: scope, time, what a date is about, context', () => {
  it.each([
    ['burning pipeline in Q1 and Q2', {}],
    ["I'll send you a few times by tomorrow.", {}],
    ["I'll get our security lead looped in this week.", {}],
    ["Send the contract and we'll get it signed today.", { urgency: 'high' }],
    ["Honestly we're not actively shopping.", { urgency: 'low' }],
    ['Our busy season starts in October, so we want to sign by end of September.', { urgency: 'medium' }],
  ])('urgency only from buying horizons: %s', (text, want) => {
    expect(spec(text)).toEqual(want);
  });

  it.each([
    ['Our biggest client is a 20,000-person company with 20,000 employees.', {}],
    ['We went from 40 reps five years ago to 150 now.', { team_size: 150 }],
    ["We're 150 people now; five years ago we were 40 people.", { team_size: 150 }],
    ['Honestly it does the job of 1.5 people.', {}],
    ['We have 35 recruiters and 8 account managers.', { team_size: 43, industry: 'staffing' }],
  ])('team size is the current own headcount: %s', (text, want) => {
    expect(spec(text)).toEqual(want);
  });

  it.each([
    ['In healthcare, you have long procurement cycles.', {}],
    ['Accounting for the legal review, we could move fast.', {}],
    ['We build cloud-based modeling and collaboration software.', { industry: 'technology' }],
    ["We're onboarding a big retailer, which is why the paperwork matters.", {}],
  ])('industry is the prospect’s own: %s', (text, want) => {
    expect(spec(text)).toEqual(want);
  });

  it.each([
    ['Our product handles 150 API calls per day.', {}],
    ['Compliance Dynamics sends us the contracts.', {}],
    ['Zendesk, HubSpot, even Salesforce are moving into people ops.', {}],
    ['No real-time API today.', {}],
    ['Our clients mostly run NetSuite; we use Xero.', { integration_needs: ['xero'] }],
    ['We tried Dropbox years ago but no longer use it.', {}],
  ])('integration needs are the prospect’s own: %s', (text, want) => {
    expect(spec(text)).toEqual(want);
  });

  it("reads a bare answer by the agent's question", () => {
    // A plan about headcount is not a buying horizon when the agent asked about the team.
    expect(
      spec(
        'We were 30 two years ago, and the plan is to be 120 by end of next year.',
        asked('How big is the team?'),
      ),
    ).toEqual({});
    expect(spec('About forty.', asked('How many people are on your team?'))).toEqual({ team_size: 40 });
    expect(spec('About forty.')).toEqual({});
    expect(spec('Probably 200 or so.', asked('How many contracts go out in a typical week?'))).toEqual({
      monthly_volume: 866,
    });
    expect(spec('Next quarter, probably.', asked("What's your timeline?"))).toEqual({ urgency: 'medium' });
    expect(spec('Next quarter, probably.', asked('When should I follow up?'))).toEqual({});
    expect(spec('They have about 3,000 employees.', asked('Tell me about your biggest customer.'))).toEqual(
      {},
    );
  });

  it('says how sure it is and what each value beat', () => {
    const d = detectSignals('We went from 40 reps five years ago to 150 now.');
    expect(d.team_size?.alternatives).toEqual([{ value: 40, span: [13, 20], reason: 'past size' }]);
    expect(d.team_size?.confidence).toBeLessThanOrEqual(0.8);
    const u = detectSignals("I'll send times by Friday, and we'd like to sign next month.");
    expect(u.urgency?.value).toBe('medium');
    expect(u.urgency?.alternatives).toEqual([{ value: 'high', span: [16, 25], reason: 'not about buying' }]);
    expect(detectSignals("We're a law firm.").industry?.confidence).toBe(0.9);
  });
});
