/**
 * Metrics events without a turn id (STT, VAD, realtime, …), kept as they came with their keys in
 * snake_case. Frequent ones (VAD reports every second) are kept one by one up to `perTypeLimit` (5)
 * per type; past that, further events of the type are folded into one `<type>` row whose numbers
 * are sums and whose `folded_events` counts them, so nothing is dropped and the payload stays small.
 */
import type { AgentMetrics } from '@livekit/agents';
import type { UnattributedMetric } from '../schema/session_payload.js';

type Scalar = number | string | boolean;
const snakeCache = new Map<string, string>();

function snake(key: string): string {
  let s = snakeCache.get(key);
  if (s === undefined) {
    s = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    snakeCache.set(key, s);
  }
  return s;
}

/**
 * Copies the scalar fields of a metrics event into `out` (keys in snake_case; `metadata` without a
 * prefix). With `fold`, numbers are added to what `out` holds: no allocation on the hot path.
 */
function flatten(
  obj: Record<string, unknown>,
  prefix: string,
  out: Record<string, Scalar>,
  depth: number,
  fold: boolean,
): void {
  for (const key in obj) {
    if (key === 'type' || key === 'timestamp') continue;
    const v = obj[key];
    const name = key === 'metadata' ? '' : prefix === '' ? snake(key) : `${prefix}${snake(key)}`;
    if (typeof v === 'number') {
      const prev = out[name];
      out[name] = fold && typeof prev === 'number' ? prev + v : v;
    } else if (typeof v === 'string' || typeof v === 'boolean') out[name] = v;
    else if (v && typeof v === 'object' && depth < 2)
      flatten(v as Record<string, unknown>, name ? `${name}.` : '', out, depth + 1, fold);
  }
}

interface Row {
  type: string;
  atMs: number | null;
  values: Record<string, Scalar>;
}

interface PerType {
  type: string;
  kept: number;
  folded: Row | undefined;
}

export class UnattributedMetrics {
  readonly #rows: Row[] = [];
  readonly #perType: PerType[] = [];

  constructor(private readonly perTypeLimit = 5) {}

  #state(type: string): PerType {
    for (const s of this.#perType) if (s.type === type) return s;
    const s: PerType = { type, kept: 0, folded: undefined };
    this.#perType.push(s);
    return s;
  }

  add(m: AgentMetrics): void {
    const at = typeof m.timestamp === 'number' && Number.isFinite(m.timestamp) ? m.timestamp : null;
    const state = this.#state(m.type);
    const fields = m as unknown as Record<string, unknown>;
    if (state.kept < this.perTypeLimit) {
      state.kept += 1;
      const values: Record<string, Scalar> = {};
      flatten(fields, '', values, 0, false);
      this.#rows.push({ type: m.type, atMs: at, values });
      return;
    }
    if (!state.folded) {
      const values: Record<string, Scalar> = { folded_events: 0 };
      flatten(fields, '', values, 0, false);
      state.folded = { type: m.type, atMs: at, values };
      this.#rows.push(state.folded);
    } else {
      flatten(fields, '', state.folded.values, 0, true);
      state.folded.atMs = at;
    }
    state.folded.values.folded_events = Number(state.folded.values.folded_events ?? 0) + 1;
  }

  toArray(): UnattributedMetric[] {
    return this.#rows.map((r) => ({
      type: r.type,
      at: r.atMs === null ? null : new Date(r.atMs).toISOString(),
      values: { ...r.values },
    }));
  }
}
