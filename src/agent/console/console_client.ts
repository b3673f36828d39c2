/**
 * The text console: plays the broker (`lk`'s role) for an agent started in agents-js console
 * mode, so no extra binary is needed. It starts the agent process, sends each typed line as a
 * `runInput` request, prints the agent's replies and tool calls as their events arrive, and on
 * exit prints the analytics summary of the payload the agent published.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { initializeLogger, log, voice } from '@livekit/agents';
import { AgentSession as pb } from '@livekit/protocol';
import { parseSessionPayload, type SessionPayload } from '../../schema/index.js';
import { BrokerSocketTransport, listenForAgent } from './broker_transport.js';
import { formatSummary } from './summary.js';

export interface ConsoleClientOptions {
  /** Path of the agent entry (`src/agent/main.ts`). */
  agentEntry: string;
  env: NodeJS.ProcessEnv;
  input: Readable;
  output: Writable;
  /** Error lines go here (default: `output`); the command line passes stderr. */
  errors?: Writable;
  /** The agent process's stdout/stderr go here. */
  logFile: string;
  cwd?: string;
  /** How long to wait for the agent to connect (default 60 s). */
  connectTimeoutMs?: number;
  /** How long one reply may take (default 120 s). */
  replyTimeoutMs?: number;
  /** How long to wait for the payload after the session ends (default 30 s). */
  shutdownTimeoutMs?: number;
  /** How long to wait for the agent's greeting before accepting input (default 15 s). */
  greetingTimeoutMs?: number;
  /** Show the prompt marker (`you › `); off when input is not a terminal. */
  prompt?: boolean;
}

export interface ConsoleResult {
  exitCode: number;
  payload?: SessionPayload;
}

const QUIT = new Set(['/quit', '/exit', '/q']);

/**
 * Starts the agent in agents-js console mode (a `.ts` entry through tsx), connecting to our broker at
 * `connectAddr`, its output appended to `logFile`; `exited` resolves with its exit code. The agent
 * writes its session payload to `payloadFile` when the call ends; `audio` makes it a voice agent.
 * `detached` puts it in its own process group, so a Ctrl-C at the terminal reaches only the
 * console, which then ends the call with one SIGINT (a second one would kill the agent before
 * it published its payload).
 */
export function spawnConsoleAgent(o: {
  agentEntry: string;
  connectAddr: string;
  cwd?: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  audio?: boolean;
  detached?: boolean;
}): { child: ChildProcess; exited: Promise<number>; payloadFile: string } {
  const payloadFile = join(tmpdir(), `signalroom-console-${process.pid}-${Date.now()}.json`);
  const env = { ...o.env, CONSOLE_PAYLOAD_FILE: payloadFile, ...(o.audio ? { CONSOLE_AUDIO: 'true' } : {}) };
  const logFd = openSync(o.logFile, 'a');
  // A compiled entry (dist/…/main.js, as `npm start` runs the agent) needs no loader.
  const loader = o.agentEntry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(
    process.execPath,
    [...loader, o.agentEntry, 'console', '--connect-addr', o.connectAddr, '--log-level', 'warn'],
    { cwd: o.cwd ?? process.cwd(), env, stdio: ['ignore', logFd, logFd], detached: o.detached ?? false },
  );
  closeSync(logFd);
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  );
  return { child, exited, payloadFile };
}

