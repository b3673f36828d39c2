/**
 * Turns recorded events into the session payload. Synchronous and I/O-free: the live plugin
 * and journal recovery both feed it `RecordedEvent`s and call `build` once at the end.
 */
import { metrics } from '@livekit/agents';
import {
  type EndReason,
  type ErrorComponent,
  type Lead,
  type PiiMode,
  SCHEMA_VERSION,
  type SessionError,
  type SessionPayload,
  type Stage,
  type ToolCall,
} from '../schema/session_payload.js';
import { componentOfMetric, ErrorLog } from './error_log.js';
import type { RecordedEvent } from './events.js';
import { mergeLead, redactText } from './pii.js';
import { SignalState } from './signal_merge.js';
import { deriveStageAndOutcome, TOOL_NAMES } from './stage_rules.js';
import { TurnTable } from './turns.js';
import { UnattributedMetrics } from './unattributed.js';
import { usageFrom } from './usage.js';
import { VoiceTurns } from './voice_turns.js';

export const DEFAULT_LEAD_TOOLS: readonly string[] = [TOOL_NAMES.book, TOOL_NAMES.callback];
const DEFAULT_LEAD_TOOL_SET: ReadonlySet<string> = new Set(DEFAULT_LEAD_TOOLS);
const MAX_ERRORS = 50;
const MAX_TRANSCRIPT_LINES = 1000;

export interface RecorderInit {
  sessionId: string;
  agent: { name: string; version: string; prompt_version: string };
  startedAt: number;
  pii: PiiMode;
  transcripts: boolean;
  room?: { name: string | null; sid: string | null };
  participant?: { identity: string | null; kind: string | null };
  labels?: Record<string, string>;
  /** Tools whose arguments carry the lead's contact fields. */
  leadTools?: readonly string[];
}

export interface EndInfo {
  endedAt: number;
  endReason: EndReason;
  closedWithError?: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

export interface LiveFacts {
  stage: Stage;
  turns: number;
  userMessages: number;
  signals: string[];
  toolCalls: number;
  e2eLastMs: number | null;
  e2eP50Ms: number | null;
  llmTtftLastMs: number | null;
  errors: number;
  errorsByComponent: Partial<Record<ErrorComponent, number>>;
}

export class SessionRecorder {
  readonly init: RecorderInit;
  readonly counters = { handler_errors: 0, events_seen: 0 };
  readonly #signals = new SignalState();
  readonly #turns = new TurnTable();
  readonly #unattributed = new UnattributedMetrics();
  readonly #usage = new metrics.ModelUsageCollector();
  readonly #voice: VoiceTurns;
  readonly #tools: ToolCall[] = [];
  readonly #errors = new ErrorLog(MAX_ERRORS);
  readonly #transcript: { role: 'user' | 'assistant'; text: string; at: string | null }[] = [];
  readonly #lead: Lead;
  readonly #leadTools: ReadonlySet<string>;
  #participant: { identity: string | null; kind: string | null };
  #userMessages = 0;
  #assistantMessages = 0;

  constructor(init: RecorderInit) {
    this.init = init;
    this.#voice = new VoiceTurns(init.startedAt, (fromMs) => this.#turns.firstStartedFrom(fromMs));
    this.#lead = { pii_mode: init.pii };
    this.#leadTools = init.leadTools ? new Set(init.leadTools) : DEFAULT_LEAD_TOOL_SET;
    this.#participant = init.participant ?? { identity: null, kind: null };
  }

  get userMessages(): number {
    return this.#userMessages;
  }

  get signalCount(): number {
    return this.#signals.count;
  }

  get toolCallCount(): number {
    return this.#tools.length;
  }

  /** The agent ended the call itself (`end_call` succeeded). */
  get endedByAgent(): boolean {
    return this.#tools.some((t) => t.name === TOOL_NAMES.endCall && t.status === 'ok');
  }

  get turnCount(): number {
    return this.#turns.size;
  }

