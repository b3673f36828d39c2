import { type ChildProcess, execFile } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenForAgent } from '../../src/agent/console/broker_transport.js';
import { runConsoleClient, spawnConsoleAgent } from '../../src/agent/console/console_client.js';
import { parseSpoolFile } from '../../src/queue/index.js';
import { parseSessionPayload } from '../../src/schema/index.js';
import {
  lastMessageIsToolResult,
  lastUserText,
  type OpenAICompatibleServer,
  startOpenAICompatibleServer,
} from '../../src/testing/openai_server_index.js';
import { consoleAgentEnv } from '../support/console_env.js';
import { tempDir } from './helpers.js';

const AGENT_ENTRY = fileURLToPath(new URL('../../src/agent/main.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** A build of the agent of this test's own (inside the repository, so it finds node_modules). */
const BUILT = join(REPO, '.tmp', `agent-build-${process.pid}`);

describe('npm run console (real agent process, console protocol over TCP, real openai plugin)', () => {
  let server: OpenAICompatibleServer;
  let tmp: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    tmp = await tempDir('signalroom-console-');
    server = await startOpenAICompatibleServer({
      apiKey: 'test-key',
      reply: (req) => {
        const user = lastUserText(req);
        if (lastMessageIsToolResult(req))
          return { content: 'According to our pricing page, Growth is $79 per seat.' };
        if (!user) return { content: 'Hi, this is Alex from Paperflow. What brings you here?' };
        if (/cost|price/i.test(user)) {
          return { toolCalls: [{ name: 'search_knowledge', arguments: { query: 'Growth plan price' } }] };
        }
        return { content: 'Thanks! How many documents do you produce per month?' };
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await tmp?.cleanup();
    await rm(BUILT, { recursive: true, force: true });
  });

  it.each([
    ['the agent from source (through tsx)', () => Promise.resolve(AGENT_ENTRY)],
    [
      'the agent compiled as `npm start` runs it (scripts/build.mjs: knowledge base copied beside it)',
      async () => {
        await promisify(execFile)(process.execPath, ['scripts/build.mjs', '--quiet', '--outdir', BUILT], {
          cwd: REPO,
        });
        return join(BUILT, 'src/agent/main.js');
      },
    ],
  ])(
    '%s: types two lines, gets answers and a tool call, quits, prints the summary, and spools the payload',
    async (_which, entry) => {
      const agentEntry = await entry();
      const input = new PassThrough();
      const output = new PassThrough();
      let printed = '';
      output.on('data', (c: Buffer) => {
        printed += c.toString('utf8');
        if (printed.includes('connected. Type a message') && !input.writableEnded) {
          input.write('We are a law firm with 40 people.\n');
          input.write('How much does the Growth plan cost?\n');
          input.end('/quit\n');
        }
      });
      const spool = join(tmp.dir, agentEntry.endsWith('.ts') ? 'spool' : 'spool-built');
      const result = await runConsoleClient({
        agentEntry,
        cwd: REPO,
        env: consoleAgentEnv(tmp.dir, {
          OPENAI_BASE_URL: server.baseURL,
          LLM_MODEL: 'fake-model',
          QUEUE_SPOOL_DIR: spool,
          ANALYTICS_PII_MODE: 'hashed',
        }),
        input,
        output,
        logFile: join(tmp.dir, 'agent.log'),
      });

      const agentLog = await readFile(join(tmp.dir, 'agent.log'), 'utf8').catch(() => '');
      expect(result.exitCode, `${printed}\n--- agent log ---\n${agentLog.slice(-3000)}`).toBe(0);
      expect(printed).toContain('agent › Hi, this is Alex from Paperflow');
      expect(printed).toContain('agent › Thanks! How many documents');
      expect(printed).toMatch(
        /⚙ search_knowledge\(\{"query":"Growth plan price"\}\) → .*pricing\.md#growth-plan/,
      );
      expect(printed).toContain('agent › According to our pricing page');
      expect(printed).toContain('outcome: completed');
      expect(printed).toContain('team_size: 40');
      expect(printed).toContain('industry: legal');
      expect(printed).toMatch(/search_knowledge ok/);

      // The real openai plugin talked to the local server.
      expect(server.chatRequests().length).toBeGreaterThanOrEqual(4);
      expect(server.requests.every((r) => r.headers.authorization === 'Bearer test-key')).toBe(true);

      // The payload landed in the local queue spool, once, beside the call's progress snapshots
      // (their own message kind, sent while the call ran).
      const records = [];
      for (const name of await readdir(join(spool, 'ready'))) {
        const f = parseSpoolFile(await readFile(join(spool, 'ready', name)));
        expect(f.corrupt).toBeUndefined();
        records.push(...f.records);
      }
      const finals = records.filter(
        (r) => r.attributes['kind'] === undefined || r.attributes['kind'] === 'session',
      );
      const snapshots = records.filter((r) => r.attributes['kind'] === 'progress');
      expect(finals).toHaveLength(1);
      expect(snapshots.length).toBe(records.length - 1);
      const { attributes, body } = finals[0]!;
      // The body is gzip when content_encoding says so.
      const text =
        attributes['content_encoding'] === 'gzip' ? gunzipSync(body).toString('utf8') : body.toString('utf8');
      expect(attributes['session_id']).toBe(result.payload?.session_id);
      const parsed = parseSessionPayload(text);
      expect(parsed.ok, parsed.ok ? '' : parsed.error).toBe(true);
      if (parsed.ok) {
        expect(parsed.payload.session_id).toBe(result.payload?.session_id);
        expect(parsed.payload.agent).toEqual({
          name: 'paperflow-sales',
          version: '0.1.0',
          prompt_version: 'sales-v1',
        });
        expect(parsed.payload.tool_calls.map((t) => t.name)).toEqual(['search_knowledge']);
      }
    },
    90_000,
  );
});

describe('a console agent whose console goes away', () => {
  let server: OpenAICompatibleServer;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir('signalroom-console-gone-');
    server = await startOpenAICompatibleServer({
      apiKey: 'test-key',
      reply: [{ content: 'Hi, this is Alex from Paperflow. What brings you here?' }],
    });
  });
  afterAll(async () => {
    await server?.close();
    await tmp?.cleanup();
  });

  /** Starts an agent on a broker socket of ours and waits until it has greeted over it. */
  async function connectedAgent(name: string) {
    const listener = await listenForAgent();
    const { child, exited, payloadFile } = spawnConsoleAgent({
      agentEntry: AGENT_ENTRY,
      connectAddr: `127.0.0.1:${listener.port}`,
      cwd: REPO,
      env: consoleAgentEnv(join(tmp.dir, name), {
        OPENAI_BASE_URL: server.baseURL,
        LLM_MODEL: 'fake-model',
      }),
      logFile: join(tmp.dir, `${name}.log`),
    });
    const socket = await listener.accepted;
    // The greeting comes over the socket once the session runs.
    await new Promise<void>((r) => socket.once('data', () => r()));
    await new Promise((r) => setTimeout(r, 1000));
    return { child, exited, socket, payloadFile, spool: join(tmp.dir, name, 'spool') };
  }

  const within = <T>(p: Promise<T>, ms: number) =>
    Promise.race([p, new Promise<'still running'>((r) => setTimeout(() => r('still running'), ms))]);

  async function spooledSessions(spool: string): Promise<number> {
    let n = 0;
    for (const name of await readdir(join(spool, 'ready')).catch(() => [])) {
      const f = parseSpoolFile(await readFile(join(spool, 'ready', name)));
      n += f.records.filter((r) => (r.attributes['kind'] ?? 'session') === 'session').length;
    }
    return n;
  }

  it.each([
    ['killed outright (its socket closes)', (a: { socket: Socket }) => a.socket.destroy()],
    ['still there, the agent sent SIGTERM', (a: { child: ChildProcess }) => a.child.kill('SIGTERM')],
  ])(
    'console %s: the agent publishes the call and exits by itself',
    async (_how, end) => {
      const agent = await connectedAgent(_how.startsWith('killed') ? 'killed' : 'sigterm');
      try {
        end(agent);
        expect(await within(agent.exited, 30_000)).toBe(0);
        expect(await spooledSessions(agent.spool)).toBe(1);
      } finally {
        agent.socket.destroy();
        if (agent.child.exitCode === null) agent.child.kill('SIGKILL');
        await rm(agent.payloadFile, { force: true });
      }
    },
    90_000,
  );
});
