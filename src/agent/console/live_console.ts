/**
 * The live voice console: `npm run console -- --voice [--audio-device NAME] [--record call.wav]`.
 * The machine's microphone and speaker (sox subprocesses, `sox_audio.ts`) on agents-js's console
 * protocol: the microphone's 20 ms frames go to the agent as `audioInput`, the agent's
 * `audioOutput` plays on the speaker, and the playout handshake is answered from what the speaker
 * played (`BrokerSocketTransport` with a `SoxSpeaker`). Transcripts and replies print as they
 * arrive; Ctrl-C (the `signal`) ends the call, the agent publishes its payload and the console
 * prints its summary. No `lk` binary.
 */
import { rm, writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { voice } from '@livekit/agents';
import { AgentSession as pb } from '@livekit/protocol';
import { encodeWav } from '../../audio/pcm.js';
import type { SessionPayload } from '../../schema/index.js';
import { BrokerSocketTransport, listenForAgent } from './broker_transport.js';
import { mixCallRecording } from './call_recording.js';
import { ensureAgentsLogger, spawnConsoleAgent, waitForPayload } from './console_client.js';
import {
  type AudioDevice,
  AudioDeviceError,
  FRAME_MS,
  SoxMicrophone,
  SoxSpeaker,
  WIRE_RATE,
} from './sox_audio.js';
import { formatSummary } from './summary.js';

export interface LiveConsoleOptions {
  agentEntry: string;
  env: NodeJS.ProcessEnv;
  output: Writable;
  /** Error lines go here (default: `output`); the command line passes stderr. */
  errors?: Writable;
  logFile: string;
  /** The ALSA device for both microphone and speaker (`chooseAudioDevice`). */
  device: AudioDevice;
  /** Write the call here as a stereo WAV (prospect left, agent right). */
  record?: string;
  /** Aborting ends the call (the console's Ctrl-C). */
  signal: AbortSignal;
  cwd?: string;
  /** How long to wait for the agent to connect (default 90 s). */
  connectTimeoutMs?: number;
  /** How long to wait for the payload after the call ends (default 30 s). */
  shutdownTimeoutMs?: number;
}

export interface LiveConsoleResult {
  exitCode: number;
  payload?: SessionPayload;
}

export async function runLiveConsole(opts: LiveConsoleOptions): Promise<LiveConsoleResult> {
  const out = (line = '') => opts.output.write(`${line}\n`);
  const fail = (line: string) => (opts.errors ?? opts.output).write(`${line}\n`);
  const device = opts.device.name;
  let transport: BrokerSocketTransport | undefined;
  let t0 = 0;
  const callerFrames: Int16Array[] = [];
  const onMicFrame = (frame: Int16Array) => {
    if (!transport) return; // nobody to hear it yet
    if (t0 === 0) t0 = Date.now();
    if (opts.record) callerFrames.push(frame);
    transport.sendAudioInput(frame, WIRE_RATE);
  };

  let speaker: SoxSpeaker | undefined;
  let mic: SoxMicrophone | undefined;
  try {
    speaker = await SoxSpeaker.open(device, opts.env);
    mic = await SoxMicrophone.open(device, opts.env, onMicFrame);
  } catch (err) {
    await speaker?.stop();
    if (err instanceof AudioDeviceError) {
      fail(`console --voice: ${err.message}`);
      return { exitCode: 1 };
    }
    throw err;
  }

  const listener = await listenForAgent();
  const { child, exited, payloadFile } = spawnConsoleAgent({
    agentEntry: opts.agentEntry,
    connectAddr: `127.0.0.1:${listener.port}`,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    env: opts.env,
    logFile: opts.logFile,
    audio: true,
    detached: true,
  });
  let agentExited = false;
  // The agent has its own process group: should the console exit without ending the call
  // (an uncaught error), take the agent with it.
  const killAgent = () => child.kill('SIGKILL');
  process.once('exit', killAgent);
  void exited.then(() => {
    agentExited = true;
    process.off('exit', killAgent);
  });
  const aborted = new Promise<void>((resolve) => {
    if (opts.signal.aborted) resolve();
    else opts.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const micStopped = mic.exited;
  let remote: voice.RemoteSession | undefined;
  let payload: SessionPayload | undefined;
  let exitCode = 1;
  try {
    out(`starting the agent with audio (log: ${opts.logFile}); microphone and speaker: ALSA "${device}"`);
    const first = await Promise.race([
      listener.accepted.then((s) => ({ kind: 'socket' as const, s })),
      exited.then((code) => ({ kind: 'exit' as const, code })),
      aborted.then(() => ({ kind: 'abort' as const })),
      micStopped.then(() => ({ kind: 'mic' as const })),
      sleep(opts.connectTimeoutMs ?? 90_000).then(() => ({ kind: 'timeout' as const })),
    ]);
    if (first.kind !== 'socket') {
      listener.close();
      child.kill('SIGKILL');
      if (first.kind === 'exit')
        fail(`the agent exited (code ${first.code}) before connecting; see ${opts.logFile}`);
      else if (first.kind === 'timeout') fail('the agent did not connect in time');
      else if (first.kind === 'mic')
        fail(`the microphone "${device}" stopped: ${mic.error() || 'sox exited'}`);
      return { exitCode: 1 };
    }
    const socket = first.s;
    const agentGone = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    ensureAgentsLogger();
    transport = new BrokerSocketTransport(socket, speaker);
    remote = new voice.RemoteSession(transport);
    remote.on('conversation_item_added', (ev) => {
      const item = ev.item?.item;
      if (item?.case !== 'message') return;
      const text = item.value.content
        .map((c) => (c.payload.case === 'text' ? c.payload.value : ''))
        .join('')
        .trim();
      if (!text) return;
      if (item.value.role === pb.ChatRole.ASSISTANT) out(`agent › ${text}`);
      else if (item.value.role === pb.ChatRole.USER) out(`you › ${text}`);
    });
    remote.on('function_tools_executed', (ev) => {
      for (const call of ev.functionCalls) out(`  ⚙ ${call.name}(${call.arguments})`);
    });
    remote.on('error', (ev) => fail(`  ! agent error: ${ev.message}`));
    await remote.start();
    out('connected: speak into the microphone; Ctrl-C ends the call.');

    const end = await Promise.race([
      aborted.then(() => 'abort' as const),
      agentGone.then(() => 'agent' as const),
      micStopped.then(() => 'mic' as const),
      speaker.exited.then(() => 'speaker' as const),
    ]);
    if (end === 'mic') fail(`  ! the microphone "${device}" stopped: ${mic.error() || 'sox exited'}`);
    if (end === 'speaker') fail(`  ! the speaker "${device}" stopped: ${speaker.error() || 'sox exited'}`);
    // The call is over for the prospect: stop listening before the agent winds down.
    await mic.stop();
    const endedAt = Math.max(Date.now(), speaker.playEnd);
    if (end === 'agent') out('the agent ended the call.');
    else {
      out('ending the call …');
      child.kill('SIGINT');
    }
    payload = await waitForPayload(payloadFile, exited, opts.shutdownTimeoutMs ?? 30_000);
    if (opts.record) {
      const recording = mixCallRecording({
        t0: t0 || endedAt,
        end: endedAt,
        sampleRate: WIRE_RATE,
        frameMs: FRAME_MS,
        callerFrames,
        agent: speaker.played(),
      });
      await writeFile(opts.record, encodeWav(recording, WIRE_RATE, 2));
      out(`recorded the call to ${opts.record} (stereo: prospect left, agent right)`);
    }
    if (payload) {
      out('');
      out(formatSummary(payload));
      exitCode = 0;
    } else {
      fail(`no session payload came back; see ${opts.logFile}`);
    }
  } finally {
    await mic.stop();
    await remote?.close().catch(() => undefined);
    if (!agentExited) {
      const code = await Promise.race([exited, sleep(3000).then(() => null)]);
      if (code === null) {
        child.kill('SIGTERM');
        if ((await Promise.race([exited, sleep(2000).then(() => null)])) === null) {
          child.kill('SIGKILL');
          await exited;
        }
      }
    }
    await speaker.stop();
    await rm(payloadFile, { force: true });
  }
  return payload ? { exitCode, payload } : { exitCode };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
