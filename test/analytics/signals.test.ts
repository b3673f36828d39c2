import { describe, expect, it } from 'vitest';
import { detectSignals, toSpecSignals } from '../../src/analytics/signals/index.js';

const spec = (text: string) => toSpecSignals(detectSignals(text));

describe('detectSignals', () => {
  it('reads number words, compounds, dozens and couples; "a few dozen" is absent', () => {
    expect(spec('Twenty-five people.').team_size).toBe(25);
    expect(spec('one hundred and twenty staff').team_size).toBe(120);
    expect(spec('a dozen attorneys').team_size).toBe(12);
    expect(spec('A couple of us would be admins.').team_size).toBe(2);
    expect(spec('a few dozen people').team_size).toBeUndefined();
    expect(spec('Five of us would use it').team_size).toBe(5);
  });

  it('reads k, commas, approximations and ranges (midpoint rounded half up)', () => {
    expect(spec('around 2k employees').team_size).toBe(2000);
    expect(spec('1,200 staff').team_size).toBe(1200);
    expect(spec('10 to 15 people').team_size).toBe(13);
    expect(spec('between 20 and 30 people').team_size).toBe(25);
    expect(spec('10-15 people').team_size).toBe(13);
    expect(spec('~50 reps').team_size).toBe(50);
    expect(spec('more than 50 employees').team_size).toBe(50);
    expect(spec('a team of about 40').team_size).toBe(40);
  });

  it('ignores numbers that are not headcount: years, prices, percentages, dates, phones, documents', () => {
    for (const text of [
      "We've been in business for 20 years.",
      'It costs us $50 per user right now.',
      'We grew 30 percent last year, 12% this year.',
      'The meeting is on March 14th at 3pm.',
      'Call me back at 555 123 4567 or 415-555-0199.',
      'We have 300 templates in our library.',
    ]) {
      expect(spec(text)).toEqual({});
    }
  });

  it('normalises every period to a month with Math.round on the exact product', () => {
    expect(spec('10 invoices per day').monthly_volume).toBe(220);
    expect(spec('50 contracts a week').monthly_volume).toBe(217);
    expect(spec('200 contracts a month').monthly_volume).toBe(200);
    expect(spec('90 leases per quarter').monthly_volume).toBe(30);
    expect(spec('600 NDAs a year').monthly_volume).toBe(50);
    expect(spec('1,500 documents monthly').monthly_volume).toBe(1500);
    expect(spec('45 quotes weekly').monthly_volume).toBe(195);
    expect(spec('3 letters daily').monthly_volume).toBe(66);
    expect(spec('12,000 forms annually').monthly_volume).toBe(1000);
    expect(spec('36 contracts per annum').monthly_volume).toBe(3);
    expect(spec('Every month we send out about 500 invoices.').monthly_volume).toBe(500);
    expect(spec('We send about 30 contracts.').monthly_volume).toBeUndefined();
  });

  it('handles negated integrations and keeps both tools of a migration', () => {
    expect(spec("We don't use Salesforce, we're on Pipedrive.").integration_needs).toEqual(['pipedrive']);
    expect(spec("We're not on HubSpot anymore.").integration_needs).toBeUndefined();
    expect(spec('no longer using Dropbox').integration_needs).toBeUndefined();
    expect(spec("We're migrating off HubSpot to Salesforce.").integration_needs).toEqual([
      'hubspot',
      'salesforce',
    ]);
    const d = detectSignals("We don't use Salesforce, we use HubSpot.");
    expect(d.integrations_negated?.map((h) => h.value)).toEqual(['salesforce']);
    expect(d.integration_needs?.[0]).toMatchObject({ value: 'hubspot', rule: 'integration.hubspot' });
  });

  it('takes Box, Teams and Dynamics only as tool names', () => {
    expect(spec('I think I put it in a box somewhere.')).toEqual({});
    expect(spec('Our teams of five work remotely.')).toEqual({});
    expect(spec('It all needs to go into Box and Microsoft Teams.').integration_needs).toEqual([
      'box',
      'teams',
    ]);
  });

  it('lets the last urgency cue win and reads negated cues as low', () => {
    expect(spec("It's not urgent.").urgency).toBe('low');
    expect(spec('Sometime this quarter would be ideal.').urgency).toBe('medium');
    expect(spec('We were just exploring, but now it is urgent.').urgency).toBe('high');
    expect(spec('In the next two or three months.').urgency).toBe('medium');
    expect(spec('within two weeks').urgency).toBe('high');
    expect(spec('in 9 months or so').urgency).toBe('low');
  });

  it("uses the prospect's own industry, not its customers'", () => {
    expect(spec('We build software that we sell to hospitals.').industry).toBe('technology');
    expect(spec('We sell to law firms.').industry).toBeUndefined();
    expect(spec("We're a charity that runs food banks.").industry).toBe('nonprofit');
  });

  it('finds several signals in one message, with spans and rule ids', () => {
    const text =
      "We're a team of 12 lawyers and we draft about 80 contracts a month in Word, then store them in Dropbox. We need something in place by the end of this month.";
    const d = detectSignals(text);
    expect(toSpecSignals(d)).toEqual({
      team_size: 12,
      industry: 'legal',
      monthly_volume: 80,
      integration_needs: ['dropbox'],
      urgency: 'high',
    });
    const vol = d.monthly_volume;
    expect(vol?.rule).toBe('monthly_volume.per_period');
    expect(text.slice(...(vol?.span ?? [0, 0]))).toBe('80 contracts a month');
    expect(text.slice(...(d.integration_needs?.[0]?.span ?? [0, 0]))).toBe('Dropbox');
  });

  it('returns on adversarial inputs without spurious signals', () => {
    const digits = Array.from({ length: 40_000 }, (_, i) => String((i * 7919) % 100_000)).join(' ');
    expect(spec(digits)).toEqual({});
    expect(spec('9'.repeat(200_000))).toEqual({});
    expect(spec('a'.repeat(200_000))).toEqual({});
    expect(spec('10-'.repeat(60_000))).toEqual({});
    expect(spec('.,;-~$%/'.repeat(25_000))).toEqual({});
    expect(spec('urgent '.repeat(30_000))).toEqual({ urgency: 'high' });
    expect(spec('')).toEqual({});
  });
});
