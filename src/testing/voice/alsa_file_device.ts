/**
 * A STAND-IN FOR A SOUND CARD, for machines without one: a user-space ALSA device built from
 * alsa-lib's `file` PCM plugin, so `console --voice` runs its real sox subprocesses against a real
 * ALSA device name.
 *
 * - Capture reads a FIFO (`infile`) that `FifoMicrophone` writes in real time, 20 ms per write.
 *   The plugin's `null` slave is not paced (it "records" 1.5 s in a few ms), so the FIFO gives the
 *   pacing a microphone has: sox's 20 ms read (`--buffer 960`) blocks until the next frame is
 *   written. A read never straddles two writes, so no filler is read between frames.
 * - Playback appends what sox plays to a raw file (48 kHz 16-bit mono), unpaced: the console's
 *   speaker paces itself, so the file grows in real time.
 * - `type asym` joins both under one name, as a sound card has one name for its microphone and
 *   its speaker. `HOME` must point at `home` for alsa-lib to read the `.asoundrc`.
 */
import { execFileSync } from 'node:child_process';
import { type FileHandle, mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const FRAME_SAMPLES = 960; // 20 ms at 48 kHz

export interface AlsaFileDevice {
  /** The ALSA device name (`--audio-device`). */
  name: string;
  /** Give sox `HOME=home` so alsa-lib reads the device definition. */
  home: string;
  /** The microphone's FIFO; write it with `FifoMicrophone`. */
  micFifo: string;
  /** What the speaker played: raw 48 kHz 16-bit mono. */
  speakerFile: string;
}

export async function createAlsaFileDevice(dir: string, name: string): Promise<AlsaFileDevice> {
  const home = join(dir, 'home');
  await mkdir(home, { recursive: true });
  const micFifo = join(dir, 'mic.fifo');
  const speakerFile = join(dir, 'speaker.raw');
  execFileSync('mkfifo', [micFifo]);
  const q = (s: string) => JSON.stringify(s);
  await writeFile(
    join(home, '.asoundrc'),
    [
      '# A stand-in for a sound card (tests): file-backed ALSA devices.',
      `pcm.${name}_mic { type file; slave.pcm "null"; file "/dev/null"; infile ${q(micFifo)}; format "raw" }`,
      `pcm.${name}_spk { type file; slave.pcm "null"; file ${q(speakerFile)}; format "raw" }`,
      `pcm.${name} { type asym; capture.pcm "${name}_mic"; playback.pcm "${name}_spk" }`,
      '',
    ].join('\n'),
  );
  return { name, home, micFifo, speakerFile };
}

/**
 * Writes the microphone FIFO in real time: one 20 ms frame per write (silence unless a line is
 * being spoken), and remembers every frame it wrote.
 */
export class FifoMicrophone {
  readonly #fifo: string;
  #fh: FileHandle | undefined;
  #timer: NodeJS.Timeout | undefined;
  #t0 = 0;
  #sent = 0;
  #line: { samples: Int16Array; at: number; resolve: () => void } | undefined;
  #writing = Promise.resolve();
  #closed = false;
  /** Every frame written, in order (what sox should have captured). */
  readonly frames: Int16Array[] = [];

  constructor(fifo: string) {
    this.#fifo = fifo;
  }

  /** Resolves once a reader (sox) opened the FIFO; from then on frames flow in real time. */
  async start(): Promise<void> {
    this.#fh = await open(this.#fifo, 'w');
    this.#t0 = Date.now();
    this.#timer = setInterval(() => this.#tick(), 10);
  }

  /** Speaks `samples` (48 kHz mono) from the next frame on; resolves when the last frame was written. */
  say(samples: Int16Array): Promise<{ firstFrame: number }> {
    const firstFrame = this.#sent;
    return new Promise((resolve) => {
      this.#line = { samples, at: 0, resolve: () => resolve({ firstFrame }) };
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#writing;
    await this.#fh?.close().catch(() => undefined);
  }

  #tick(): void {
    const due = Math.floor((Date.now() - this.#t0) / 20) + 1 - this.#sent;
    for (let k = 0; k < due; k++) {
      const frame = new Int16Array(FRAME_SAMPLES);
      const line = this.#line;
      if (line) {
        frame.set(line.samples.subarray(line.at, line.at + FRAME_SAMPLES));
        line.at += FRAME_SAMPLES;
        if (line.at >= line.samples.length) {
          this.#line = undefined;
          line.resolve();
        }
      }
      this.frames.push(frame);
      this.#sent++;
      const fh = this.#fh;
      // One write per frame, in order; the reader may go away at the end of the call (EPIPE).
      this.#writing = this.#writing.then(async () => {
        if (!this.#closed) await fh?.write(new Uint8Array(frame.buffer)).catch(() => undefined);
      });
    }
  }
}
