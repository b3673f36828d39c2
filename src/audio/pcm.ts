/**
 * Small PCM helpers shared by the local speech servers, the simulated caller and the voice
 * console: 16-bit mono little-endian samples held in `Int16Array`s, WAV in and out, RMS, and
 * resampling through `@livekit/rtc-node`'s `AudioResampler` (the resampler the agent itself uses).
 */
import { AudioFrame, AudioResampler } from '@livekit/rtc-node';

export interface Pcm {
  samples: Int16Array;
  sampleRate: number;
}

/** RMS of samples as a fraction of full scale (0…1). */
export function rms(samples: Int16Array, from = 0, to = samples.length): number {
  if (to <= from) return 0;
  let sum = 0;
  for (let i = from; i < to; i++) {
    const v = (samples[i] ?? 0) / 32768;
    sum += v * v;
  }
  return Math.sqrt(sum / (to - from));
}

/** Below this RMS a 20 ms frame counts as silence (about -46 dBFS; espeak's pauses are digital zero). */
export const VOICED_RMS = 0.005;

export const durationMs = (pcm: Pcm): number => (pcm.samples.length / pcm.sampleRate) * 1000;

/** Resamples mono PCM; returns the input when the rates match. */
export function resample(pcm: Pcm, toRate: number): Pcm {
  if (pcm.sampleRate === toRate) return pcm;
  const resampler = new AudioResampler(pcm.sampleRate, toRate, 1);
  const parts: Int16Array[] = [];
  // Feed 100 ms blocks: the resampler works on frames.
  const block = Math.floor(pcm.sampleRate / 10);
  for (let i = 0; i < pcm.samples.length; i += block) {
    const chunk = pcm.samples.slice(i, Math.min(i + block, pcm.samples.length));
    for (const f of resampler.push(new AudioFrame(chunk, pcm.sampleRate, 1, chunk.length)))
      parts.push(f.data);
  }
  for (const f of resampler.flush()) parts.push(f.data);
  resampler.close();
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Int16Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return { samples: out, sampleRate: toRate };
}

/** Parses a RIFF/WAVE file of 16-bit PCM. A data chunk size of 0 or 0xFFFFFFFF (streamed WAV) means "to the end". */
export function parseWav(buf: Buffer): Pcm & { channels: number } {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a WAV file (no RIFF/WAVE header)');
  }
  let at = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  while (at + 8 <= buf.length) {
    const id = buf.toString('ascii', at, at + 4);
    let size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      fmt = {
        format: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        rate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('WAV data chunk before its fmt chunk');
      if (fmt.format !== 1 || fmt.bits !== 16) {
        throw new Error(`unsupported WAV encoding (format ${fmt.format}, ${fmt.bits} bits): need 16-bit PCM`);
      }
      if (size === 0 || size === 0xffffffff || body + size > buf.length) size = buf.length - body;
      size -= size % (2 * fmt.channels);
      const interleaved = new Int16Array(size / 2);
      for (let i = 0; i < interleaved.length; i++) interleaved[i] = buf.readInt16LE(body + 2 * i);
      return { samples: interleaved, sampleRate: fmt.rate, channels: fmt.channels };
    }
    at = body + size + (size % 2);
  }
  throw new Error('WAV file has no data chunk');
}

/** Mixes interleaved channels down to mono. */
export function toMono(samples: Int16Array, channels: number): Int16Array {
  if (channels === 1) return samples;
  const out = new Int16Array(Math.floor(samples.length / channels));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += samples[i * channels + c] ?? 0;
    out[i] = Math.round(sum / channels);
  }
  return out;
}

/** A 16-bit PCM WAV file of `channels` interleaved channels. */
export function encodeWav(samples: Int16Array, sampleRate: number, channels = 1): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Little-endian bytes of samples (a copy-free view when aligned). */
export const pcmBytes = (samples: Int16Array): Buffer =>
  Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);

/** Samples from little-endian bytes (copied, so the result is aligned). */
export function bytesToPcm(bytes: Uint8Array): Int16Array {
  const aligned = new Uint8Array(bytes.byteLength - (bytes.byteLength % 2));
  aligned.set(bytes.subarray(0, aligned.length));
  return new Int16Array(aligned.buffer);
}
