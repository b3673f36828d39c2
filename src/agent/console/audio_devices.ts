/**
 * What `console --voice` needs from the machine: a microphone and a speaker (ALSA devices, as
 * listed in /proc/asound/pcm) and sox's `rec` and `play`. `missingForVoice` names each missing part
 * and how to get it, so a machine without sound says why instead of failing half-way.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface AudioDevices {
  /** ALSA devices that can record / play (`/proc/asound/pcm` lines with `capture` / `playback`). */
  capture: number;
  playback: number;
  /** sox's `rec` and `play` are on PATH. */
  sox: boolean;
}

/** Counts capture and playback devices in the text of `/proc/asound/pcm`. */
export function parseAsoundPcm(text: string): { capture: number; playback: number } {
  let capture = 0;
  let playback = 0;
  for (const line of text.split('\n')) {
    if (/:\s*capture \d+/.test(line)) capture += 1;
    if (/:\s*playback \d+/.test(line)) playback += 1;
  }
  return { capture, playback };
}

export function probeAudioDevices(pcmFile = '/proc/asound/pcm'): AudioDevices {
  let text = '';
  try {
    text = readFileSync(pcmFile, 'utf8');
  } catch {
    // No ALSA: no sound card (or not Linux).
  }
  return { ...parseAsoundPcm(text), sox: onPath('rec') && onPath('play') };
}

/** One line per missing part, each naming what to do; empty when everything is there. */
export function missingForVoice(d: AudioDevices): string[] {
  const out: string[] = [];
  if (d.capture === 0)
    out.push('no microphone: this machine has no audio capture device (/proc/asound/pcm lists none)');
  if (d.playback === 0)
    out.push('no speaker: this machine has no audio playback device (/proc/asound/pcm lists none)');
  if (!d.sox) out.push("sox's rec and play are not installed (Debian/Ubuntu: apt-get install sox)");
  return out;
}

function onPath(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
