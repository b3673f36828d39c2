/**
 * Reconciliation of the two readings of each qualification signal: the detector's (rules on each
 * prospect message, in the payload) and the LLM's (the post-call analysis, with quotes). Both are
 * kept, with their evidence, as `SignalOpinion`s; the scoring model takes one per its policy:
 *
 * - `detector_first`: the detector's value, else the LLM's (the default);
 * - `llm_first`:      the LLM's value, else the detector's;
 * - `agree_only`:     only values both state and agree on (arrays as sets).
 *
 * Without an ok analysis there is nothing to reconcile: the detector's signals are used as they
 * are, whatever the policy. An LLM value becomes a signal whose evidence is its quotes
 * (turn = prospect message, span = the quote, rule `llm.analysis`).
 */
import {
  type Evidence,
  type SessionPayload,
  SIGNAL_NAMES,
  type SignalName,
  type Signals,
} from '../../../src/schema/index.js';
import type { CallIntelligence, CitedValue, SignalOpinion } from '../types.js';

export const SIGNAL_POLICIES = ['detector_first', 'llm_first', 'agree_only'] as const;
export type SignalPolicy = (typeof SIGNAL_POLICIES)[number];

export const LLM_EVIDENCE_RULE = 'llm.analysis';

const canonical = (v: unknown): string =>
  JSON.stringify(Array.isArray(v) ? [...new Set(v.map(String))].sort() : v);

function llmSignal(name: SignalName, c: CitedValue): NonNullable<Signals[SignalName]> {
  const evidence: Evidence[] = c.quotes.map((q, i) => ({
    turn_index: c.message_indexes[i] ?? 0,
    span: c.spans[i] ?? [0, 0],
    rule: LLM_EVIDENCE_RULE,
    excerpt: q,
  }));
  const value =
    name === 'integration_needs' && Array.isArray(c.value) ? [...new Set(c.value)].sort() : c.value;
  return { value, evidence } as NonNullable<Signals[SignalName]>;
}

export interface Reconciled {
  /** The signals the scoring model reads. */
  signals: Signals;
  /** Where each used signal came from. */
  sources: Partial<Record<SignalName, 'detector' | 'llm' | 'both'>>;
  opinions: SignalOpinion[];
}

export function reconcileSignals(
  payload: SessionPayload,
  intelligence: CallIntelligence | undefined,
  policy: SignalPolicy,
): Reconciled {
  const detectorOnly = (): Reconciled => {
    const sources: Reconciled['sources'] = {};
    const opinions: SignalOpinion[] = [];
    for (const n of SIGNAL_NAMES) {
      const d = payload.signals[n];
      if (!d) continue;
      sources[n] = 'detector';
      opinions.push({
        name: n,
        detector: { value: d.value, evidence: d.evidence },
        llm: null,
        agree: false,
        used: 'detector',
      });
    }
    return { signals: payload.signals, sources, opinions };
  };
  if (intelligence?.status !== 'ok') return detectorOnly();

  const signals: Record<string, unknown> = {};
  const sources: Reconciled['sources'] = {};
  const opinions: SignalOpinion[] = [];
  for (const n of SIGNAL_NAMES) {
    const d = payload.signals[n];
    const l = intelligence.signals[n];
    if (!d && !l) continue;
    const agree = Boolean(d && l && canonical(d.value) === canonical(l.value));
    let used: SignalOpinion['used'] = null;
    switch (policy) {
      case 'detector_first':
        used = d ? 'detector' : 'llm';
        break;
      case 'llm_first':
        used = l ? 'llm' : 'detector';
        break;
      case 'agree_only':
        used = agree ? 'both' : null;
        break;
      default: {
        const never: never = policy;
        throw new Error(`unknown signal policy ${String(never)}`);
      }
    }
    if (used === 'llm' && l) signals[n] = llmSignal(n, l);
    else if (used !== null && d) signals[n] = d;
    if (used !== null) sources[n] = used;
    opinions.push({
      name: n,
      detector: d ? { value: d.value, evidence: d.evidence } : null,
      llm: l ?? null,
      agree,
      used,
    });
  }
  return { signals: signals as Signals, sources, opinions };
}
