/**
 * What the plugin records: small, normalised events. The live plugin and journal recovery feed
 * the same events to the same recorder, so a recovered payload is built exactly like a live one.
 * Each is one JSON line in the journal. Text appears only when the transcript policy keeps it;
 * tool arguments are already under the PII policy.
 */
import type { AgentMetrics } from '@livekit/agents';
import type { ErrorComponent, PiiMode, ToolCall } from '../schema/session_payload.js';
import type { DetectionResult } from './detection.js';

export type RecordedEvent =
  /** A user message: its detection result (spans, rules), and its text only under the transcript policy. */
  | {
      k: 'user';
      at: number;
      det: DetectionResult;
      text?: string;
      speech?: [number, number];
      /** The reply it prompted (agents-js creates the reply's speech before it announces the message). */
      turn_id?: string | null;
    }
  | {
      k: 'assistant';
      at: number;
      text?: string;
      interrupted?: boolean;
      turn_id?: string | null;
      /** When the reply played (ms) and the silence before it (agents-js `e2eLatency`, ms). */
      speech?: [number, number];
      perceived_ms?: number;
    }
  | { k: 'tool'; at: number; call: ToolCall }
  | { k: 'metrics'; at: number; m: AgentMetrics }
  | { k: 'speech'; at: number; id: string; source?: string }
  | { k: 'interrupted'; at: number; id: string }
  | {
      k: 'error';
      at: number;
      source: string;
      message: string;
      recoverable: boolean;
      /** Since error tracking by component (`error_log.ts`); older journals lack them. */
      component?: ErrorComponent;
      type?: string;
      turn_id?: string | null;
      status_code?: number;
    }
  | { k: 'participant'; at: number; identity: string | null; kind: string | null }
  | { k: 'handler_error'; at: number; where: string };

export interface JournalHeader {
  k: 'header';
  v: 1;
  session_id: string;
  agent: { name: string; version: string; prompt_version: string };
  pid: number;
  started_at: number;
  pii: PiiMode;
  transcripts: boolean;
  room: { name: string | null; sid: string | null };
  participant: { identity: string | null; kind: string | null };
  labels?: Record<string, string>;
  lead_tools?: string[];
}
