import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { initializeLogger, voice } from '@livekit/agents';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { attachAnalytics, journalPath, recoverJournals } from '../../src/analytics/index.js';
import { parseJournal } from '../../src/analytics/journal_recovery.js';
import { type SessionPayload, SessionPayloadV1 } from '../../src/schema/index.js';
import { SALES_CALL_USER_LINES, ScriptedLLM, salesCallScript, salesTools } from '../../src/testing/index.js';

beforeAll(() => initializeLogger({ pretty: false, level: 'silent' }));

const ROOT = resolve(import.meta.dirname, '../..');
const url = (p: string) => pathToFileURL(join(ROOT, p)).href;
const AGENT = { name: 'journal-agent', version: '1.0.0', promptVersion: 'p1' };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The child: a real session with analytics and a journal, three user turns (one tool call), then it idles. */
const CHILD = `
import { initializeLogger, voice } from '${url('node_modules/@livekit/agents/dist/index.js')}';
import { attachAnalytics } from '${url('src/analytics/index.ts')}';
import { SALES_CALL_USER_LINES, ScriptedLLM, salesCallScript, salesTools } from '${url('src/testing/index.ts')}';
initializeLogger({ pretty: false, level: 'silent' });
const session = new voice.AgentSession({ llm: new ScriptedLLM(salesCallScript()) });
attachAnalytics(session, undefined, {
  agent: ${JSON.stringify(AGENT)},
  sessionId: 'sess_crash_1',
  publish: () => { process.stderr.write('published?!\\n'); },
  journal: { dir: process.argv[2] },
});
await session.start({ agent: new voice.Agent({ instructions: 'sell', tools: salesTools() }) });
for (const userInput of SALES_CALL_USER_LINES.slice(0, 3)) await session.run({ userInput }).wait();
process.stdout.write('READY\\n');
setInterval(() => {}, 1000);
`;

function waitForLine(child: ChildProcess, line: string, timeoutMs: number): Promise<void> {
  return new Promise((ok, fail) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`child not ready: ${out} ${err}`)), timeoutMs);
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.stdout?.on('data', (d) => {
      out += d;
      if (out.includes(line)) {
        clearTimeout(timer);
        ok();
      }
    });
    child.on('exit', (code) => fail(new Error(`child exited ${code}: ${err}`)));
  });
}