  /** What a progress snapshot reports of the call so far (`progress.ts`); O(turns), no I/O. */
  liveFacts(): LiveFacts {
    const { stage } = deriveStageAndOutcome({
      signalCount: this.#signals.count,
      toolCalls: this.#tools,
      assistantMessages: this.#assistantMessages,
      endReason: 'unknown',
      closedWithError: false,
    });
    const turns = this.#turns.toTurns();
    const e2e = turns.map((t) => t.e2e_latency_ms).filter((v): v is number => v !== null);
    const sorted = [...e2e].sort((a, b) => a - b);
    const last = turns[turns.length - 1];
    const byComponent = this.#errors.countByComponent();
    return {
      stage: stage.reached,
      turns: turns.length,
      userMessages: this.#userMessages,
      signals: Object.keys(this.#signals.toSignals()),
      toolCalls: this.#tools.length,
      e2eLastMs: e2e.length > 0 ? (e2e[e2e.length - 1] ?? null) : null,
      e2eP50Ms: sorted.length > 0 ? (sorted[Math.floor((sorted.length - 1) / 2)] ?? null) : null,
      llmTtftLastMs: last?.llm_ttft_ms ?? null,
      errors: this.#errors.size,
      errorsByComponent: byComponent,
    };
  }

  /** Applies one event. May throw on malformed input; callers guard and count. */
  apply(ev: RecordedEvent): void {
    this.counters.events_seen += 1;
    switch (ev.k) {
      case 'user': {
        this.#voice.user(ev.speech);
        const turnIndex = this.#userMessages++;
        this.#signals.merge({
          turnIndex,
          detection: ev.det,
          ...(this.init.transcripts && ev.text !== undefined ? { text: ev.text, pii: this.init.pii } : {}),
        });
        if (this.init.transcripts && ev.text !== undefined) {
          const text = redactText(this.init.pii, ev.text);
          this.#line('user', text, ev.at);
          // The turn row of the reply it prompted carries it too (`turns[].user_text`).
          if (ev.turn_id) this.#turns.text(ev.turn_id, 'user', text);
        }
        return;
      }
      case 'assistant':
        this.#assistantMessages += 1;
        this.#voice.assistant(ev.turn_id, ev.speech, ev.perceived_ms);
        if (ev.interrupted && ev.turn_id) this.#turns.interrupted(ev.turn_id);
        if (this.init.transcripts && ev.text !== undefined) {
          const text = redactText(this.init.pii, ev.text);
          this.#line('assistant', text, ev.at);
          if (ev.turn_id) this.#turns.text(ev.turn_id, 'agent', text);
        }
        return;
      case 'tool':
        this.#tool(ev.call, ev.at);
        return;
      case 'metrics': {
        const worked = componentOfMetric((ev.m as { type?: string }).type);
        if (worked) this.#errors.success(worked, ev.at);
        this.#voice.metrics(ev.m);
        this.#usage.collect(ev.m);
        if (!this.#turns.apply(ev.m)) this.#unattributed.add(ev.m);
        return;
      }
      case 'speech':
        this.#turns.started(ev.id, ev.at);
        return;
      case 'interrupted':
        this.#turns.interrupted(ev.id);
        return;
      case 'error':
        this.#error(
          {
            at: iso(ev.at),
            source: ev.source,
            message: ev.message,
            recoverable: ev.recoverable,
            ...(ev.component && {
              component: ev.component,
              type: ev.type ?? 'error',
              severity: ev.recoverable ? 'warning' : 'error',
              turn_id: ev.turn_id ?? null,
            }),
            ...(ev.status_code !== undefined && { status_code: ev.status_code }),
          },
          ev.at,
        );
        return;
      case 'participant':
        this.#participant = { identity: ev.identity, kind: ev.kind };
        return;
      case 'handler_error':
        this.noteHandlerError(ev.where, ev.at);
        return;
      default: {
        const never: never = ev;
        throw new Error(`unknown recorded event ${String((never as { k?: unknown }).k)}`);
      }
    }
  }

  /** Counts one of the plugin's own failures (also listed in `errors` with a static message). */
  noteHandlerError(where: string, atMs: number): void {
    this.counters.handler_errors += 1;
    this.#error(
      {
        at: iso(atMs),
        source: 'analytics',
        message: `handler failed: ${where}`,
        recoverable: true,
      },
      atMs,
    );
  }

  /** A transcript line; callers mask emails and phone numbers first (unless the PII mode is full). */
  #line(role: 'user' | 'assistant', text: string, at: number): void {
    if (this.#transcript.length < MAX_TRANSCRIPT_LINES) this.#transcript.push({ role, text, at: iso(at) });
  }

  #error(e: SessionError, atMs: number): void {
    this.#errors.add(e, atMs);
  }

  #tool(call: ToolCall, at: number): void {
    this.#tools.push(call);
    if (call.status === 'ok' && this.#leadTools.has(call.name)) {
      mergeLead(this.#lead, call.arguments);
    }
    if (call.status === 'error') {
      this.#error(
        {
          at: iso(at),
          source: `tool:${call.name}`,
          message: call.error ?? 'tool failed',
          recoverable: true,
          component: 'tool',
          type: 'tool_error',
          severity: 'warning',
          turn_id: call.turn_id,
        },
        at,
      );
    } else {
      this.#errors.success(`tool:${call.name}`, at);
    }
  }

  build(end: EndInfo): SessionPayload {
    const { stage, outcome } = deriveStageAndOutcome({
      signalCount: this.#signals.count,
      toolCalls: this.#tools,
      assistantMessages: this.#assistantMessages,
      endReason: end.endReason,
      closedWithError: end.closedWithError ?? false,
    });
    const endedAt = Math.max(end.endedAt, this.init.startedAt);
    const turns = this.#turns.toTurns();
    const voice = this.#voice.decorate(turns);
    const payload: SessionPayload = {
      schema_version: SCHEMA_VERSION,
      session_id: this.init.sessionId,
      agent: { ...this.init.agent },
      room: this.init.room ? { ...this.init.room } : { name: null, sid: null },
      participant: { ...this.#participant },
      started_at: iso(this.init.startedAt),
      ended_at: iso(endedAt),
      duration_ms: endedAt - this.init.startedAt,
      end_reason: end.endReason,
      signals: this.#signals.toSignals(),
      tool_calls: this.#tools.map((t) => ({ ...t, arguments: { ...t.arguments } })),
      turns,
      unattributed_metrics: this.#unattributed.toArray(),
      stage,
      outcome,
      lead: { ...this.#lead },
      usage: usageFrom(this.#usage),
      errors: this.#errors.toErrors(end.closedWithError ?? false),
      analytics: { ...this.counters },
    };
    if (voice) payload.voice = voice;
    if (this.init.transcripts) payload.transcript = this.#transcript.map((l) => ({ ...l }));
    if (this.init.labels && Object.keys(this.init.labels).length > 0)
      payload.labels = { ...this.init.labels };
    return payload;
  }
}
