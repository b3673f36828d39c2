/**
 * `attachAnalytics`: hooks an `AgentSession`'s own events, records them (and journals them when
 * asked), and on Close or job shutdown, whichever comes first, assembles the payload once and
 * hands it to `publish`. Every handler is guarded: an analytics failure is logged and counted,
 * never thrown into the agent; nothing on the event path awaits I/O.
 */
import { randomUUID } from 'node:crypto';
import type { JobContext, llm, voice } from '@livekit/agents';
import { voice as lkVoice } from '@livekit/agents';
import { type Logger, silentLogger } from '../log.js';
import type { EndReason, PiiMode, SessionPayload } from '../schema/session_payload.js';
import { ConversationWindow } from './conversation_window.js';
import type { DetectFn, DetectionHit, DetectionResult } from './detection.js';
import { describeAgentError } from './error_log.js';
import type { JournalHeader, RecordedEvent } from './events.js';
import { JournalWriter } from './journal.js';
import type { AnalyticsCounters, AnalyticsHandle, AnalyticsOptions } from './options.js';
import { buildPayload, publishFailed } from './payload.js';
import { type ContactHash, hashContact, redactText } from './pii.js';
import { createPiiHasher } from './pii_keyed.js';
import { ProgressReporter } from './progress.js';
import { SessionRecorder } from './recorder.js';
import { detectSignals } from './signals/index.js';
import { toolCallRecord } from './tool_calls.js';
import { isAdapterTtsMetrics, speechSpan, ttsIsWrapped, voiceFields } from './voice_turns.js';

const Ev = lkVoice.AgentSessionEventTypes;
const PARTICIPANT_KINDS = ['standard', 'ingress', 'egress', 'sip', 'agent'];

