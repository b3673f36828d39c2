import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMaintenance } from '../../src/agent/maintenance.js';
import { silentLogger } from '../../src/log.js';
import {
  createConsumer,
  createOutboxPublisher,
  loadQueueConfig,
  type QueueConfig,
} from '../../src/queue/index.js';
import { parseSessionPayload, type SessionPayload } from '../../src/schema/index.js';
import { samplePayload } from '../../src/schema/testing/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const url = (p: string) => pathToFileURL(join(ROOT, p)).href;

/** A call in its own process: analytics with a journal, three user turns (one tool call), then it idles. */
const CHILD = `
import { initializeLogger, voice } from '${url('node_modules/@livekit/agents/dist/index.js')}';
import { attachAnalytics } from '${url('src/analytics/index.ts')}';
import { SALES_CALL_USER_LINES, ScriptedLLM, salesCallScript, salesTools } from '${url('src/testing/index.ts')}';
initializeLogger({ pretty: false, level: 'silent' });
const session = new voice.AgentSession({ llm: new ScriptedLLM(salesCallScript()) });
attachAnalytics(session, undefined, {
  agent: { name: 'crash-agent', version: '1.0.0', promptVersion: 'p1' },
  sessionId: 'sess_killed_mid_call',
  publish: () => { process.stderr.write('published before the kill?!\\n'); },
  journal: { dir: process.argv[2] },
});
await session.start({ agent: new voice.Agent({ instructions: 'sell', tools: salesTools() }) });
for (const userInput of SALES_CALL_USER_LINES.slice(0, 3)) await session.run({ userInput }).wait();
process.stdout.write('READY\\n');
setInterval(() => {}, 1000);
`;

async function runCallAndKill(script: string, journalDir: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', url('node_modules/tsx/dist/loader.mjs'), script, journalDir],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  try {
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`call process never got ready: ${err}`)), 60_000);
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('READY')) {
          clearTimeout(timer);
          ok();
        }
      });
      child.once('exit', (code) => fail(new Error(`call process exited ${code}: ${err}`)));
    });
    await new Promise((r) => setTimeout(r, 500)); // let the journal flush (200 ms interval)
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
  expect(err).not.toContain('published before the kill');
}

/** Everything currently on the queue, acked. */
async function drainQueue(config: QueueConfig, expected: number): Promise<SessionPayload[]> {
  const consumer = createConsumer(config, { logger: silentLogger });
  const got: SessionPayload[] = [];
  const done = new Promise<void>((ok) => {
    const running = consumer.run(async (message) => {
      const parsed = parseSessionPayload(message.body);
      if (!parsed.ok) throw new Error(parsed.error);
      got.push(parsed.payload);
      if (got.length >= expected) ok();
    });
    void running;
  });
  await Promise.race([done, new Promise((r) => setTimeout(r, 15_000))]);
  await consumer.stop({ deadlineMs: 2000 });
  return got;
}

describe('agent maintenance', () => {
  let dir: string;
  let config: QueueConfig;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sr-maint-'));
    config = loadQueueConfig({
      QUEUE_DRIVER: 'local',
      QUEUE_SPOOL_DIR: join(dir, 'spool'),
      QUEUE_OUTBOX_DIR: join(dir, 'outbox'),
      QUEUE_LEASE_MS: '5000',
    });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('puts a SIGKILLed call on the queue, end reason recovered, with what it recorded before the kill', async () => {
    const journals = join(dir, 'journals');
    const script = join(dir, 'call.mts');
    await writeFile(script, CHILD);
    await runCallAndKill(script, journals);

    // The restarted agent process runs its first maintenance pass.
    const maintenance = createMaintenance({
      queue: config,
      journalDir: journals,
      logger: silentLogger,
      journalMinAgeMs: 0,
    });
    const report = await maintenance.runOnce();
    await maintenance.stop();
    expect(report.recovered).toEqual(['sess_killed_mid_call']);
    expect(await readdir(journals)).toEqual([]);

    const [payload, ...rest] = await drainQueue(config, 1);
    expect(rest).toEqual([]);
    expect(payload?.session_id).toBe('sess_killed_mid_call');
    expect(payload?.end_reason).toBe('recovered');
    expect(payload?.signals.industry?.value).toBe('legal');
    expect(payload?.signals.team_size?.value).toBe(12);
    expect(payload?.tool_calls.map((t) => t.name)).toEqual(['search_knowledge']);
  }, 120_000);

  it('re-sends payloads spooled to the outbox while the queue was down', async () => {
    const outbox = createOutboxPublisher(config, { logger: silentLogger });
    for (const id of ['sess_out_1', 'sess_out_2']) {
      expect((await outbox.publish(samplePayload({ session_id: id }))).status).toBe('ok');
    }
    const maintenance = createMaintenance({
      queue: config,
      journalDir: join(dir, 'none'),
      logger: silentLogger,
    });
    const report = await maintenance.runOnce();
    await maintenance.stop();
    expect(report).toMatchObject({ outboxSent: 2, outboxDeadLettered: 0, queueDown: false });

    const got = await drainQueue(config, 2);
    expect(got.map((p) => p.session_id).sort()).toEqual(['sess_out_1', 'sess_out_2']);
    // A second pass finds nothing left to send.
    const again = createMaintenance({ queue: config, journalDir: join(dir, 'none'), logger: silentLogger });
    expect((await again.runOnce()).outboxSent).toBe(0);
    await again.stop();
  });
});
