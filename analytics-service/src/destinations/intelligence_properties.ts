/**
 * Post-call intelligence as destination properties (HubSpot contact properties, Salesforce Lead
 * fields, Amplitude event properties) and in the webhook body, under each destination's PII policy:
 *
 * - `full`:            the summary, every custom field, the quotes (webhook);
 * - `hashed` / `none`: no summary, no quotes, no free-text custom field (a string without an enum
 *                      can carry what the prospect said); enums, numbers, booleans, sentiment and
 *                      statuses stay (they are categories and scores, not the prospect's words).
 *
 * A property is only written when there is something to write (a session without a transcript or
 * analysis adds none), so a portal without these custom properties keeps working.
 */
import type { PiiMode } from '../../../src/schema/index.js';
import type { CallIntelligence, ScoredSession, SignalOpinion } from '../types.js';

export type IntelligenceValue = string | number | boolean | string[] | number[];

export interface IntelligenceFields {
  summary?: string;
  sentiment?: number;
  sentiment_end?: number;
  sentiment_trend?: string;
  analysis_status?: string;
  call_success?: boolean;
  /** Custom field name → value. */
  custom_fields: Record<string, IntelligenceValue>;
}

/** What a destination under `mode` may receive. */
export function intelligenceFields(session: ScoredSession, mode: PiiMode): IntelligenceFields {
  const out: IntelligenceFields = { custom_fields: {} };
  const s = session.sentiment;
  if (s) {
    out.sentiment = s.mean;
    out.sentiment_end = s.end;
    out.sentiment_trend = s.trend_label;
  }
  const i = session.intelligence;
  if (!i || i.status === 'off') return out;
  out.analysis_status = i.status;
  if (i.status !== 'ok') return out;
  if (i.summary && mode === 'full') out.summary = i.summary;
  if (i.success) out.call_success = i.success.achieved;
  for (const [name, c] of Object.entries(i.custom_fields)) {
    if (!c || (c.free_text && mode !== 'full')) continue;
    out.custom_fields[name] = c.value as IntelligenceValue;
  }
  return out;
}

/** A value as CRM text: lists joined with `; `, booleans as `true`/`false`. */
export const crmText = (v: IntelligenceValue): string => (Array.isArray(v) ? v.join('; ') : String(v));

/** HubSpot properties: `<prefix>call_summary`, `<prefix>sentiment`, …, `<prefix>cf_<name>`. */
export function hubspotIntelligenceProperties(
  session: ScoredSession,
  mode: PiiMode,
  prefix: string,
): Record<string, string> {
  const f = intelligenceFields(session, mode);
  const out: Record<string, string> = {};
  if (f.summary !== undefined) out[`${prefix}call_summary`] = f.summary.slice(0, 65_000);
  if (f.sentiment !== undefined) out[`${prefix}sentiment`] = String(f.sentiment);
  if (f.sentiment_trend !== undefined) out[`${prefix}sentiment_trend`] = f.sentiment_trend;
  if (f.analysis_status !== undefined) out[`${prefix}analysis_status`] = f.analysis_status;
  if (f.call_success !== undefined) out[`${prefix}call_success`] = String(f.call_success);
  for (const [name, v] of Object.entries(f.custom_fields)) out[`${prefix}cf_${name}`] = crmText(v);
  return out;
}

const pascal = (k: string) =>
  k
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('_');

/** Salesforce Lead fields: `<prefix>Call_Summary__c`, `<prefix>Sentiment__c`, …, `<prefix>CF_<Name>__c`. */
export function salesforceIntelligenceFields(
  session: ScoredSession,
  mode: PiiMode,
  prefix: string,
): Record<string, string | number | boolean> {
  const f = intelligenceFields(session, mode);
  const out: Record<string, string | number | boolean> = {};
  if (f.summary !== undefined) out[`${prefix}Call_Summary__c`] = f.summary.slice(0, 32_000);
  if (f.sentiment !== undefined) out[`${prefix}Sentiment__c`] = f.sentiment;
  if (f.sentiment_trend !== undefined) out[`${prefix}Sentiment_Trend__c`] = f.sentiment_trend;
  if (f.analysis_status !== undefined) out[`${prefix}Analysis_Status__c`] = f.analysis_status;
  if (f.call_success !== undefined) out[`${prefix}Call_Success__c`] = f.call_success;
  for (const [name, v] of Object.entries(f.custom_fields)) {
    out[`${prefix}CF_${pascal(name)}__c`] = typeof v === 'number' || typeof v === 'boolean' ? v : crmText(v);
  }
  return out;
}

/** Amplitude event properties: `call_summary`, `sentiment`, …, `cf_<name>` (lists stay lists). */
export function amplitudeIntelligenceProperties(
  session: ScoredSession,
  mode: PiiMode,
): Record<string, unknown> {
  const f = intelligenceFields(session, mode);
  const out: Record<string, unknown> = {};
  if (f.summary !== undefined) out.call_summary = f.summary;
  if (f.sentiment !== undefined) out.sentiment = f.sentiment;
  if (f.sentiment_end !== undefined) out.sentiment_end = f.sentiment_end;
  if (f.sentiment_trend !== undefined) out.sentiment_trend = f.sentiment_trend;
  if (f.analysis_status !== undefined) out.analysis_status = f.analysis_status;
  if (f.call_success !== undefined) out.call_success = f.call_success;
  for (const [name, v] of Object.entries(f.custom_fields)) out[`cf_${name}`] = v;
  return out;
}

/**
 * The intelligence parts of a scored session under `mode` (for `redactScoredSession`): `full` keeps
 * them; otherwise the summary, quotes, free-text values and discarded quotes go, and the signal
 * opinions keep values without excerpts or quotes.
 */
export function redactIntelligence(
  session: ScoredSession,
  mode: PiiMode,
): Pick<ScoredSession, 'intelligence' | 'signal_opinions'> {
  if (mode === 'full')
    return { intelligence: session.intelligence, signal_opinions: session.signal_opinions };
  const i = session.intelligence;
  const intelligence: CallIntelligence | undefined = i && {
    ...i,
    summary: null,
    custom_fields: Object.fromEntries(
      Object.entries(i.custom_fields).map(([k, c]) => [
        k,
        c && !c.free_text ? { ...c, quotes: [], spans: [] } : null,
      ]),
    ),
    success: i.success && {
      ...i.success,
      objectives: i.success.objectives.map((o) => ({ ...o, quotes: [] })),
    },
    signals: Object.fromEntries(
      Object.entries(i.signals).map(([k, c]) => [k, c && { ...c, quotes: [], spans: [] }]),
    ),
    discarded: i.discarded.map((d) => ({ field: d.field, quote: '' })),
  };
  const signal_opinions: SignalOpinion[] | undefined = session.signal_opinions?.map((o) => ({
    ...o,
    detector: o.detector && {
      ...o.detector,
      evidence: o.detector.evidence.map(({ excerpt: _e, ...e }) => e),
    },
    llm: o.llm && { ...o.llm, quotes: [], spans: [] },
  }));
  return { intelligence, signal_opinions };
}
