/**
 * Errors by component: what the plugin records for every STT, LLM, TTS, VAD (interruption
 * detection) and tool error, and how each is judged at the end of the call.
 *
 * - component: from the agents-js error's `type` (`stt_error`, `llm_error`, `tts_error`,
 *   `realtime_model_error`, `interruption_detection_error` → `vad`), `tool` for a failed tool call.
 * - type:      the error class agents-js raised (`APIStatusError`, `APITimeoutError`,
 *   `APIConnectionError`, …) or `tool_error`.
 * - severity:  `warning` when agents-js retries it (its `recoverable` flag), `error` when it does
 *   not, `critical` for the last unrecoverable error of a session that closed with an error.
 * - recovered: the same component succeeded later in the call (a metrics event of that component,
 *   an ok call of the same tool): the retry or the next turn worked.
 * - attempt:   1 for the first error of a component in a turn, 2 for the next one in the same turn
 *   (agents-js emits one recoverable error per failed retry), …
 */
import type { ErrorComponent, SessionError } from '../schema/session_payload.js';

/** The fields the `error` recorded event carries beyond the original four. */
export interface ErrorDetail {
  component: ErrorComponent;
  type: string;
  turn_id: string | null;
  status_code?: number;
}

const BY_EVENT_TYPE: Record<string, ErrorComponent> = {
  stt_error: 'stt',
  llm_error: 'llm',
  tts_error: 'tts',
  realtime_model_error: 'realtime',
  interruption_detection_error: 'vad',
  vad_error: 'vad',
};

/** Metrics event types that show a component working. */
const SUCCESS_BY_METRIC: Record<string, ErrorComponent> = {
  stt_metrics: 'stt',
  llm_metrics: 'llm',
  tts_metrics: 'tts',
  vad_metrics: 'vad',
  realtime_model_metrics: 'realtime',
};

export function componentOfEventType(type: string | undefined): ErrorComponent {
  return (type && BY_EVENT_TYPE[type]) || 'other';
}

export function componentOfMetric(type: string | undefined): ErrorComponent | undefined {
  return type ? SUCCESS_BY_METRIC[type] : undefined;
}

/**
 * Reads an agents-js `ErrorEvent.error` (`{type, label, error, recoverable}`, or an
 * `InterruptionDetectionError` which is itself the error). Never throws.
 */
export function describeAgentError(e: unknown, turnId: string | null): ErrorDetail {
  const o = (e ?? {}) as { type?: unknown; error?: unknown; name?: unknown };
  const type = typeof o.type === 'string' ? o.type : undefined;
  const inner = (o.error instanceof Error ? o.error : e instanceof Error ? e : undefined) as
    | (Error & { statusCode?: unknown })
    | undefined;
  const detail: ErrorDetail = {
    component: componentOfEventType(type),
    type: (inner?.name || (type ?? 'error')).slice(0, 100),
    turn_id: turnId,
  };
  const status = inner?.statusCode;
  if (typeof status === 'number' && Number.isInteger(status) && status > 0) detail.status_code = status;
  return detail;
}

interface Entry {
  error: SessionError;
  atMs: number;
}

/** The session's errors in order, bounded; judges `recovered`, `attempt` and `critical` at the end. */
export class ErrorLog {
  readonly #entries: Entry[] = [];
  /** Last time each component (or `tool:<name>`) succeeded. */
  readonly #lastSuccess = new Map<string, number>();
  readonly #perTurn = new Map<string, number>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.#entries.length;
  }

  /** Count per component so far (for progress snapshots). */
  countByComponent(): Partial<Record<ErrorComponent, number>> {
    const out: Partial<Record<ErrorComponent, number>> = {};
    for (const { error } of this.#entries) {
      const c = error.component ?? 'other';
      out[c] = (out[c] ?? 0) + 1;
    }
    return out;
  }

  add(error: SessionError, atMs: number): void {
    if (this.#entries.length >= this.max) return;
    if (error.component && error.component !== 'analytics') {
      const key = `${error.component}\u0000${error.turn_id ?? ''}\u0000${error.source}`;
      const n = (this.#perTurn.get(key) ?? 0) + 1;
      this.#perTurn.set(key, n);
      error.attempt = n;
    }
    this.#entries.push({ error, atMs });
  }

  /** A component (`llm`, …) or a tool (`tool:<name>`) worked at `atMs`. */
  success(key: string, atMs: number): void {
    const prev = this.#lastSuccess.get(key);
    if (prev === undefined || atMs > prev) this.#lastSuccess.set(key, atMs);
  }

  toErrors(closedWithError: boolean): SessionError[] {
    const out = this.#entries.map(({ error, atMs }) => {
      const e = { ...error };
      if (e.component && e.component !== 'analytics') {
        const key = e.component === 'tool' ? e.source : e.component;
        const ok = this.#lastSuccess.get(key);
        e.recovered = ok !== undefined && ok > atMs;
      }
      return e;
    });
    if (closedWithError) {
      for (let i = out.length - 1; i >= 0; i--) {
        const e = out[i]!;
        if (e.severity === 'error' && !e.recovered) {
          e.severity = 'critical';
          break;
        }
      }
    }
    return out;
  }
}
