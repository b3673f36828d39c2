import { describe, expect, it } from 'vitest';
import { prospectMessages } from '../../src/analysis/prospect_messages.js';
import { analyseSentiment, scoreText, trendLabel } from '../../src/analysis/sentiment.js';
import { callWithoutTranscript, callWithTranscript } from './fixtures.js';

describe('sentiment (VADER, local)', () => {
  it('reads negation and intensifiers: "not great" is negative, "very great" beats "great"', () => {
    const great = scoreText('This is great').compound;
    expect(great).toBeGreaterThan(0.3);
    expect(scoreText('This is not great').compound).toBeLessThan(0);
    expect(scoreText('This is very great').compound).toBeGreaterThan(great);
    expect(scoreText('This is great').compound).toBe(great); // deterministic
  });

  it('scores each prospect message, maps it to the turn that answered it, and summarises the call', () => {
    const payload = callWithTranscript([
      'I hate how slow this is, it is terrible.',
      'We lose deals because of it.',
      'Okay, that could work.',
      'That sounds great, I love it!',
    ]);
    const s = analyseSentiment(payload);
    expect(s).not.toBeNull();
    expect(s!.messages.map((m) => m.message_index)).toEqual([0, 1, 2, 3]);
    expect(s!.messages.map((m) => m.turn_index)).toEqual([1, 2, 3, 4]);
    const [first, , , last] = s!.messages;
    expect(first!.compound).toBeLessThan(-0.5);
    expect(last!.compound).toBeGreaterThan(0.5);
    expect(s!.start).toBe(first!.compound);
    expect(s!.end).toBe(last!.compound);
    expect(s!.lowest).toBe(Math.min(...s!.messages.map((m) => m.compound)));
    expect(s!.trend).toBeCloseTo(s!.end - s!.start, 3);
    expect(s!.trend_label).toBe('improving');
  });

  it('labels a call that sours as declining, and a flat one as steady', () => {
    expect(
      analyseSentiment(callWithTranscript(['This is wonderful', 'ok', 'This is awful, terrible']))!
        .trend_label,
    ).toBe('declining');
    expect(trendLabel(0.05)).toBe('steady');
  });

  it('has no sentiment when the transcript policy kept no prospect text', () => {
    expect(analyseSentiment(callWithoutTranscript())).toBeNull();
  });

  it('falls back to the turns’ user text when there is no transcript', () => {
    const p = callWithTranscript(['Great, thanks', 'Bad news though']);
    const { transcript: _t, ...rest } = p;
    const msgs = prospectMessages(rest);
    expect(msgs.map((m) => [m.message_index, m.turn_index, m.text])).toEqual([
      [0, 1, 'Great, thanks'],
      [1, 2, 'Bad news though'],
    ]);
  });
});
