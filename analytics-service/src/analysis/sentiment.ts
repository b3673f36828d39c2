/**
 * Sentiment of the prospect's side of a call, deterministic and local: VADER (the `vader-sentiment`
 * port of Hutto & Gilbert's lexicon and rules: negation, intensifiers such as "very" and
 * "extremely", "but" shifts, capitals and exclamation marks) scores each prospect message with a
 * compound score in [−1, 1]. No network, no model download; the same text always scores the same.
 *
 * Per call:
 * - `start` / `end`: mean compound of the first / last third of the prospect's messages (at least
 *   one message each), so one terse "okay" does not decide it;
 * - `lowest`: the lowest message score; `mean`: the mean over all messages;
 * - `trend` = end − start; `trend_label` is `improving` at ≥ +0.15, `declining` at ≤ −0.15, else `steady`.
 * Null when the call has no prospect text (the transcript policy dropped it).
 */
import vader from 'vader-sentiment';
import type { SessionPayload } from '../../../src/schema/index.js';
import type { CallSentiment, MessageSentiment } from '../types.js';
import { prospectMessages } from './prospect_messages.js';

export const SENTIMENT_METHOD = 'vader-sentiment@1';
export const TREND_THRESHOLD = 0.15;

const round3 = (v: number) => Math.round(v * 1000) / 1000;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** VADER's scores for one text. */
export function scoreText(text: string): {
  compound: number;
  positive: number;
  negative: number;
  neutral: number;
} {
  const s = vader.SentimentIntensityAnalyzer.polarity_scores(text);
  return {
    compound: round3(s.compound),
    positive: round3(s.pos),
    negative: round3(s.neg),
    neutral: round3(s.neu),
  };
}

export function trendLabel(trend: number): CallSentiment['trend_label'] {
  if (trend >= TREND_THRESHOLD) return 'improving';
  if (trend <= -TREND_THRESHOLD) return 'declining';
  return 'steady';
}

export function analyseSentiment(payload: SessionPayload): CallSentiment | null {
  const messages: MessageSentiment[] = prospectMessages(payload)
    .filter((m) => m.text.trim() !== '')
    .map((m) => ({ message_index: m.message_index, turn_index: m.turn_index, ...scoreText(m.text) }));
  if (messages.length === 0) return null;
  const scores = messages.map((m) => m.compound);
  const third = Math.max(1, Math.floor(scores.length / 3));
  const start = round3(mean(scores.slice(0, third)));
  const end = round3(mean(scores.slice(-third)));
  const trend = round3(end - start);
  return {
    method: SENTIMENT_METHOD,
    messages,
    start,
    end,
    lowest: Math.min(...scores),
    mean: round3(mean(scores)),
    trend,
    trend_label: trendLabel(trend),
  };
}
