/**
 * Merges per-message detections into the call's signals.
 * - A later statement of a scalar signal replaces the earlier value, which moves to `history`;
 *   restating the same value adds evidence.
 * - Integration needs accumulate (a sorted union); a later negated mention removes an id.
 * - Evidence names the user message (`turn_index`), the span and the rule; the excerpt only
 *   when the transcript policy keeps text, with emails and phone numbers masked unless the PII
 *   mode is `full` (the span still indexes the message as said).
 * - Bounded for long calls: a value keeps its first statements and its latest one (at most
 *   `MAX_EVIDENCE`), and `history` keeps the latest `MAX_HISTORY` replaced values.
 * - Confidence is the detector's for the statement that set the value (a restatement keeps the
 *   higher one); alternatives are the candidates those statements beat (at most
 *   `MAX_SIGNAL_ALTERNATIVES`, the latest kept). For integration needs the confidence is the
 *   lowest of the current tools', and the alternatives are tools mentioned but not needed.
 */
import {
  type Evidence,
  type IntegrationId,
  MAX_SIGNAL_ALTERNATIVES,
  type PiiMode,
  type Signals,
} from '../schema/session_payload.js';
import type { DetectionHit, DetectionResult } from './detection.js';
import { excerpter } from './pii.js';

export interface MergeInput {
  /** Index of the user message (0 = first). */
  turnIndex: number;
  detection: DetectionResult;
  /** The message text, only when excerpts are to be kept. */
  text?: string;
  /** The policy the excerpts follow (default `full`: as said). */
  pii?: PiiMode;
}

type Excerpt = ((start: number, end: number) => string) | undefined;

type ScalarName = 'team_size' | 'monthly_volume' | 'urgency' | 'industry';
const SCALARS: readonly ScalarName[] = ['team_size', 'monthly_volume', 'urgency', 'industry'];

export const MAX_EVIDENCE = 5;
export const MAX_HISTORY = 5;

/** Evidence as held during the call: one small object (rendered to the schema shape at the end). */
class Ev {
  constructor(
    readonly turn: number,
    readonly start: number,
    readonly end: number,
    readonly rule: string,
    readonly excerpt: string | undefined,
  ) {}
}

/** An alternative as held during the call (the span as two numbers: no array per alternative). */
interface Alt<T> {
  value: T;
  reason: string;
  turn: number;
  start: number;
  end: number;
}

interface ScalarState {
  value: number | string;
  evidence: Ev[];
  history: { value: number | string; evidence: Ev }[] | undefined;
  confidence: number | undefined;
  alternatives: Alt<number | string>[];
}

function altsOf<T>(hit: DetectionHit<T>, turn: number): Alt<T>[] {
  return (hit.alternatives ?? []).map((a) => ({
    value: a.value,
    reason: a.reason,
    turn,
    start: a.span[0],
    end: a.span[1],
  }));
}

function addBounded<T>(list: Alt<T>[], more: Alt<T>[]): void {
  for (const a of more) {
    if (list.some((b) => b.turn === a.turn && b.start === a.start && b.value === a.value)) continue;
    pushBounded(list, a, MAX_SIGNAL_ALTERNATIVES, false);
  }
}

