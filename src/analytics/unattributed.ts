/**
 * Metrics events without a turn id (STT, VAD, realtime, …), kept as they came with their keys in
 * snake_case. Frequent ones (VAD reports every second) are kept one by one up to `perTypeLimit`
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

function flatten(
  obj: Record<string, unknown>,
  prefix: string,
  out: Record<string, Scalar>,
  depth: number,
): void {
  for (const key in obj) {
    if (key === 'type' || key === 'timestamp') continue;
    const v = obj[key];
    // `metadata` (provider/model) is flattened without a prefix: model_provider, model_name.
    const name = key === 'metadata' ? '' : `${prefix}${snake(key)}`;
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[name] = v;
    else if (v && typeof v === 'object' && depth < 2)
      flatten(v as Record<string, unknown>, name ? `${name}.` : '', out, depth + 1);
  }
}

export class UnattributedMetrics {
  readonly #rows: UnattributedMetric[] = [];
  readonly #perType = new Map<string, { kept: number; folded?: UnattributedMetric }>();

  constructor(private readonly perTypeLimit = 20) {}

  add(m: AgentMetrics): void {
    const values: Record<string, Scalar> = {};
    flatten(m as unknown as Record<string, unknown>, '', values, 0);
    const at = typeof m.timestamp === 'number' ? new Date(m.timestamp).toISOString() : null;
    let state = this.#perType.get(m.type);
    if (!state) {
      state = { kept: 0 };
      this.#perType.set(m.type, state);
    }
    if (state.kept < this.perTypeLimit) {
      state.kept += 1;
      this.#rows.push({ type: m.type, at, values });
      return;
    }
    if (!state.folded) {
      state.folded = { type: m.type, at, values: { ...values, folded_events: 1 } };
      this.#rows.push(state.folded);
      return;
    }
    const f = state.folded.values;
    for (const [k, v] of Object.entries(values)) {
      const prev = f[k];
      f[k] = typeof v === 'number' && typeof prev === 'number' ? prev + v : v;
    }
    f.folded_events = Number(f.folded_events ?? 0) + 1;
    state.folded.at = at;
  }

  toArray(): UnattributedMetric[] {
    return this.#rows.map((r) => ({ type: r.type, at: r.at, values: { ...r.values } }));
  }
}