export function attachAnalytics(
  session: voice.AgentSession,
  ctx: JobContext | undefined,
  options: AnalyticsOptions,
): AnalyticsHandle {
  const log = componentLogger(options.logger ?? silentLogger);
  const clock = options.clock ?? Date;
  const pii: PiiMode = options.pii?.mode ?? 'hashed';
  const transcripts = options.pii?.transcripts ?? false;
  // Throws on a short key: a configuration error, reported when the plugin is attached.
  const hash: ContactHash = options.pii?.hashKey ? createPiiHasher(options.pii.hashKey).hash : hashContact;
  const detect: DetectFn = options.detect ?? detectSignals;
  const conversation = new ConversationWindow();
  const sessionId = options.sessionId ?? safe(() => ctx?.job.id) ?? randomUUID();
  const startedAt = clock.now();
  const room = {
    name: safe(() => ctx?.job.room?.name || ctx?.room.name) ?? null,
    sid: safe(() => ctx?.job.room?.sid) || null,
  };
  const agent = {
    name: options.agent.name,
    version: options.agent.version,
    prompt_version: options.agent.promptVersion,
  };
  const recorder = new SessionRecorder({
    sessionId,
    agent,
    startedAt,
    pii,
    transcripts,
    room,
    ...(options.labels ? { labels: options.labels } : {}),
    ...(options.leadTools ? { leadTools: options.leadTools } : {}),
  });

  let journal: JournalWriter | undefined;
  let journalFailed = false;
  if (options.journal) {
    try {
      const header: JournalHeader = {
        k: 'header',
        v: 1,
        session_id: sessionId,
        agent,
        pid: process.pid,
        started_at: startedAt,
        pii,
        transcripts,
        room,
        participant: { identity: null, kind: null },
        ...(options.labels ? { labels: options.labels } : {}),
        ...(options.leadTools ? { lead_tools: options.leadTools } : {}),
      };
      journal = new JournalWriter(options.journal.dir, header, {
        ...(options.journal.flushIntervalMs ? { flushIntervalMs: options.journal.flushIntervalMs } : {}),
        onError: (err) => {
          if (journalFailed) return;
          journalFailed = true;
          log.warn({ err, sessionId }, 'analytics journal write failed');
        },
      });
    } catch (err) {
      log.warn({ err, sessionId }, 'analytics journal could not be opened');
    }
  }

  let done = false;
  let result: Promise<SessionPayload> | undefined;
  let participantSeen = false;
  /**
   * The speeches not yet done, by id, oldest first (a Map keeps insertion order): each knows the
   * chat items it produced (`chatItems`); the newest is the turn being answered.
   */
  const handles = new Map<string, voice.SpeechHandle>();
  const currentTurn = (): string | null => {
    let newest: string | null = null;
    for (const id of handles.keys()) newest = id;
    return newest;
  };
  /**
   * The turn a reply or tool call belongs to: the speech whose chat items hold it (agents-js adds
   * the item to its speech just before announcing it), else the newest speech. When the caller
   * barges in, the next reply's speech exists before the interrupted reply is announced, so the
   * newest speech would be the wrong turn.
   */
  const turnOf = (item: { id?: string }): string | null => {
    for (const [id, h] of handles) {
      const items = safe(() => h.chatItems) ?? [];
      if (items.some((c) => c === item || (item.id !== undefined && c.id === item.id))) return id;
    }
    return currentTurn();
  };

  const progress = options.progress
    ? new ProgressReporter(recorder, options.progress, clock, log)
    : undefined;

  const record = (ev: RecordedEvent, flushNow = false) => {
    recorder.apply(ev);
    journal?.append(ev, flushNow);
    progress?.poke();
  };

  const handlerFailed = (where: string, err: unknown) => {
    try {
      const at = clock.now();
      recorder.noteHandlerError(where, at);
      journal?.append({ k: 'handler_error', at, where });
      log.warn({ err, where, sessionId }, 'analytics handler failed');
    } catch {
      // Nothing left to do: never throw into the agent.
    }
  };

  /** Handler time per event (µs); `signal_detection` is the detector's part of a user message's. */
  const handlerTimeBy = new Map<string, { total: number; max: number; calls: number }>();
  const addTime = (where: string, us: number) => {
    let by = handlerTimeBy.get(where);
    if (by === undefined) {
      by = { total: 0, max: 0, calls: 0 };
      handlerTimeBy.set(where, by);
    }
    by.total += us;
    by.calls += 1;
    if (us > by.max) by.max = us;
  };
  const guard =
    <A extends unknown[]>(where: string, fn: (...args: A) => void) =>
    (...args: A): void => {
      if (done) return;
      const t0 = performance.now();
      try {
        fn(...args);
      } catch (err) {
        handlerFailed(where, err);
      }
      addTime(where, (performance.now() - t0) * 1000);
    };

  const noteParticipant = () => {
    if (participantSeen || !ctx) return;
    const p = safe(() => [...ctx.room.remoteParticipants.values()][0]);
    if (!p) return;
    participantSeen = true;
    const identity = p.identity ? policyIdentity(pii, p.identity, hash) : null;
    const kind = typeof p.kind === 'number' ? (PARTICIPANT_KINDS[p.kind] ?? String(p.kind)) : null;
    record({ k: 'participant', at: clock.now(), identity, kind });
  };

  const onItem = guard('conversation_item_added', (ev: voice.ConversationItemAddedEvent) => {
    const item = ev.item;
    if (item.type !== 'message') return;
    const at = clock.now();
    if (item.role === 'user') {
      noteParticipant();
      const text = item.textContent ?? '';
      const t0 = performance.now();
      const det = compactDetection(detect(text, conversation.turns()));
      // Part of this handler's time, told apart: agents-js announces the user's message after it
      // has sent the LLM request, so this overlaps the wait for the first token.
      addTime('signal_detection', (performance.now() - t0) * 1000);
      conversation.push('user', text);
      const speech = speechSpan(item.metrics);
      record({
        k: 'user',
        at,
        det,
        ...(transcripts ? { text } : {}),
        ...(speech ? { speech } : {}),
        turn_id: currentTurn(),
      });
    } else if (item.role === 'assistant') {
      conversation.push('agent', item.textContent ?? '');
      record({
        k: 'assistant',
        at,
        turn_id: turnOf(item),
        ...(item.interrupted ? { interrupted: true } : {}),
        ...(transcripts ? { text: item.textContent ?? '' } : {}),
        ...voiceFields(item.metrics),
      });
    }
  });

  const onTools = guard('function_tools_executed', (ev: voice.FunctionToolsExecutedEvent) => {
    const at = clock.now();
    ev.functionCalls.forEach((call: llm.FunctionCall, i: number) => {
      const call_ = toolCallRecord(call, ev.functionCallOutputs[i], { pii, turnId: turnOf(call), hash });
      record({ k: 'tool', at, call: call_ });
    });
    journal?.flush();
  });

  const ttsWrapped = safe(() => ttsIsWrapped(session.tts)) ?? false;
  const onMetrics = guard('metrics_collected', (ev: voice.MetricsCollectedEvent) => {
    if (isAdapterTtsMetrics(ev.metrics, ttsWrapped)) return;
    record({ k: 'metrics', at: ev.createdAt, m: ev.metrics });
  });

  const onSpeech = guard('speech_created', (ev: voice.SpeechCreatedEvent) => {
    const handle = ev.speechHandle;
    const id = handle.id;
    handles.set(id, handle);
    record({ k: 'speech', at: clock.now(), id, source: ev.source });
    handle.addDoneCallback(
      guard('speech_done', (sh: voice.SpeechHandle) => {
        handles.delete(id);
        if (sh.interrupted) record({ k: 'interrupted', at: clock.now(), id });
      }),
    );
  });

  const onError = guard('error', (ev: voice.ErrorEvent) => {
    const e = ev.error as {
      type?: string;
      error?: { message?: string };
      message?: string;
      recoverable?: boolean;
    };
    record({
      k: 'error',
      at: clock.now(),
      source: errorSource(e.type),
      message: redactText(pii, String(e.error?.message ?? e.message ?? 'error')).slice(0, 500),
      recoverable: e.recoverable ?? false,
      ...describeAgentError(e, currentTurn()),
    });
  });

  const onClose = (ev: voice.CloseEvent) => {
    try {
      void finalize(closeReason(String(ev.reason), recorder), ev.error != null);
    } catch (err) {
      handlerFailed('close', err);
    }
  };

  session.on(Ev.ConversationItemAdded, onItem);
  session.on(Ev.FunctionToolsExecuted, onTools);
  session.on(Ev.MetricsCollected, onMetrics);
  session.on(Ev.SpeechCreated, onSpeech);
  session.on(Ev.Error, onError);
  session.on(Ev.Close, onClose);
  const detach = () => {
    session.off(Ev.ConversationItemAdded, onItem);
    session.off(Ev.FunctionToolsExecuted, onTools);
    session.off(Ev.MetricsCollected, onMetrics);
    session.off(Ev.SpeechCreated, onSpeech);
    session.off(Ev.Error, onError);
    session.off(Ev.Close, onClose);
  };

  safe(() => progress?.start());

  const shutdownWaitMs = options.shutdownWaitMs ?? 5000;
  if (ctx) {
    try {
      ctx.addShutdownCallback(async () => {
        let timer: NodeJS.Timeout | undefined;
        const wait = new Promise<void>((r) => {
          timer = setTimeout(r, shutdownWaitMs);
        });
        await Promise.race([finalize('job_shutdown').then(() => undefined), wait]);
        clearTimeout(timer);
      });
    } catch (err) {
      log.warn({ err, sessionId }, 'analytics could not register a shutdown callback');
    }
  }

  function finalize(reason: EndReason = 'unknown', closedWithError = false): Promise<SessionPayload> {
    if (result) return result;
    done = true;
    safe(detach);
    progress?.stop();
    try {
      noteParticipant();
    } catch {
      // participant stays unknown
    }
    const payload = buildPayload(recorder, { endedAt: clock.now(), endReason: reason, closedWithError }, log);
    result = handOver(payload);
    return result;
  }

  async function handOver(payload: SessionPayload): Promise<SessionPayload> {
    let failure: string | undefined;
    try {
      failure = publishFailed(await options.publish(payload));
    } catch (err) {
      failure = 'publish threw';
      log.error({ err, sessionId }, 'analytics publish failed');
    }
    if (!journal) return payload;
    try {
      if (failure === undefined) {
        await journal.remove();
      } else {
        // Keep the journal with the finished payload so recovery can send it later.
        log.warn({ sessionId, failure }, 'analytics payload not published, kept in journal');
        journal.append({ k: 'end', payload });
        await journal.close();
      }
    } catch (err) {
      log.warn({ err, sessionId }, 'analytics journal cleanup failed');
    }
    return payload;
  }

  return {
    sessionId,
    get finalized() {
      return done;
    },
    finalize: (reason?: EndReason) => finalize(reason),
    snapshot: () => buildPayload(recorder, { endedAt: clock.now(), endReason: 'unknown' }, log),
    counters: (): AnalyticsCounters => ({
      events_seen: recorder.counters.events_seen,
      handler_errors: recorder.counters.handler_errors,
      user_messages: recorder.userMessages,
      signals: recorder.signalCount,
      tool_calls: recorder.toolCallCount,
      turns: recorder.turnCount,
      handler_time_us: handlerTimeSummary(handlerTimeBy),
      ...(progress && { progress: { ...progress.counters } }),
    }),
  };
}