function higher(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

function evidenceOf(hit: DetectionHit<unknown>, input: MergeInput, excerpt: Excerpt): Ev {
  const [start, end] = hit.span;
  return new Ev(input.turnIndex, start, end, hit.rule, excerpt?.(start, end));
}

function pushBounded<T>(list: T[], item: T, max: number, keepFirst: boolean): void {
  if (list.length < max) list.push(item);
  else if (keepFirst) list[max - 1] = item;
  else {
    list.shift();
    list.push(item);
  }
}

export class SignalState {
  readonly #scalars: Partial<Record<ScalarName, ScalarState>> = {};
  /** Current integration needs in the order stated, each with the evidence of its statement. */
  #integrations: { id: IntegrationId; evidence: Ev; confidence: number | undefined }[] = [];
  /** Tools mentioned but not needed (another organisation's, the prospect's own API, …). */
  readonly #integrationAlternatives: Alt<IntegrationId>[] = [];
  readonly #integrationHistory: { value: IntegrationId[]; evidence: Ev }[] = [];

  /** Number of signals currently present. */
  get count(): number {
    let n = this.#integrations.length > 0 ? 1 : 0;
    for (const name of SCALARS) if (this.#scalars[name]) n += 1;
    return n;
  }

  /** Applies one user message's detection. Returns the number of changes. */
  merge(input: MergeInput): number {
    let changes = 0;
    const excerpt = input.text === undefined ? undefined : excerpter(input.pii ?? 'full', input.text);
    for (const name of SCALARS) {
      const hit = input.detection[name] as DetectionHit<number | string> | undefined;
      if (hit) changes += this.#mergeScalar(name, hit, evidenceOf(hit, input, excerpt), input.turnIndex);
    }
    const skipped = input.detection.integrations_skipped ?? [];
    addBounded(
      this.#integrationAlternatives,
      skipped.map((a) => ({
        value: a.value,
        reason: a.reason,
        turn: input.turnIndex,
        start: a.span[0],
        end: a.span[1],
      })),
    );
    return changes + this.#mergeIntegrations(input, excerpt);
  }

  #mergeScalar(name: ScalarName, hit: DetectionHit<number | string>, ev: Ev, turn: number): number {
    const value = hit.value;
    const cur = this.#scalars[name];
    if (!cur) {
      this.#scalars[name] = {
        value,
        evidence: [ev],
        history: undefined,
        confidence: hit.confidence,
        alternatives: altsOf(hit, turn),
      };
    } else if (cur.value === value) {
      pushBounded(cur.evidence, ev, MAX_EVIDENCE, true);
      cur.confidence = higher(cur.confidence, hit.confidence);
      addBounded(cur.alternatives, altsOf(hit, turn));
    } else {
      const last = cur.evidence[cur.evidence.length - 1] ?? ev;
      cur.history ??= [];
      pushBounded(cur.history, { value: cur.value, evidence: last }, MAX_HISTORY, false);
      cur.value = value;
      cur.evidence = [ev];
      cur.confidence = hit.confidence;
      cur.alternatives = altsOf(hit, turn);
    }
    return 1;
  }

  #mergeIntegrations(input: MergeInput, excerpt: Excerpt): number {
    const ops = [
      ...(input.detection.integration_needs ?? []).map((hit) => ({ hit, add: true })),
      ...(input.detection.integrations_negated ?? []).map((hit) => ({ hit, add: false })),
    ].sort((a, b) => a.hit.span[0] - b.hit.span[0]);
    let changes = 0;
    for (const { hit, add } of ops) {
      const at = this.#integrations.findIndex((it) => it.id === hit.value);
      if (add && at === -1) {
        this.#integrations.push({
          id: hit.value,
          evidence: evidenceOf(hit, input, excerpt),
          confidence: hit.confidence,
        });
        changes += 1;
      } else if (add) {
        const it = this.#integrations[at];
        if (it) it.confidence = higher(it.confidence, hit.confidence);
      } else if (!add && at !== -1) {
        const before = this.#integrations.map((it) => it.id).sort();
        const [removed] = this.#integrations.splice(at, 1);
        this.#integrationHistory.push({
          value: before,
          evidence: removed?.evidence ?? evidenceOf(hit, input, excerpt),
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
      const s = this.#scalars[name];
      if (!s) continue;
      const sig: Record<string, unknown> = { value: s.value, evidence: s.evidence.map(copyEvidence) };
      if (s.history && s.history.length > 0)
        sig.history = s.history.map((h) => ({ value: h.value, evidence: copyEvidence(h.evidence) }));
      if (s.confidence !== undefined) sig.confidence = round2(s.confidence);
      const alts = s.alternatives.filter((a) => a.value !== s.value);
      if (alts.length > 0) sig.alternatives = alts.map(copyAlt);
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
      const confidences = this.#integrations.flatMap((it) =>
        it.confidence === undefined ? [] : [it.confidence],
      );
      if (confidences.length > 0) sig.confidence = round2(Math.min(...confidences));
      const needed = new Set(this.#integrations.map((it) => it.id));
      const alts = this.#integrationAlternatives.filter((a) => !needed.has(a.value));
      if (alts.length > 0) sig.alternatives = alts.map(copyAlt);
      out.integration_needs = sig;
    }
    return out as Signals;
  }
}

function copyEvidence(ev: Ev): Evidence {
  const c: Evidence = { turn_index: ev.turn, span: [ev.start, ev.end], rule: ev.rule };
  if (ev.excerpt !== undefined) c.excerpt = ev.excerpt;
  return c;
}

function copyAlt<T>(a: Alt<T>): { value: T; reason: string; turn_index: number; span: [number, number] } {
  return { value: a.value, reason: a.reason, turn_index: a.turn, span: [a.start, a.end] };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