export async function runConsoleClient(opts: ConsoleClientOptions): Promise<ConsoleResult> {
  const out = (line = '') => opts.output.write(`${line}\n`);
  const fail = (line: string) => (opts.errors ?? opts.output).write(`${line}\n`);
  const listener = await listenForAgent();
  const { child, exited, payloadFile } = spawnConsoleAgent({
    agentEntry: opts.agentEntry,
    connectAddr: `127.0.0.1:${listener.port}`,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    env: opts.env,
    logFile: opts.logFile,
  });

  out(`starting the agent (log: ${opts.logFile}) …`);
  const first = await Promise.race([
    listener.accepted.then((s) => ({ kind: 'socket' as const, s })),
    exited.then((code) => ({ kind: 'exit' as const, code })),
    sleep(opts.connectTimeoutMs ?? 60_000).then(() => ({ kind: 'timeout' as const })),
  ]);
  if (first.kind !== 'socket') {
    listener.close();
    child.kill('SIGKILL');
    out(
      first.kind === 'exit'
        ? `the agent exited (code ${first.code}) before connecting; see ${opts.logFile}`
        : 'the agent did not connect in time',
    );
    return { exitCode: 1 };
  }

  const transport = new BrokerSocketTransport(first.s);
  let agentGone = false;
  first.s.once('close', () => {
    agentGone = true;
  });
  ensureAgentsLogger();
  const remote = new voice.RemoteSession(transport);
  let greeted: () => void = () => {};
  const greeting = new Promise<void>((resolve) => {
    greeted = resolve;
  });
  remote.on('conversation_item_added', (ev) => {
    const item = ev.item?.item;
    if (item?.case !== 'message' || item.value.role !== pb.ChatRole.ASSISTANT) return;
    const text = item.value.content
      .map((c) => (c.payload.case === 'text' ? c.payload.value : ''))
      .join('')
      .trim();
    if (text) out(`agent › ${text}`);
    greeted();
  });
  remote.on('function_tools_executed', (ev) => {
    for (const call of ev.functionCalls) {
      const result = ev.functionCallOutputs.find((o) => o.callId === call.callId);
      const summary = (result?.output ?? '').replace(/\s+/g, ' ').slice(0, 160);
      out(`  ⚙ ${call.name}(${call.arguments}) ${result?.isError ? '✗' : '→'} ${summary}`);
    }
  });
  remote.on('error', (ev) => fail(`  ! agent error: ${ev.message}`));
  await remote.start();
  // A new input interrupts the agent: let the greeting finish before the first line is sent.
  await Promise.race([greeting, sleep(opts.greetingTimeoutMs ?? 15_000)]);
  out('connected. Type a message; /quit to end the call.');

  const rl = createInterface({ input: opts.input, terminal: false });
  first.s.once('close', () => rl.close());
  const prompt = () => {
    if (opts.prompt) opts.output.write('you › ');
  };
  prompt();
  for await (const raw of rl) {
    const line = raw.trim();
    if (!line) {
      prompt();
      continue;
    }
    if (QUIT.has(line)) break;
    if (agentGone) break;
    try {
      await remote.sendMessage(line, opts.replyTimeoutMs ?? 120_000);
    } catch (err) {
      if (agentGone) break;
      fail(`  ! ${(err as Error).message}`);
    }
    if (agentGone) break;
    prompt();
  }
  rl.close();

  if (!agentGone) {
    out('ending the call …');
    child.kill('SIGINT');
  } else {
    out('the agent ended the call.');
  }
  const payload = await waitForPayload(payloadFile, exited, opts.shutdownTimeoutMs ?? 30_000);
  if (payload) {
    out('');
    out(formatSummary(payload));
  } else {
    fail(`no session payload came back; see ${opts.logFile}`);
  }
  await remote.close().catch(() => undefined);
  const code = await Promise.race([exited, sleep(3000).then(() => null)]);
  if (code === null) {
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(2000)]);
  }
  await rm(payloadFile, { force: true });
  return payload ? { exitCode: 0, payload } : { exitCode: 1 };
}

/** Polls `file` for the session payload the agent writes on session end (until it exits or the timeout). */
export async function waitForPayload(
  file: string,
  exited: Promise<number>,
  timeoutMs: number,
): Promise<SessionPayload | undefined> {
  const deadline = Date.now() + timeoutMs;
  let done = false;
  void exited.then(() => {
    done = true;
  });
  while (Date.now() < deadline) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text) {
      const parsed = parseSessionPayload(text);
      if (parsed.ok) return parsed.payload;
    }
    if (done) {
      // One last look: the file may have landed just before the exit.
      const last = await readFile(file, 'utf8').catch(() => undefined);
      const parsed = last ? parseSessionPayload(last) : undefined;
      return parsed?.ok ? parsed.payload : undefined;
    }
    await sleep(100);
  }
  return undefined;
}

/** agents-js classes log through its global logger; the console keeps it to errors. */
export function ensureAgentsLogger(): void {
  try {
    log();
  } catch {
    initializeLogger({ pretty: false, level: 'error' });
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
