/**
 * The stereo recording of a console call (`--record call.wav`): the caller on the left, the agent
 * on the right, on one timeline. The caller's frames are placed by frame index (the microphone's
 * own clock, one frame every `frameMs` from `t0`); the agent's audio where it played (wall clock).
 */

/** Agent audio as it played: wall-clock start (ms) and the samples that actually played. */
export interface PlayedAudio {
  start: number;
  samples: Int16Array;
}

export function mixCallRecording(o: {
  /** Wall-clock ms of the caller's first frame. */
  t0: number;
  /** Wall-clock ms where the recording ends. */
  end: number;
  sampleRate: number;
  frameMs: number;
  callerFrames: readonly Int16Array[];
  agent: readonly PlayedAudio[];
}): Int16Array {
  const total = Math.max(0, Math.ceil(((o.end - o.t0) / 1000) * o.sampleRate));
  const out = new Int16Array(total * 2);
  const put = (at: number, samples: Int16Array, channel: 0 | 1) => {
    const base = Math.max(0, Math.round(((at - o.t0) / 1000) * o.sampleRate));
    for (let i = 0; i < samples.length && base + i < total; i++)
      out[(base + i) * 2 + channel] = samples[i] ?? 0;
  };
  for (const [i, f] of o.callerFrames.entries()) put(o.t0 + i * o.frameMs, f, 0);
  for (const s of o.agent) put(s.start, s.samples, 1);
  return out;
}
