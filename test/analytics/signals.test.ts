import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detectSignals, tokenViews, toSpecSignals } from '../../src/analytics/signals/index.js';

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
    // A cue word alone, repeated, is about nothing; the same cue about the purchase, repeated, is high.
    expect(spec('urgent '.repeat(30_000))).toEqual({});
    expect(spec('we need it urgently '.repeat(10_000))).toEqual({ urgency: 'high' });
    expect(spec('')).toEqual({});
  });

  it('reads transcripts: hesitations, unpunctuated clauses, unlisted "half a dozen"', () => {
    expect(spec('we have uh about um forty people').team_size).toBe(40);
    expect(spec('we have half a dozen people').team_size).toBeUndefined();
    expect(spec("we don't use salesforce we use hubspot").integration_needs).toEqual(['hubspot']);
    expect(spec('we never got around to using docusign')).toEqual({});
    expect(spec('box is where we keep signed contracts').integration_needs).toEqual(['box']);
    expect(spec('our accounting is in quickbooks').industry).toBeUndefined();
    expect(spec("we're in the insurance business").industry).toBe('insurance');
    expect(spec('we went from 10 to 40 employees').team_size).toBe(40);
    expect(spec("we're a recruiting firm of twenty").team_size).toBe(20);
    expect(spec('we send about 20 invoices a day from quickbooks').monthly_volume).toBe(440);
  });
});

describe('tokenizer', () => {
  const WORD = /(?<![\p{L}\p{N}])\p{L}[\p{L}\p{N}]*(?:['\u2019]\p{L}[\p{L}\p{N}]*)*/gu;
  const DISFLUENT = new Set(['uh', 'uhh', 'um', 'umm', 'uhm', 'er', 'erm', 'hmm', 'mm', 'mhm']);
  const KEEP = new Set([
    "it's",
    "that's",
    "there's",
    "here's",
    "what's",
    "he's",
    "she's",
    "who's",
    "let's",
    "where's",
    "how's",
  ]);
  /** Word keys the slow way: slice, lowercase, drop a possessive. */
  function naiveKeys(text: string): string[] {
    const out: string[] = [];
    for (const m of text.matchAll(WORD)) {
      const lower = m[0].toLowerCase().replace(/\u2019/g, "'");
      if (DISFLUENT.has(lower)) continue;
      out.push(lower.endsWith("'s") && lower.length > 3 && !KEEP.has(lower) ? lower.slice(0, -2) : lower);
    }
    return out;
  }

  it('interns words to the same keys as slicing and lowercasing, on first and later sight', () => {
    const dev = fileURLToPath(new URL('../fixtures/signals-heldout-2.jsonl', import.meta.url));
    const texts = readFileSync(dev, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => (JSON.parse(l) as { text: string }).text);
    texts.push(
      "The Municipality's clerk, the MUNICIPALITY\u2019S office, We\u2019re 12 CAF\u00c9 owners, na\u00efve",
      `${'x'.repeat(40)} ${'X'.repeat(40)}s, Hub-Spot, e-commerce`,
    );
    for (let round = 0; round < 2; round++) {
      for (const text of texts) {
        const keys = tokenViews(text)
          .filter((v) => v.kind === 'w')
          .map((v) => v.key);
        expect(keys).toEqual(naiveKeys(text));
      }
    }
  });

  it('reads numbers: commas, decimals, k, suffixes, long digit runs', () => {
    const nums = tokenViews('1,200 2.5k 3PL 15th 12345678 1,000.5 7')
      .filter((v) => v.kind === 'n')
      .map((v) => [v.key, v.value]);
    expect(nums).toEqual([
      ['1200', 1200],
      ['2.5', 2500],
      ['3pl', 3],
      ['15th', 15],
      ['', 12345678],
      ['1000.5', 1000.5],
      ['7', 7],
    ]);
  });
});
