/** Short plain-text summaries of a scored session, shared by the CRM destinations. */
import { SIGNAL_NAMES, type Signals } from '../../../src/schema/index.js';
import { topReasons } from '../scoring/score_lead.js';
import type { LeadScore } from '../types.js';

/** `industry=legal; team_size=12; integration_needs=hubspot,slack` (absent signals omitted). */
export function signalsSummary(signals: Signals): string {
  return SIGNAL_NAMES.flatMap((n) => {
    const s = signals[n];
    if (!s) return [];
    return [`${n}=${Array.isArray(s.value) ? s.value.join(',') : String(s.value)}`];
  }).join('; ');
}

/** One line per top reason: `+30 fit.industry.legal: industry legal scores 30 points`. */
export function reasonsSummary(score: LeadScore, n = 3): string {
  return topReasons(score, n)
    .map((r) => `${r.points > 0 ? '+' : ''}${r.points} ${r.rule}: ${r.detail}`)
    .join('\n');
}

/** Splits a full name into first and last (the last word is the last name). */
export function splitName(name: string | undefined): { first?: string; last?: string } {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return {};
  if (parts.length === 1) return { last: parts[0] };
  return { first: parts.slice(0, -1).join(' '), last: parts.at(-1) };
}
