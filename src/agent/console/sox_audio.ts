/**
 * The machine's microphone and speaker for `console --voice`, through sox run as a separate
 * program (sox is GPL: executed, never linked). Both sides speak the console protocol's wire
 * format, 48 kHz 16-bit mono:
 *
 * - `SoxMicrophone`: `sox -t alsa <device> -t raw -` and 20 ms frames out of its stdout. The
 *   format options sit before the device name: after it they would apply to the output, ALSA
 *   would open the device in sox's default stereo and every frame would be a downmixed, dithered
 *   copy. `--buffer 960` makes sox read 20 ms at a time (it counts samples), so a frame leaves as
 *   soon as it was captured.
 * - `SoxSpeaker`: `sox -t raw - -t alsa <device>`, one continuous stream on our own clock (as a
 *   sound card plays: silence when the agent is quiet). Each sample is handed to sox when it is
 *   due, `LEAD_MS` ahead, so what has been written is what has played, give or take that cushion
 *   and the device's own buffer. A flush is answered once the last agent sample's play time has
 *   passed; a clear drops every sample not yet handed to sox. Pacing ourselves also keeps a device
 *   that takes audio faster than real time (a file, a null sink) in real time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { AgentSession as pb } from '@livekit/protocol';
import { bytesToPcm, resample } from '../../audio/pcm.js';
import type { BrokerAudio } from './broker_transport.js';
import type { PlayedAudio } from './call_recording.js';

export const WIRE_RATE = 48_000;
export const FRAME_MS = 20;
const FRAME_SAMPLES = (WIRE_RATE * FRAME_MS) / 1000;
const PCM = ['-r', String(WIRE_RATE), '-c', '1', '-b', '16', '-e', 'signed-integer'];
/** How far ahead of its play time a sample is handed to sox. */
const LEAD_MS = 100;
const OPEN_TIMEOUT_MS = 10_000;

/** The ALSA device to use: `--audio-device`, else `AUDIODEV` (sox's own variable), else `default`. */
export interface AudioDevice {
  name: string;
  /** Named by the user (option or AUDIODEV): no /proc/asound/pcm check, sox decides. */
  explicit: boolean;
}

export function chooseAudioDevice(option: string | undefined, env: NodeJS.ProcessEnv): AudioDevice {
  const named = option?.trim() || env.AUDIODEV?.trim();
  return named ? { name: named, explicit: true } : { name: 'default', explicit: false };
}

/** sox could not open the device (or is not installed); the message names both. */
export class AudioDeviceError extends Error {
  override readonly name = 'AudioDeviceError';
}

type Role = 'microphone' | 'speaker';

interface Sox {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/**
 * Starts sox and resolves once it has opened both ends (at `-V3` it prints the `Input File` and
 * `Output File` headers only after opening them); rejects with sox's own error when it exits first.
 */
async function startSox(args: string[], role: Role, device: string, env: NodeJS.ProcessEnv): Promise<Sox> {
  // Its own process group: a Ctrl-C at the terminal reaches the console, which stops sox in
  // order. Should the console die, sox sees its pipe close and exits.
  const child = spawn('sox', ['-V3', '--no-show-progress', ...args], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (c: Buffer) => {
      if (stderr.length < 64_000) stderr += c.toString('utf8');
      if (/^Output File\s*:/m.test(stderr)) resolve();
    });
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new AudioDeviceError(
          e.code === 'ENOENT'
            ? 'sox is not installed (Debian/Ubuntu: apt-get install sox); play a recorded prospect instead with --audio-in prospect.wav'
            : `cannot start sox for the ${role}: ${e.message}`,
        ),
      ),
    );
    void exited.then(({ code, signal }) =>
      reject(
        new AudioDeviceError(
          `sox cannot open the ${role} "${device}": ${soxError(stderr) || `sox exited (${signal ?? code})`}`,
        ),
      ),
    );
    setTimeout(
      () =>
        reject(
          new AudioDeviceError(`sox did not open the ${role} "${device}" within ${OPEN_TIMEOUT_MS / 1000} s`),
        ),
      OPEN_TIMEOUT_MS,
    ).unref();
  });
  child.stdin?.on('error', () => undefined);
  try {
    await opened;
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
  return { child, exited, stderr: () => stderr };
}

/** sox's failure lines (`sox FAIL …`, `ALSA lib …`), without its banner and file headers. */
function soxError(stderr: string): string {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^sox (FAIL|WARN)|^ALSA lib/.test(l))
    .join('; ');
}

/** Stops a sox process: SIGTERM, then SIGKILL if it has not exited after 2 s. */
async function stopSox(sox: Sox): Promise<void> {
  if (sox.child.exitCode !== null || sox.child.signalCode !== null) return;
  sox.child.kill('SIGTERM');
  const timer = setTimeout(() => sox.child.kill('SIGKILL'), 2000);
  await sox.exited;
  clearTimeout(timer);
}