describe('journal recovery', () => {
  it('rebuilds the payload of a call whose process was SIGKILLed mid-call', async () => {
    const script = join(dir, 'child.mts');
    const journals = join(dir, 'journals');
    await writeFile(script, CHILD);
    // `node --import tsx` (not the tsx CLI, which forks a second process) so the pid we kill is the call.
    const child = spawn(
      process.execPath,
      ['--import', url('node_modules/tsx/dist/loader.mjs'), script, journals],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let childStderr = '';
    child.stderr?.on('data', (d) => {
      childStderr += d;
    });
    try {
      await waitForLine(child, 'READY', 45_000);
      await new Promise((r) => setTimeout(r, 500)); // > 2 flush intervals
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    // Killed mid-call: the child never published (its publish prints "published?!").
    expect(childStderr).not.toContain('published?!');
    const journal = journalPath(journals, 'sess_crash_1');
    const parsed = parseJournal(await readFile(journal, 'utf8'));
    expect(parsed?.header.pid).toBe(child.pid);

    const published: SessionPayload[] = [];
    const result = await recoverJournals({ dir: journals, minAgeMs: 0, publish: (p) => published.push(p) });
    expect(result.recovered).toEqual(['sess_crash_1']);
    expect(published).toHaveLength(1);
    const p = published[0]!;
    expect(SessionPayloadV1.safeParse(p).success).toBe(true);
    expect(p.end_reason).toBe('recovered');
    expect(p.agent).toEqual({ name: 'journal-agent', version: '1.0.0', prompt_version: 'p1' });
    expect(p.signals.industry?.value).toBe('legal');
    expect(p.signals.team_size?.value).toBe(12);
    expect(p.signals.monthly_volume?.value).toBe(217);
    expect(p.signals.urgency?.value).toBe('high');
    expect(p.signals.integration_needs?.value).toEqual(['hubspot', 'slack']);
    const urgency = p.signals.urgency!.evidence[0]!;
    expect(SALES_CALL_USER_LINES[urgency.turn_index]?.slice(...urgency.span)).toBe('ASAP');
    expect(p.tool_calls.map((t) => [t.name, t.status])).toEqual([['search_knowledge', 'ok']]);
    expect(p.turns).toHaveLength(3);
    expect(p.usage.summary.llm_prompt_tokens).toBe(120 + 150 + 190 + 240);
    expect(p.stage.reached).toBe('solution');
    expect(p.outcome).toBe('error');
    expect(await readdir(journals)).toEqual([]); // deleted after publish
  }, 90_000);

  it('removes the journal after a normal end, and keeps it with the payload when publish fails', async () => {
    for (const failing of [false, true]) {
      const session = new voice.AgentSession({ llm: new ScriptedLLM(salesCallScript()) });
      const publish = vi.fn(() => (failing ? { status: 'failed', error: 'queue down' } : { status: 'ok' }));
      const handle = attachAnalytics(session, undefined, {
        agent: AGENT,
        sessionId: `sess_${failing}`,
        publish,
        journal: { dir },
      });
      await session.start({ agent: new voice.Agent({ instructions: 'sell', tools: salesTools() }) });
      await session.run({ userInput: SALES_CALL_USER_LINES[1]! }).wait();
      await session.close();
      const payload = await handle.finalize();
      const files = await readdir(dir);
      if (!failing) {
        expect(files).toEqual([]);
        continue;
      }
      expect(files).toEqual(['sess_true.journal.jsonl']);
      // The owner (this process) is alive: recovery leaves it alone …
      expect((await recoverJournals({ dir, minAgeMs: 0, publish })).skipped).toEqual([
        { file: 'sess_true.journal.jsonl', reason: 'owner_alive' },
      ]);
      // … and once it is gone, sends the finished payload as it was (not a replay).
      const sent: SessionPayload[] = [];
      const r = await recoverJournals({
        dir,
        minAgeMs: 0,
        isAlive: () => false,
        publish: (p) => sent.push(p),
      });
      expect(r.recovered).toEqual(['sess_true']);
      expect(sent[0]).toEqual(payload);
      expect(sent[0]?.end_reason).toBe('user_initiated');
      expect(await readdir(dir)).toEqual([]);
    }
  });

  it('tolerates a torn last line, skips recent journals, keeps a journal whose publish fails', async () => {
    const header = {
      k: 'header',
      v: 1,
      session_id: 'sess_torn',
      agent: { name: 'a', version: '1', prompt_version: 'p' },
      pid: 999_999_999,
      started_at: Date.parse('2026-11-21T10:00:00Z'),
      pii: 'hashed',
      transcripts: false,
      room: { name: null, sid: null },
      participant: { identity: null, kind: null },
    };
    const user = {
      k: 'user',
      at: header.started_at + 1000,
      det: { team_size: { value: 8, span: [10, 19], rule: 'x' } },
    };
    const file = join(dir, 'sess_torn.journal.jsonl');
    await writeFile(file, `${JSON.stringify(header)}\n${JSON.stringify(user)}\n{"k":"tool","at":17,"ca`);

    expect((await recoverJournals({ dir, minAgeMs: 60_000, publish: () => {} })).skipped).toEqual([
      { file: 'sess_torn.journal.jsonl', reason: 'too_recent' },
    ]);
    const old = new Date(Date.now() - 120_000);
    await utimes(file, old, old);

    const failed = await recoverJournals({
      dir,
      minAgeMs: 60_000,
      publish: () => Promise.reject(new Error('x')),
    });
    expect(failed.failed).toEqual([{ file: 'sess_torn.journal.jsonl', reason: 'publish: publish threw' }]);
    expect(await readdir(dir)).toEqual(['sess_torn.journal.jsonl']);

    const sent: SessionPayload[] = [];
    const ok = await recoverJournals({ dir, minAgeMs: 0, publish: (p) => sent.push(p) });
    expect(ok.recovered).toEqual(['sess_torn']);
    expect(sent[0]?.signals.team_size?.value).toBe(8);
    expect(sent[0]?.end_reason).toBe('recovered');
    expect(SessionPayloadV1.safeParse(sent[0]).success).toBe(true);
  });
});
