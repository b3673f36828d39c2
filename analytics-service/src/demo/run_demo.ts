/**
 * The one-command demo, end to end on embedded defaults: replay every bundled conversation through
 * the real agent (see `replay.ts`), publish each payload to the local spool queue through the
 * session publisher, let the real worker (`startWorker`) consume, score, price and write them to a
 * fresh DuckDB file, then read the scored leads back from the warehouse. The worker prices usage
 * with `demoPriceBook()`, written to `dataDir/price_book.json`.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initializeLogger } from '@livekit/agents';
import * as silero from '@livekit/agents-plugin-silero';
import { loadKnowledgeBase } from '../../../src/agent/knowledge/knowledge_base.js';
import { percentile } from '../../../src/analytics/voice_turns.js';
import type { Logger } from '../../../src/log.js';
import { createSessionPublisher, LocalPublisher } from '../../../src/queue/index.js';
import type { SessionPayload } from '../../../src/schema/index.js';
import { startSpeechServer } from '../../../src/testing/speech/speech_server.js';
import { loadWorkerConfig } from '../config.js';
import { startWorker, type WorkerHandle } from '../pipeline/index.js';
import { defaultPriceBook, type PriceBook } from '../pricing/index.js';
import { startAnalysisReplay } from './analysis_replay.js';
import type { Conversation } from './conversations.js';
import { type DemoLead, readDemoLeads } from './leads.js';
import { demoSessionId, REPLAY_HOST, replayConversation } from './replay.js';
import type { DemoVoiceStats } from './report.js';
import { replayConversationByVoice, type VoiceReplayResult } from './voice_replay.js';

export interface DemoOptions {
  conversations: readonly Conversation[];
  /** Everything the demo writes: `price_book.json`, `warehouse.duckdb`, `spool/`, `outbox/`, `agent/`, `parked/`. */
  dataDir: string;
  log: Logger;
  /** Conversations replayed at once (default 6). */
  concurrency?: number;
  /** Real time the first call starts at; calls are spaced `spacingMs` apart in virtual time. */
  startAtMs: number;
  spacingMs?: number;
  onProgress?: (p: DemoProgress) => void;
  /** Voice calls at once (default `DEFAULT_VOICE_CONCURRENCY`). */
  voiceConcurrency?: number;
  /** `voice` (default in `npm run demo`): every call over audio through the voice loop; `text`: typed turns. */
  mode?: 'text' | 'voice';
  /** Called once the worker runs, before any call (the served demo starts its API there, so the live panel shows the calls). */
  onWorkerStarted?: (worker: WorkerHandle) => Promise<void> | void;
}

export type DemoProgress =
  | {
      kind: 'replayed';
      done: number;
      total: number;
      conversation: Conversation;
      outcome: string;
      llmRequests: number;
      /** Voice calls: how long the call took, and whether it was hung up at its deadline. */
      callMs?: number;
      deadlineExceeded?: boolean;
    }
  | { kind: 'scored'; done: number; total: number };

/**
 * Voice calls at once: all 22 bundled calls. A call spends most of its time waiting for speech in
 * real time and needs about a tenth of a core, so on an idle 2-core machine the whole set finishes
 * in under two minutes (docs/voice.md); on a busy one, lower it with --voice-concurrency.
 */
export const DEFAULT_VOICE_CONCURRENCY = 22;
/** Progress snapshots of each voice call (the agent's default is 5 s; the demo's calls last about a minute). */
const PROGRESS_INTERVAL_MS = 2000;

export interface DemoRun {
  leads: DemoLead[];
  /** Voice mode: per session, the voice figures of its payload and what the caller heard. */
  voice?: Map<string, DemoVoiceStats & { heard_p50_ms: number | null }>;
  worker: WorkerHandle;
  warehousePath: string;
}

/**
 * The bundled price book, with the local replay server's host (the provider the OpenAI plugin
 * reports for it, any port) priced as `openai`: the replayed model stands in for OpenAI's.
 */
export function demoPriceBook(): PriceBook {
  const book = defaultPriceBook();
  return {
    ...book,
    version: `${book.version}+demo-replay`,
    provider_aliases: { ...book.provider_aliases, [REPLAY_HOST]: 'openai' },
  };
}