export class SoxMicrophone {
  readonly #sox: Sox;
  /** Resolves when sox stops (the call ends, or the device went away). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly pid: number | undefined;

  private constructor(sox: Sox, onFrame: (samples: Int16Array) => void) {
    this.#sox = sox;
    this.exited = sox.exited;
    this.pid = sox.child.pid;
    let pending: Buffer = Buffer.alloc(0);
    const frameBytes = FRAME_SAMPLES * 2;
    sox.child.stdout?.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= frameBytes) {
        onFrame(bytesToPcm(pending.subarray(0, frameBytes)));
        pending = pending.subarray(frameBytes);
      }
    });
  }

  /** Opens the capture device; `onFrame` gets each 20 ms frame (48 kHz mono). */
  static async open(
    device: string,
    env: NodeJS.ProcessEnv,
    onFrame: (samples: Int16Array) => void,
  ): Promise<SoxMicrophone> {
    const args = ['-D', '--buffer', String(FRAME_SAMPLES), ...PCM, '-t', 'alsa', device, '-t', 'raw', '-'];
    return new SoxMicrophone(await startSox(args, 'microphone', device, env), onFrame);
  }

  /** sox's last words (for a device that stopped mid-call). */
  error(): string {
    return soxError(this.#sox.stderr());
  }

  stop(): Promise<void> {
    return stopSox(this.#sox);
  }
}

export class SoxSpeaker implements BrokerAudio {
  readonly #sox: Sox;
  /** The stream's clock: sample n plays at `#streamStart + n / WIRE_RATE` s (wall-clock ms). */
  #streamStart = Date.now();
  #written = 0;
  /** Agent audio waiting for its turn on the stream. */
  #queue: Int16Array[] = [];
  /** Agent audio handed to sox, where it plays (for the recording). */
  readonly #played: PlayedAudio[] = [];
  /** Wall-clock ms when the last agent sample handed to sox has played. */
  #agentEnd = 0;
  #timer: NodeJS.Timeout;
  #waiters: Array<() => void> = [];
  readonly pid: number | undefined;

  private constructor(sox: Sox) {
    this.#sox = sox;
    this.pid = sox.child.pid;
    this.#timer = setInterval(() => this.#tick(), 10);
  }

  /** Opens the playback device and starts the stream (silence until the agent speaks). */
  static async open(device: string, env: NodeJS.ProcessEnv): Promise<SoxSpeaker> {
    const args = ['-D', '--buffer', String(FRAME_SAMPLES), ...PCM, '-t', 'raw', '-', '-t', 'alsa', device];
    return new SoxSpeaker(await startSox(args, 'speaker', device, env));
  }

  play(frame: pb.AgentSessionMessage_ConsoleIO_AudioFrame): void {
    let samples = bytesToPcm(frame.data);
    if (frame.numChannels > 1) samples = samples.filter((_, i) => i % frame.numChannels === 0);
    if (frame.sampleRate !== WIRE_RATE)
      samples = resample({ samples, sampleRate: frame.sampleRate }, WIRE_RATE).samples;
    if (samples.length > 0) this.#queue.push(samples);
    this.#tick();
  }

  drained(): Promise<void> {
    if (this.#idle()) return Promise.resolve();
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  clear(): void {
    // What was already handed to sox still plays (at most LEAD_MS ahead of now).
    this.#queue = [];
  }

  /** The agent's audio as it was played (cleared audio excluded), for the recording. */
  played(): readonly PlayedAudio[] {
    return this.#played;
  }

  /** Resolves when sox stops (the call ends, or the device went away). */
  get exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.#sox.exited;
  }

  /** sox's last words (for a device that stopped mid-call). */
  error(): string {
    return soxError(this.#sox.stderr());
  }

  /** Wall-clock ms when everything handed to sox so far has played. */
  get playEnd(): number {
    return this.#streamStart + (this.#written / WIRE_RATE) * 1000;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    for (const w of this.#waiters.splice(0)) w();
    this.#sox.child.stdin?.end();
    await stopSox(this.#sox);
  }

  #idle(): boolean {
    return this.#queue.length === 0 && Date.now() >= this.#agentEnd;
  }

  /** Tops the stream up to `LEAD_MS` ahead of now: queued agent audio first, then silence. */
  #tick(): void {
    const now = Date.now();
    const leadSamples = (WIRE_RATE * LEAD_MS) / 1000;
    let due = Math.floor(((now - this.#streamStart) / 1000) * WIRE_RATE) + leadSamples - this.#written;
    if (this.#queue.length === 0 && due > 2 * leadSamples) {
      // The event loop stalled: do not queue the missed time as silence (it would delay every
      // later reply); restart the clock as if the stream had just been topped up.
      this.#streamStart += ((due - leadSamples) / WIRE_RATE) * 1000;
      due = leadSamples;
    }
    if (due <= 0) {
      this.#wakeIfIdle(now);
      return;
    }
    const chunk = new Int16Array(due);
    let at = 0;
    while (at < due && this.#queue.length > 0) {
      const head = this.#queue[0] as Int16Array;
      const take = Math.min(head.length, due - at);
      chunk.set(head.subarray(0, take), at);
      this.#played.push({
        start: this.#streamStart + ((this.#written + at) / WIRE_RATE) * 1000,
        samples: head.subarray(0, take),
      });
      at += take;
      this.#agentEnd = this.#streamStart + ((this.#written + at) / WIRE_RATE) * 1000;
      if (take === head.length) this.#queue.shift();
      else this.#queue[0] = head.subarray(take);
    }
    this.#sox.child.stdin?.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.#written += due;
    this.#wakeIfIdle(now);
  }

  #wakeIfIdle(now: number): void {
    if (this.#waiters.length > 0 && this.#queue.length === 0 && now >= this.#agentEnd)
      for (const w of this.#waiters.splice(0)) w();
  }
}
