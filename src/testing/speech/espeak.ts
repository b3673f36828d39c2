/**
 * Real speech from espeak-ng, run as a separate program (`espeak-ng --stdout`): espeak-ng is
 * GPL-3.0 and is never linked or bundled, only executed. Output is 22 050 Hz 16-bit mono WAV,
 * resampled here to the rate the caller asks for.
 */
import { spawn, spawnSync } from 'node:child_process';
import { type Pcm, parseWav, resample } from '../../audio/pcm.js';

export interface EspeakVoice {
  /** espeak-ng voice, e.g. `en-us` or `en-gb+f3` (a variant after `+`). */
  voice: string;
  /** 0…99, default 50. */
  pitch?: number;
  /** Words per minute, default 175. */
  wpm?: number;
}

/** The agent's voice (OpenAI TTS stand-in) and the simulated prospect's: different voice and pitch. */
export const AGENT_VOICE: EspeakVoice = { voice: 'en-us', pitch: 45, wpm: 185 };
export const CALLER_VOICE: EspeakVoice = { voice: 'en-gb+f3', pitch: 70, wpm: 175 };

export class EspeakMissingError extends Error {
  override readonly name = 'EspeakMissingError';
  constructor(readonly command: string) {
    super(
      `${command} was not found: install the espeak-ng package (Debian/Ubuntu: apt-get install espeak-ng; macOS: brew install espeak-ng)`,
    );
  }
}

/** True when `espeak-ng` (or `command`) runs on this machine. */
export function espeakAvailable(command = 'espeak-ng'): boolean {
  const r = spawnSync(command, ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

/** Synthesises `text` and returns mono PCM at `sampleRate` (default espeak's own 22 050 Hz). */
export async function synthesize(
  text: string,
  voice: EspeakVoice,
  opts: { sampleRate?: number; command?: string; signal?: AbortSignal } = {},
): Promise<Pcm> {
  const command = opts.command ?? 'espeak-ng';
  const args = [
    '-v',
    voice.voice,
    '-p',
    String(voice.pitch ?? 50),
    '-s',
    String(voice.wpm ?? 175),
    '--stdout',
    // Text on stdin: never parsed as options, whatever the caller or the model wrote.
  ];
  const wav = await new Promise<Buffer>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: opts.signal });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? new EspeakMissingError(command) : e),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${command} exited with ${code}: ${Buffer.concat(err).toString().trim()}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(text);
  });
  const pcm = parseWav(wav);
  return opts.sampleRate ? resample(pcm, opts.sampleRate) : pcm;
}