/** The worker's configuration for the demo: local queue, DuckDB and price book under `dataDir`, no destinations. */
export function demoWorkerEnv(dataDir: string): Record<string, string> {
  return {
    PRICE_BOOK_PATH: join(dataDir, 'price_book.json'),
    QUEUE_DRIVER: 'local',
    QUEUE_SPOOL_DIR: join(dataDir, 'spool'),
    QUEUE_OUTBOX_DIR: join(dataDir, 'outbox'),
    QUEUE_SPOOL_FSYNC: 'false',
    WAREHOUSE_DRIVER: 'duckdb',
    WAREHOUSE_DUCKDB_PATH: join(dataDir, 'warehouse.duckdb'),
    PARKED_DIR: join(dataDir, 'parked'),
    WORKER_BATCH_MAX_WAIT_MS: '20',
    LOG_LEVEL: 'silent',
    // The demo's own key (scripted data only); a deployment sets its own secret PII_HASH_KEY.
    PII_HASH_KEY: 'signalroom-demo-only-pii-hash-key-not-a-secret',
  };
}

async function pool<T>(
  items: readonly T[],
  n: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  });
  await Promise.all(lanes);
}

export async function runDemo(opts: DemoOptions): Promise<DemoRun> {
  const log = opts.log.child({ component: 'demo' });
  initializeLogger({ pretty: false, level: 'silent' });
  for (const d of ['warehouse.duckdb', 'warehouse.duckdb.wal', 'spool', 'outbox', 'agent', 'parked']) {
    await rm(join(opts.dataDir, d), { recursive: true, force: true });
  }
  await mkdir(opts.dataDir, { recursive: true });
  await writeFile(join(opts.dataDir, 'price_book.json'), `${JSON.stringify(demoPriceBook(), null, 2)}\n`);
  // Post-call analysis by recorded answers (`analysis_replay.ts`); closed once every session is in.
  const analysis = await startAnalysisReplay(opts.conversations);
  const config = loadWorkerConfig({ ...demoWorkerEnv(opts.dataDir), ...analysis.env });
  const worker = await startWorker(config, { logger: opts.log }).catch(async (err: unknown) => {
    await analysis.close();
    throw err;
  });
  try {
    const spool = new LocalPublisher({ dir: config.queue.spoolDir, logger: opts.log, fsync: false });
    await opts.onWorkerStarted?.(worker);
    const publisher = createSessionPublisher({
      publisher: spool,
      outbox: new LocalPublisher({ dir: config.queue.outboxDir, logger: opts.log, fsync: false }),
      deadlineMs: config.queue.publishDeadlineMs,
      logger: opts.log,
    });
    const knowledge = await loadKnowledgeBase();
    const total = opts.conversations.length;
    const spacing = opts.spacingMs ?? 10 * 60_000;
    let replayed = 0;
    const publish = async (payload: SessionPayload) => {
      const out = await publisher.publish(payload);
      return out.status === 'sent' || out.status === 'spooled'
        ? ({ status: 'ok' } as const)
        : ({ status: 'failed', error: out.error ?? out.status } as const);
    };
    const voiceStats = new Map<string, DemoVoiceStats & { heard_p50_ms: number | null }>();
    const speech = opts.mode === 'voice' ? await startSpeechServer() : undefined;
    const vad = speech ? await silero.VAD.load() : undefined;
    // Voice calls run in real time and each needs roughly a tenth of a core (Silero, resampling,
    // protobuf audio frames): more at once than the machine can carry stalls them all.
    const lanes = speech ? (opts.voiceConcurrency ?? DEFAULT_VOICE_CONCURRENCY) : (opts.concurrency ?? 6);
    await pool(opts.conversations, lanes, async (c, i) => {
      const r =
        speech && vad
          ? await replayConversationByVoice(c, i, {
              publish,
              // The calls in progress, as an agent reports them: the dashboard's live panel fills
              // while the voice calls run.
              progress: {
                intervalMs: PROGRESS_INTERVAL_MS,
                send: (snapshot, { signal }) => spool.publishProgress(snapshot, { signal }),
              },
              dataDir: join(opts.dataDir, 'agent'),
              knowledge,
              speech,
              vad,
              log: opts.log,
            })
          : await replayConversation(c, {
              publish,
              dataDir: join(opts.dataDir, 'agent'),
              knowledge,
              startAtMs: opts.startAtMs - (total - i) * spacing,
              log: opts.log,
            });
      if ('heard' in r)
        voiceStats.set(
          r.sessionId,
          voiceStatsOf(r.payload, r.heard as ReadonlyArray<{ perceivedLatencyMs?: number }>),
        );
      replayed++;
      opts.onProgress?.({
        kind: 'replayed',
        done: replayed,
        total,
        conversation: c,
        outcome: r.payload.outcome,
        llmRequests: r.llmRequests,
        ...('heard' in r ? voiceProgress(r as VoiceReplayResult) : {}),
      });
    });
    const ids = opts.conversations.map(demoSessionId);
    const leads = await waitForLeads(worker, ids, (done) =>
      opts.onProgress?.({ kind: 'scored', done, total }),
    );
    log.info({ sessions: leads.length }, 'demo sessions scored');
    await analysis.close();
    await speech?.close();
    return {
      leads,
      worker,
      warehousePath: config.warehouse.duckdbPath,
      ...(speech ? { voice: voiceStats } : {}),
    };
  } catch (err) {
    await worker.stop({ deadlineMs: 2000 }).catch(() => undefined);
    await analysis.close();
    throw err;
  }
}

