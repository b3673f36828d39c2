/**
 * The console with audio: `npm run console -- --audio-in prospect.wav [--record call.wav]`. Starts
 * the agent in agents-js console mode with audio on (STT, TTS and VAD from the usual variables),
 * plays the recorded prospect into it as 20 ms frames in real time through the console protocol,
 * plays the agent's audio on a simulated speaker (answering the playout handshake), and can write
 * the call as a stereo WAV (prospect left, agent right). Still no `lk` binary.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { encodeWav, parseWav, resample, toMono } from '../../audio/pcm.js';
import { parseSessionPayload, type SessionPayload } from '../../schema/index.js';
import { SimulatedCaller, WIRE_RATE } from '../../testing/voice/simulated_caller.js';
import { spawnConsoleAgent } from './console_client.js';
import { formatSummary } from './summary.js';

export interface VoiceConsoleOptions {
  agentEntry: string;
  env: NodeJS.ProcessEnv;
  output: Writable;
  /** Error lines go here (default: `output`); the command line passes stderr. */
  errors?: Writable;
  logFile: string;
  /** The prospect: a 16-bit PCM WAV file (any rate, mono or stereo). */
  audioIn: string;
  /** Write the call here as a stereo WAV (prospect left, agent right). */
  record?: string;
  cwd?: string;
  /** Longest wait for the agent's answer, ms (default 60 s). */
  replyTimeoutMs?: number;
}

export async function runVoiceConsole(
  opts: VoiceConsoleOptions,
): Promise<{ exitCode: number; payload?: SessionPayload }> {
  const out = (line = '') => opts.output.write(`${line}\n`);
  const fail = (line: string) => (opts.errors ?? opts.output).write(`${line}\n`);
  let prospect: ReturnType<typeof parseWav>;
  try {
    prospect = parseWav(await readFile(opts.audioIn));
  } catch (err) {
    fail(`cannot read --audio-in ${opts.audioIn}: ${(err as Error).message}`);
    return { exitCode: 1 };
  }
  const pcm = resample(
    { samples: toMono(prospect.samples, prospect.channels), sampleRate: prospect.sampleRate },
    WIRE_RATE,
  );
  const caller = new SimulatedCaller({
    script: { steps: [{ say: '(recorded prospect)' }] },
    audio: [pcm],
    ...(opts.record ? { record: true } : {}),
    replyTimeoutMs: opts.replyTimeoutMs ?? 60_000,
  });
  const broker = await caller.listen();
  const { child, exited, payloadFile } = spawnConsoleAgent({
    agentEntry: opts.agentEntry,
    connectAddr: `${broker.host}:${broker.port}`,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    env: opts.env,
    logFile: opts.logFile,
    audio: true,
  });
  out(
    `starting the agent with audio (log: ${opts.logFile}); prospect: ${opts.audioIn} (${(pcm.samples.length / WIRE_RATE).toFixed(1)} s)`,
  );
  let result: Awaited<ReturnType<SimulatedCaller['run']>>;
  try {
    result = await Promise.race([
      caller.run({ connectTimeoutMs: 90_000 }),
      exited.then((code) => {
        throw new Error(`the agent exited (code ${code}); see ${opts.logFile}`);
      }),
    ]);
  } catch (err) {
    fail(`  ! ${(err as Error).message}`);
    caller.close();
    child.kill('SIGKILL');
    return { exitCode: 1 };
  }
  for (const t of result.turns) {
    out(
      `  prospect spoke ${(t.speechMs / 1000).toFixed(1)} s; agent answered after ${t.perceivedLatencyMs === undefined ? '—' : `${Math.round(t.perceivedLatencyMs)} ms`} of silence (heard)`,
    );
  }
  out(`agent audio played: ${(result.agentTalkMs / 1000).toFixed(1)} s`);
  if (opts.record && result.recording) {
    await writeFile(opts.record, encodeWav(result.recording, WIRE_RATE, 2));
    out(`recorded the call to ${opts.record} (stereo: prospect left, agent right)`);
  }
  out('ending the call …');
  child.kill('SIGINT');
  const payload = await waitForPayload(payloadFile, 30_000);
  caller.close();
  await Promise.race([exited, sleep(5000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
  await rm(payloadFile, { force: true });
  if (!payload) {
    fail(`no session payload came back; see ${opts.logFile}`);
    return { exitCode: 1 };
  }
  out('');
  out(formatSummary(payload));
  return { exitCode: 0, payload };
}

async function waitForPayload(file: string, timeoutMs: number): Promise<SessionPayload | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text) {
      const parsed = parseSessionPayload(text);
      if (parsed.ok) return parsed.payload;
    }
    await sleep(200);
  }
  return undefined;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
