/**
 * Merges per-message detections into the call's signals.
 * - A later statement of a scalar signal replaces the earlier value, which moves to `history`;
 *   restating the same value adds evidence.
 * - Integration needs accumulate (a sorted union); a later negated mention removes an id.
 * - Evidence names the user message (`turn_index`), the span and the rule; the excerpt only
 *   when the transcript policy keeps text.
 */
import type { Evidence, IntegrationId, Signals } from '../schema/session_payload.js';
import type { DetectionHit, DetectionResult } from './detection.js';

export interface MergeInput {
  /** Index of the user message (0 = first). */
  turnIndex: number;
  detection: DetectionResult;
  /** The message text, only when excerpts are to be kept. */
  text?: string;
}

type ScalarName = 'team_size' | 'monthly_volume' | 'urgency' | 'industry';
const SCALARS: readonly ScalarName[] = ['team_size', 'monthly_volume', 'urgency', 'industry'];

interface ScalarState {
  value: number | string;
  evidence: Evidence[];
  history: { value: number | string; evidence: Evidence }[];
}

function evidenceOf(hit: DetectionHit<unknown>, input: MergeInput): Evidence {
  const ev: Evidence = { turn_index: input.turnIndex, span: [hit.span[0], hit.span[1]], rule: hit.rule };
  if (input.text !== undefined) ev.excerpt = input.text.slice(hit.span[0], hit.span[1]);
  return ev;
}

export class SignalState {
  readonly #scalars = new Map<ScalarName, ScalarState>();
  /** Current integration needs in the order stated, each with the evidence of its statement. */
  #integrations: { id: IntegrationId; evidence: Evidence }[] = [];
  readonly #integrationHistory: { value: IntegrationId[]; evidence: Evidence }[] = [];

  /** Number of signals currently present. */
  get count(): number {
    return this.#scalars.size + (this.#integrations.length > 0 ? 1 : 0);
  }

  /** Applies one user message's detection. Returns the number of changes. */
  merge(input: MergeInput): number {
    let changes = 0;
    for (const name of SCALARS) {
      const hit = input.detection[name];
      if (hit) changes += this.#mergeScalar(name, hit.value, evidenceOf(hit, input));
    }
    return changes + this.#mergeIntegrations(input);
  }

  #mergeScalar(name: ScalarName, value: number | string, ev: Evidence): number {
    const cur = this.#scalars.get(name);
    if (!cur) {
      this.#scalars.set(name, { value, evidence: [ev], history: [] });
    } else if (cur.value === value) {
      cur.evidence.push(ev);
    } else {
      const last = cur.evidence[cur.evidence.length - 1] ?? ev;
      cur.history.push({ value: cur.value, evidence: last });
      cur.value = value;
      cur.evidence = [ev];
    }
    return 1;
  }

  #mergeIntegrations(input: MergeInput): number {
    const ops = [
      ...(input.detection.integration_needs ?? []).map((hit) => ({ hit, add: true })),
      ...(input.detection.integrations_negated ?? []).map((hit) => ({ hit, add: false })),
    ].sort((a, b) => a.hit.span[0] - b.hit.span[0]);
    let changes = 0;
    for (const { hit, add } of ops) {
      const at = this.#integrations.findIndex((it) => it.id === hit.value);
      if (add && at === -1) {
        this.#integrations.push({ id: hit.value, evidence: evidenceOf(hit, input) });
        changes += 1;
      } else if (!add && at !== -1) {
        const before = this.#integrations.map((it) => it.id).sort();
        const [removed] = this.#integrations.splice(at, 1);
        this.#integrationHistory.push({
          value: before,
          evidence: removed?.evidence ?? evidenceOf(hit, input),
        });
        changes += 1;
      }
    }
    return changes;
  }

  /** The payload's `signals` object (fresh copies; the state can keep changing). */
  toSignals(): Signals {
    const out: Record<string, unknown> = {};
    for (const name of SCALARS) {
      const s = this.#scalars.get(name);
      if (!s) continue;
      const sig: Record<string, unknown> = { value: s.value, evidence: s.evidence.map(copyEvidence) };
      if (s.history.length > 0)
        sig.history = s.history.map((h) => ({ value: h.value, evidence: copyEvidence(h.evidence) }));
      out[name] = sig;
    }
    if (this.#integrations.length > 0) {
      const sig: Record<string, unknown> = {
        value: this.#integrations.map((it) => it.id).sort(),
        evidence: this.#integrations.map((it) => copyEvidence(it.evidence)),
      };
      if (this.#integrationHistory.length > 0)
        sig.history = this.#integrationHistory.map((h) => ({
          value: [...h.value],
          evidence: copyEvidence(h.evidence),
        }));
      out.integration_needs = sig;
    }
    return out as Signals;
  }
}

function copyEvidence(ev: Evidence): Evidence {
  const c: Evidence = { turn_index: ev.turn_index, span: [ev.span[0], ev.span[1]], rule: ev.rule };
  if (ev.excerpt !== undefined) c.excerpt = ev.excerpt;
  return c;
}
