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
import { loadKnowledgeBase } from '../../../src/agent/knowledge/knowledge_base.js';
import type { Logger } from '../../../src/log.js';
import { createSessionPublisher, LocalPublisher } from '../../../src/queue/index.js';
import { loadWorkerConfig } from '../config.js';
import { startWorker, type WorkerHandle } from '../pipeline/index.js';
import { defaultPriceBook, type PriceBook } from '../pricing/index.js';
import { startAnalysisReplay } from './analysis_replay.js';
import type { Conversation } from './conversations.js';
import { type DemoLead, readDemoLeads } from './leads.js';
import { demoSessionId, REPLAY_HOST, replayConversation } from './replay.js';

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
}

export type DemoProgress =
  | {
      kind: 'replayed';
      done: number;
      total: number;
      conversation: Conversation;
      outcome: string;
      llmRequests: number;
    }
  | { kind: 'scored'; done: number; total: number };

export interface DemoRun {
  leads: DemoLead[];
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
    const publisher = createSessionPublisher({
      publisher: new LocalPublisher({ dir: config.queue.spoolDir, logger: opts.log, fsync: false }),
      outbox: new LocalPublisher({ dir: config.queue.outboxDir, logger: opts.log, fsync: false }),
      deadlineMs: config.queue.publishDeadlineMs,
      logger: opts.log,
    });
    const knowledge = await loadKnowledgeBase();
    const total = opts.conversations.length;
    const spacing = opts.spacingMs ?? 10 * 60_000;
    let replayed = 0;
    await pool(opts.conversations, opts.concurrency ?? 6, async (c, i) => {
      const r = await replayConversation(c, {
        publish: async (payload) => {
          const out = await publisher.publish(payload);
          return out.status === 'sent' || out.status === 'spooled'
            ? { status: 'ok' }
            : { status: 'failed', error: out.error ?? out.status };
        },
        dataDir: join(opts.dataDir, 'agent'),
        knowledge,
        startAtMs: opts.startAtMs - (total - i) * spacing,
        log: opts.log,
      });
      replayed++;
      opts.onProgress?.({
        kind: 'replayed',
        done: replayed,
        total,
        conversation: c,
        outcome: r.payload.outcome,
        llmRequests: r.llmRequests,
      });
    });
    const ids = opts.conversations.map(demoSessionId);
    const leads = await waitForLeads(worker, ids, (done) =>
      opts.onProgress?.({ kind: 'scored', done, total }),
    );
    log.info({ sessions: leads.length }, 'demo sessions scored');
    await analysis.close();
    return { leads, worker, warehousePath: config.warehouse.duckdbPath };
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