/** One child logger per root logger, shared by every session (a child per call costs memory). */
const children = new WeakMap<Logger, Logger>();
function componentLogger(root: Logger): Logger {
  let child = children.get(root);
  if (!child) {
    child = root.child({ component: 'analytics' });
    children.set(root, child);
  }
  return child;
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** The per-event handler times, and their sum over the handlers (the detector's share is inside one). */
function handlerTimeSummary(
  by: ReadonlyMap<string, { total: number; max: number; calls: number }>,
): AnalyticsCounters['handler_time_us'] {
  const all = { total: 0, max: 0, calls: 0 };
  const byEvent: AnalyticsCounters['handler_time_us']['by_event'] = {};
  for (const [event, v] of by) {
    byEvent[event] = { total: Math.round(v.total), max: Math.round(v.max), calls: v.calls };
    if (event === 'signal_detection') continue;
    all.total += v.total;
    all.calls += v.calls;
    all.max = Math.max(all.max, v.max);
  }
  return { total: Math.round(all.total), max: Math.round(all.max), calls: all.calls, by_event: byEvent };
}

function policyIdentity(mode: PiiMode, identity: string, hash: ContactHash): string | null {
  if (mode === 'full') return identity;
  if (mode === 'none') return null;
  return hash('name', identity);
}

/** Only the fields the recorder reads, so the journal stays small whatever the detector adds. */
function compactDetection(d: DetectionResult): DetectionResult {
  const hit = <T>(h: DetectionHit<T>): DetectionHit<T> => {
    const out: DetectionHit<T> = { value: h.value, span: [h.span[0], h.span[1]], rule: h.rule };
    if (h.confidence !== undefined) out.confidence = h.confidence;
    if (h.alternatives?.length)
      out.alternatives = h.alternatives.map((a) => ({ ...a, span: [a.span[0], a.span[1]] }));
    return out;
  };
  const out: DetectionResult = {};
  if (d.team_size) out.team_size = hit(d.team_size);
  if (d.monthly_volume) out.monthly_volume = hit(d.monthly_volume);
  if (d.urgency) out.urgency = hit(d.urgency);
  if (d.industry) out.industry = hit(d.industry);
  if (d.integration_needs?.length) out.integration_needs = d.integration_needs.map(hit);
  if (d.integrations_negated?.length) out.integrations_negated = d.integrations_negated.map(hit);
  if (d.integrations_skipped?.length)
    out.integrations_skipped = d.integrations_skipped.map((a) => ({ ...a, span: [a.span[0], a.span[1]] }));
  return out;
}

function errorSource(type: string | undefined): string {
  switch (type) {
    case 'llm_error':
      return 'llm';
    case 'stt_error':
      return 'stt';
    case 'tts_error':
      return 'tts';
    case 'realtime_model_error':
      return 'realtime';
    default:
      return type ? type.replace(/_error$/, '') : 'unknown';
  }
}

function closeReason(reason: string, recorder: SessionRecorder): EndReason {
  switch (reason) {
    case 'error':
    case 'job_shutdown':
    case 'participant_disconnected':
      return reason;
    case 'user_initiated':
      return recorder.endedByAgent ? 'agent_ended' : 'user_initiated';
    default:
      return 'unknown';
  }
}
