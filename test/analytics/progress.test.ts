import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initializeLogger, voice } from '@livekit/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachAnalytics } from '../../src/analytics/index.js';
import { silentLogger } from '../../src/log.js';
import {
  createSessionPublisher,
  LocalPublisher,
  type SessionPublishOutcome,
  SqsPublisher,
} from '../../src/queue/index.js';
import {
  type ProgressSnapshot,
  ProgressSnapshotV1,
  parseSessionPayload,
  type SessionPayload,
} from '../../src/schema/index.js';
import { ScriptedLLM, salesTools } from '../../src/testing/index.js';
import { freePort } from '../support/free_port.js';

beforeAll(() => initializeLogger({ pretty: false, level: 'silent' }));

const AGENT = { name: 'progress-agent', version: '1', promptVersion: 'p' };

function script() {
  return new ScriptedLLM([
    { text: 'Hi! How many people are on your team?' },
    { text: 'Thanks. And how many documents a month?' },
    { text: 'Great, that fits our plan.' },
  ]);
}

const LINES = [
  'Hello there.',
  'We are a team of 25 people at a law firm.',
  'About 4000 documents a month, and we use Salesforce.',
];

describe('progress snapshots', () => {
  it('sends one at the start and one when the stage changes, each valid, then stops when the call ends', async () => {
    const sent: ProgressSnapshot[] = [];
    const session = new voice.AgentSession({ llm: script() });
    const handle = attachAnalytics(session, undefined, {
      agent: AGENT,
      sessionId: 'sess_progress',
      publish: () => undefined,
      progress: { send: (s) => void sent.push(s), intervalMs: 60_000, stageCheckMs: 5 },
    });
    await session.start({ agent: new voice.Agent({ instructions: 'x', tools: salesTools() }) });
    for (const line of LINES) {
      await session.run({ userInput: line }).wait();
      await new Promise((r) => setTimeout(r, 30));
    }
    await session.close();
    await handle.finalize();
    const count = sent.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.length).toBe(count);
    expect(sent.every((s) => ProgressSnapshotV1.safeParse(s).success)).toBe(true);
    expect(sent[0]).toMatchObject({ reason: 'start', seq: 1, stage: 'greeting', turns: 0 });
    const staged = sent.filter((s) => s.reason === 'stage');
    expect(staged.length).toBeGreaterThanOrEqual(1);
    expect(sent.map((s) => s.seq)).toEqual(sent.map((_, i) => i + 1));
    const last = sent[sent.length - 1];
    expect(last?.stage).not.toBe('greeting');
    expect(last?.signals).toEqual(expect.arrayContaining(['team_size', 'monthly_volume']));
    expect(last?.turns).toBeGreaterThanOrEqual(2);
    expect(handle.counters().progress).toMatchObject({ sent: count, failed: 0 });
  });

  describe('during a queue outage (an SQS endpoint that accepts connections and never answers)', () => {
    let blackhole: Server;
    let port: number;
    const sockets: Socket[] = [];
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sr-progress-outage-'));
      port = await freePort();
      blackhole = createServer((s) => void sockets.push(s));
      await new Promise<void>((r) => blackhole.listen(port, '127.0.0.1', r));
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => blackhole.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    });

    it('the call never waits for snapshots and the final payload is spooled within its deadline, unchanged', async () => {
      const endpoint = `http://127.0.0.1:${port}`;
      const remote = new SqsPublisher({
        config: {
          queueUrl: `${endpoint}/123456789012/calls`,
          endpoint,
          region: 'us-east-1',
          waitTimeSeconds: 1,
          visibilityTimeoutS: 5,
        },
        logger: silentLogger,
      });
      const outbox = new LocalPublisher({ dir: join(dir, 'outbox'), logger: silentLogger, fsync: false });
      const deadlineMs = 2000;
      const sessions = createSessionPublisher({
        publisher: remote,
        outbox,
        deadlineMs,
        logger: silentLogger,
      });
      let attempts = 0;
      let settled = 0;
      let outcome: SessionPublishOutcome | undefined;
      const session = new voice.AgentSession({ llm: script() });
      const handle = attachAnalytics(session, undefined, {
        agent: AGENT,
        sessionId: 'sess_outage',
        publish: async (p: SessionPayload) => {
          outcome = await sessions.publish(p);
          return outcome;
        },
        progress: {
          send: (s, { signal }) => {
            attempts += 1;
            return remote.publishProgress(s, { signal }).finally(() => {
              settled += 1;
            });
          },
          intervalMs: 40,
          stageCheckMs: 5,
          timeoutMs: 300,
        },
      });
      await session.start({ agent: new voice.Agent({ instructions: 'x', tools: salesTools() }) });
      const inFlightAtTurnEnd: number[] = [];
      for (const line of LINES) {
        await session.run({ userInput: line }).wait();
        inFlightAtTurnEnd.push(attempts - settled);
        await new Promise((r) => setTimeout(r, 120));
      }
      await session.close();
      const payload = await handle.finalize();
      // Turns completed while a snapshot send hung on the dead endpoint: nothing waited for it.
      expect(inFlightAtTurnEnd.some((n) => n > 0)).toBe(true);
      const c = handle.counters().progress;
      expect(c?.sent).toBe(0);
      expect(c?.failed).toBeGreaterThanOrEqual(1);
      expect(c?.dropped).toBeGreaterThanOrEqual(1);
      expect(remote.stats.progressOk).toBe(0);
      // The final payload: spooled to the outbox within the session publisher's deadline, as it is.
      expect(outcome?.status).toBe('spooled');
      expect(outcome?.ms).toBeLessThanOrEqual(deadlineMs + 150);
      const held = await outbox.spool.counts();
      expect(held.ready).toBe(1);
      const claimed = await outbox.spool.claim(10, 5000);
      expect(claimed.map((e) => e.attributes.kind)).toEqual([undefined]);
      const bodies = claimed.map((e) => parseSessionPayload(e.body.toString('utf8')));
      expect(bodies.map((b) => (b.ok ? b.payload : null))).toEqual([payload]);
      await remote.close();
    });
  });
});
