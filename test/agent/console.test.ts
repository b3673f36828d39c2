import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConsoleClient } from '../../src/agent/console/console_client.js';
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
  });

  it('types two lines, gets answers and a tool call, quits, prints the summary, and spools the payload', async () => {
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
    const spool = join(tmp.dir, 'spool');
    const result = await runConsoleClient({
      agentEntry: AGENT_ENTRY,
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
  }, 90_000);
});
