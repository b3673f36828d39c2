/**
 * The quote check that makes extracted values trustworthy: a quote counts only when it occurs
 * verbatim in one prospect message, after normalising case, runs of whitespace and typographic
 * apostrophes/quotation marks (’ → ', “ ” → "). Nothing else is forgiven: a paraphrase, an
 * ellipsis joining two parts, or the agent's words are not the prospect's words.
 */
import type { ProspectMessage } from '../analysis/prospect_messages.js';

/** Shorter quotes (after normalising) are too weak to support a value. */
export const MIN_QUOTE_CHARS = 2;

const MAP: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u02bc': "'",
  '\u201c': '"',
  '\u201d': '"',
};

/** The normalised text and, per normalised character, its index in the original. */
function normaliseWithMap(text: string): { norm: string; at: number[] } {
  let norm = '';
  const at: number[] = [];
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      space = norm.length > 0;
      continue;
    }
    if (space) {
      norm += ' ';
      at.push(i);
      space = false;
    }
    const out = (MAP[ch] ?? ch).toLowerCase();
    for (const c of out) {
      norm += c;
      at.push(i);
    }
  }
  return { norm, at };
}

export const normaliseQuote = (text: string): string => normaliseWithMap(text).norm;

export interface FoundQuote {
  message_index: number;
  /** `[start, end)` of the quote in the original message text. */
  span: [number, number];
}

/** Where the quote occurs in the prospect's messages (the first one), or null. */
export function findQuote(messages: readonly ProspectMessage[], quote: string): FoundQuote | null {
  const q = normaliseQuote(quote);
  if (q.length < MIN_QUOTE_CHARS) return null;
  for (const m of messages) {
    const { norm, at } = normaliseWithMap(m.text);
    const pos = norm.indexOf(q);
    if (pos < 0) continue;
    const start = at[pos] ?? 0;
    const end = (at[pos + q.length - 1] ?? start) + 1;
    return { message_index: m.message_index, span: [start, end] };
  }
  return null;
}