async function waitForLeads(
  worker: WorkerHandle,
  ids: readonly string[],
  onCount: (n: number) => void,
  timeoutMs = 30_000,
): Promise<DemoLead[]> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  for (;;) {
    const leads = await readDemoLeads(worker.warehouse, ids);
    if (leads.length !== last) {
      last = leads.length;
      onCount(last);
    }
    if (leads.length >= ids.length) return leads;
    if (Date.now() > deadline) {
      throw new Error(
        `only ${leads.length} of ${ids.length} demo sessions reached the warehouse in ${timeoutMs} ms`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The voice figures of one session's payload, and the caller's own measure of the silence it heard. */
export function voiceStatsOf(
  p: SessionPayload,
  heard: ReadonlyArray<{ perceivedLatencyMs?: number }>,
): DemoVoiceStats & { heard_p50_ms: number | null } {
  // Replies to the prospect: the turn has an end-of-utterance decision or user speech joined to it.
  const answered = p.turns.filter((t) => t.eou_delay_ms !== null || t.user_speech_ms != null);
  const all = answered.filter(
    (t) =>
      t.eou_delay_ms !== null &&
      t.transcription_delay_ms !== null &&
      t.llm_ttft_ms !== null &&
      t.tts_ttfb_ms !== null &&
      t.e2e_latency_ms !== null,
  );
  const heardMs = heard.flatMap((h) => (h.perceivedLatencyMs === undefined ? [] : [h.perceivedLatencyMs]));
  return {
    turns: answered.length,
    turns_with_all_components: all.length,
    interrupted_turns: p.turns.filter((t) => t.interrupted).length,
    perceived_latency_p50_ms: p.voice?.perceived_latency_p50_ms ?? null,
    perceived_latency_p95_ms: p.voice?.perceived_latency_p95_ms ?? null,
    heard_p50_ms: percentile(heardMs, 0.5),
  };
}

/** One paragraph for people: how complete the voice turns were and the silence callers heard. */
export function voiceSummary(
  stats: ReadonlyMap<string, DemoVoiceStats & { heard_p50_ms: number | null }>,
): string {
  const all = [...stats.values()];
  const turns = all.reduce((n, v) => n + v.turns, 0);
  const complete = all.reduce((n, v) => n + v.turns_with_all_components, 0);
  const interrupted = all.reduce((n, v) => n + v.interrupted_turns, 0);
  const plugin = percentile(
    all.flatMap((v) => (v.perceived_latency_p50_ms === null ? [] : [v.perceived_latency_p50_ms])),
    0.5,
  );
  const heard = percentile(
    all.flatMap((v) => (v.heard_p50_ms === null ? [] : [v.heard_p50_ms])),
    0.5,
  );
  const pct = turns > 0 ? ((100 * complete) / turns).toFixed(0) : '0';
  return (
    `Voice: ${turns} answered turns, ${complete} (${pct}%) with EOU, STT, LLM, TTS and e2e; ${interrupted} interrupted by the caller.\n` +
    `Perceived latency (median of the calls' p50): ${plugin ?? '—'} ms from the session's events (plugin), ` +
    `${heard ?? '—'} ms measured from the sound by the simulated caller.`
  );
}

const voiceProgress = (r: VoiceReplayResult) => ({
  callMs: r.ms,
  ...(r.deadlineExceeded ? { deadlineExceeded: true } : {}),
});
