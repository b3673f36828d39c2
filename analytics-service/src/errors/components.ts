/**
 * Error components as the worker counts them. Payloads from plugins older than error tracking
 * carry only `source` (`llm`, `stt`, `tts`, `realtime`, `tool:<name>`, `analytics`): the
 * component is read from it, and the severity from `recoverable`.
 */
import type { ErrorComponent, SessionError } from '../../../src/schema/index.js';

/** The components with an error-rate target, and what each rate divides by. */
export const RATE_COMPONENTS = ['overall', 'stt', 'llm', 'tts', 'vad', 'tool'] as const;
export type RateComponent = (typeof RATE_COMPONENTS)[number];

/** Default targets (the product brief): errors per turn, and failed calls per tool call. */
export const DEFAULT_ERROR_THRESHOLDS: Readonly<Record<RateComponent, number>> = Object.freeze({
  overall: 0.05,
  stt: 0.02,
  llm: 0.03,
  tts: 0.01,
  vad: 0.02,
  tool: 0.05,
});

export function errorComponent(e: SessionError): ErrorComponent {
  if (e.component) return e.component;
  const s = e.source;
  if (s === 'llm' || s === 'stt' || s === 'tts' || s === 'realtime' || s === 'analytics' || s === 'vad')
    return s;
  if (s.startsWith('tool:')) return 'tool';
  if (s === 'interruption_detection') return 'vad';
  return 'other';
}

export function errorSeverity(e: SessionError): 'warning' | 'error' | 'critical' {
  return e.severity ?? (e.recoverable ? 'warning' : 'error');
}
