import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Spool } from '../../../src/queue/index.js';
import {
  type OpenAICompatibleServer,
  type ScriptedReply,
  startOpenAICompatibleServer,
} from '../../../src/testing/openai_compatible_server.js';
import { configSummary, loadWorkerConfig } from '../../src/config.js';
import { MemoryParkedStore } from '../../src/delivery/index.js';
import { startWorker, type WorkerHandle } from '../../src/pipeline/index.js';
import type { Destination, ScoredSession } from '../../src/types.js';
import { DuckDbWarehouse } from '../../src/warehouse/index.js';
import { answerText } from './answers.js';
import { callWithoutTranscript, callWithTranscript } from './fixtures.js';

let dir: string;
let warehouse: DuckDbWarehouse;
let llm: OpenAICompatibleServer;
let reply: ScriptedReply = { content: answerText() };
let worker: WorkerHandle | undefined;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-intel-worker-'));
  warehouse = await DuckDbWarehouse.open(join(dir, 'wh.duckdb'));
  await warehouse.migrate();
  llm = await startOpenAICompatibleServer({ reply: () => reply, apiKey: 'k' });
});
afterEach(async () => {
  await worker?.stop({ deadlineMs: 3000 });
  worker = undefined;
});
afterAll(async () => {
  await llm.close();
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

function logCapture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

async function start(env: Record<string, string>) {
  n++;
  const spoolDir = join(dir, `spool${n}`);
  const config = loadWorkerConfig({
    PII_HASH_KEY: 'intelligence-test-pii-hash-key-0123456789',
    QUEUE_SPOOL_DIR: spoolDir,
    QUEUE_SPOOL_FSYNC: 'false',
    PARKED_DIR: join(dir, `parked${n}`),
    WORKER_BATCH_MAX_WAIT_MS: '10',
    ...env,
  });
  const delivered: ScoredSession[] = [];
  const crm: Destination = {
    name: 'crm',
    async deliver(s) {
      delivered.push(s);
      return { status: 'ok' };
    },
  };
  const log = logCapture();
  worker = await startWorker(config, {
    warehouse,
    destinations: [crm],
    parked: new MemoryParkedStore(),
    logger: log.logger,
  });
  const spool = new Spool(spoolDir, { fsync: false });
  const publish = (body: object) => spool.write({}, Buffer.from(JSON.stringify(body)));
  return { config, delivered, publish, log };
}

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const analysisEnv = (over: Record<string, string> = {}) => ({
  ANALYSIS_MODEL: 'gpt-4o-mini',
  ANALYSIS_BASE_URL: llm.baseURL,
  ANALYSIS_API_KEY: 'k',
  // The local server's host is not in the price book: price its tokens as OpenAI's.
  ANALYSIS_PROVIDER: 'openai',
  ...over,
});

describe('the worker with post-call analysis', () => {
  it('is off by default, and says so at start-up', async () => {
    const { config, log } = await start({});
    expect(config.analysis).toBeNull();
    expect(configSummary(config).analysis).toMatch(/^off/);
    const started = log.lines.find((l) => l.msg === 'worker started');
    expect(started?.analysis).toBe('off (no ANALYSIS_MODEL)');
  });

  it('refuses to start with a model but no key, naming the variable', () => {
    expect(() =>
      loadWorkerConfig({
        PII_HASH_KEY: 'intelligence-test-pii-hash-key-0123456789',
        ANALYSIS_MODEL: 'gpt-4o-mini',
      }),
    ).toThrow(/ANALYSIS_API_KEY: required/);
  });

  it('analyses before delivery: the CRM and the warehouse get the summary, fields, analysis cost and scorecard', async () => {
    reply = { content: answerText() };
    const { delivered, publish, log } = await start(analysisEnv());
    expect(log.lines.find((l) => l.msg === 'worker started')?.analysis).toBe(
      'gpt-4o-mini (timeout 20000 ms)',
    );
    const id = 'intel_worker_ok';
    await publish({ ...callWithTranscript(), session_id: id });
    const s = await until('delivery', () => delivered.find((d) => d.session_id === id));
    expect(s.intelligence?.status).toBe('ok');
    expect(s.intelligence?.custom_fields.buying_stage?.value).toBe('ready_to_buy');
    expect(s.cost.lines.some((l) => l.component === 'analysis')).toBe(true);
    expect(s.score.reasons.map((r) => r.rule)).toContain('scorecard.ready_to_buy');
    // The warehouse row lands with the same delivery (micro-batched).
    let row: Record<string, unknown> | undefined;
    for (let i = 0; i < 200 && !row; i++) {
      [row] = await warehouse.query(
        'SELECT analysis_status, summary FROM call_intelligence WHERE session_id = $1',
        [id],
      );
      if (!row) await new Promise((r) => setTimeout(r, 20));
    }
    expect(row?.summary).toMatch(/law firm/);
    expect(row?.analysis_status).toBe('ok');
  });

  it('never holds the rest back: a hanging model costs its own session the timeout, others go at once', async () => {
    reply = { content: answerText(), delayMs: 10_000 };
    const before = llm.chatRequests().length;
    const { delivered, publish } = await start(
      analysisEnv({ ANALYSIS_TIMEOUT_MS: '400', ANALYSIS_MAX_ATTEMPTS: '3' }),
    );
    await publish({ ...callWithTranscript(), session_id: 'intel_hang' });
    await publish({ ...callWithoutTranscript(), session_id: 'intel_no_text' });
    await until('both delivered', () => delivered.length === 2 || undefined);
    // The call without text is skipped (no model call) and delivered while the other waits on the model.
    expect(delivered.map((d) => d.session_id)).toEqual(['intel_no_text', 'intel_hang']);
    expect(delivered[0]?.intelligence).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/^transcripts_not_kept/),
    });
    const hung = delivered[1]!;
    expect(hung.intelligence).toMatchObject({ status: 'timeout', summary: null, custom_fields: {} });
    expect(hung.score.tier).toMatch(/^[ABC][123]$/);
    // One attempt: the deadline covers all of them.
    expect(llm.chatRequests().length - before).toBe(1);
  });
});
