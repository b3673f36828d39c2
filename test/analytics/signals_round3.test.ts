import { describe, expect, it } from 'vitest';
import { detectSignals, type Turn, toSpecSignals } from '../../src/analytics/signals/index.js';

const spec = (text: string, context?: readonly Turn[]) =>
  toSpecSignals(detectSignals(text, context === undefined ? undefined : [...context]));

type Case = readonly [string, Record<string, unknown>];

/**
 * Issue #21, third round: principles behind error kinds of a second held-out set of public
 * sales-call transcripts (that set was tuned on afterwards). Each case is our own wording; the near
 * misses keep their signal, so a rule that only drops a phrase fails them.
 */
describe('urgency: "yesterday" after a need is the spec\'s "we needed this yesterday"', () => {
  it.each<Case>([
    ['Honestly we need a proper intake tool, yesterday.', { urgency: 'high' }],
    ['We needed something like this yesterday, to be honest.', { urgency: 'high' }],
    ['Our ops lead wanted this in place yesterday.', { urgency: 'high' }],
    // Near misses: yesterday as the day something happened.
    ['I spoke with their CFO yesterday about the budget.', {}],
    ['We ran our first batch yesterday and it went fine.', {}],
    ['Yesterday we needed an extra hour just to close the month.', {}],
  ])('%s', (text, expected) => expect(spec(text)).toEqual(expected));
});

describe('urgency: replacing or moving off the current system is a purchase', () => {
  it.each<Case>([
    ["We're looking to replace our current contract system within Q2.", { urgency: 'medium' }],
    ['The aim is to move off the old portal in the next two months.', { urgency: 'medium' }],
    // Near misses: a past replacement, and another thing replaced.
    ['We replaced the printers within Q2 last year.', {}],
  ])('%s', (text, expected) => expect(spec(text)).toEqual(expected));
});

describe('industry: investment advisers and managers are finance', () => {
  it.each<Case>([
    ["We're a registered investment adviser, mostly separately managed accounts.", { industry: 'finance' }],
    [
      "We're an independent investment management shop, about 20 of us.",
      { industry: 'finance', team_size: 20 },
    ],
    ['We are a boutique asset manager in Denver.', { industry: 'finance' }],
    // Near miss: the prospect's own adviser is a provider, not its industry.
    ['Our investment adviser told us to hold off on big purchases.', {}],
  ])('%s', (text, expected) => expect(spec(text)).toEqual(expected));
});

describe('team size: a ratio or a schedule is not a headcount; modifiers before "team members" are', () => {
  it.each<Case>([
    ["We're probably 60/40 toward the other vendor right now.", {}],
    ['It is a 50/50 split between the two offices.', {}],
    ['About 15 sales and BD team members.', { team_size: 15 }],
    ['Roughly 30 support and success team members.', { team_size: 30 }],
    // Near misses.
    ["We're 60 people.", { team_size: 60 }],
    ['We have 12 team members.', { team_size: 12 }],
  ])('%s', (text, expected) => expect(spec(text)).toEqual(expected));
});

describe('industry: the organisations a prospect onboards, serves, partners or deals with are counterparts', () => {
  it.each<Case>([
    ["Right now we're onboarding three regional hospitals as clients.", {}],
    ["Once it leaves our dock we're dealing with UPS or the trucking companies.", {}],
    ['We mostly partner with community banks on this.', {}],
    ['We support about forty dental practices across the state.', {}],
    // Near misses: the prospect's own sites and identity.
    ['We run three clinics in the valley.', { industry: 'healthcare' }],
    ["We're a trucking company out of Fresno.", { industry: 'logistics' }],
  ])('%s', (text, expected) => expect(spec(text)).toEqual(expected));
});

describe('industry: "municipal" is the prospect\'s industry only as an organisation', () => {
  it.each<Case>([
    ["Hmm, I hadn't thought about the municipal requirement.", {}],
    ['The municipal code changed last year and we had to redo the forms.', {}],
    // Near misses.
    ["We're a municipal utility serving 40,000 homes.", { industry: 'government' }],
    ['I work for the municipal government here.', { industry: 'government' }],
  ])('%s', (text, expected) => expect(spec(text)).toEqual(expected));
});

describe('urgency: a horizon that dates a purchase already made is not a buying horizon', () => {
  it.each<Case>([
    ['We signed with our current vendor in Q2 last year.', {}],
    ['They bought the old scheduling system in March, two years ago.', {}],
    ['We switched payroll providers by the summer.', {}],
    // Near misses: the purchase still to come.
    ['We decided we will sign in March.', { urgency: 'medium' }],
    ['We want to switch payroll providers by the summer.', { urgency: 'medium' }],
  ])('%s', (text, expected) => expect(spec(text)).toEqual(expected));
});

describe("urgency: another organisation's need is not the prospect's urgency", () => {
  it.each<Case>([
    ['The hospitals always want everything yesterday, it is crazy.', {}],
    ['Our clients want their reports yesterday.', {}],
  ])('%s', (text, expected) => expect(spec(text)).toEqual(expected));
});

describe('from the third held-back set (tuned on after its blind measurement)', () => {
  const asked = (question: string): Turn[] => [{ role: 'agent', text: question }];
  it.each<readonly [string, readonly Turn[] | undefined, Record<string, unknown>]>([
    // A single person is a team when it answers the team question.
    ['Just one employee.', asked('How many employees do you have?'), { team_size: 1 }],
    ['One staff member, part-time.', asked('How many staff are on payroll?'), { team_size: 1 }],
    ['One person could never handle that.', undefined, {}],
    // A form's name is not a count.
    ['We have four nurses, all on W-2.', undefined, { team_size: 4, industry: 'healthcare' }],
    ['Everyone fills out an I-9 on day one; we are 30 people.', undefined, { team_size: 30 }],
    // A question about starting is a timing question.
    ['Right away, please.', asked('Would you want the plan to start right away?'), { urgency: 'high' }],
    ['As soon as we can.', asked('How quickly do you need this up?'), { urgency: 'high' }],
    ['Pretty fast, honestly.', asked('How fast are you growing?'), {}],
    ['As soon as we can.', asked('How many locations do you have?'), {}],
  ])('%s', (text, context, expected) => expect(spec(text, context)).toEqual(expected));
});
