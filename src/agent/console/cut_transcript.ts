/**
 * Where an interrupted reply was cut, for console audio. In a LiveKit room agents-js's RoomIO
 * puts a transcription synchronizer between the reply text and the speaker, so an interrupted
 * assistant message keeps only the words that were played; the console protocol has none, and
 * the message would keep the whole reply. These two outputs do the synchronizer's minimal job:
 * `SegmentText` collects the text of the reply being spoken, and `CutTranscriptAudioOutput`
 * (in front of the real audio output) answers an interrupted playout with the text spoken up to
 * the playback position, cut at a word boundary in proportion to the audio played.
 */
import { voice } from '@livekit/agents';

type PlaybackFinished = Parameters<voice.AudioOutput['onPlaybackFinished']>[0];

/** The session's text output type (agents-js does not export the `TextOutput` class itself). */
export type SessionTextOutput = NonNullable<voice.AgentSession['output']['transcription']>;

export class SegmentText {
  readonly nextInChain = undefined;
  #text = '';
  #done = '';

  async captureText(text: string | { text: string }): Promise<void> {
    this.#text += typeof text === 'string' ? text : text.text;
  }

  flush(): void {
    this.#done = this.#text;
    this.#text = '';
  }

  onAttached(): void {}
  onDetached(): void {}

  /** Text of the segment being (or last) spoken. */
  current(): string {
    return this.#text || this.#done;
  }

  reset(): void {
    this.#text = '';
    this.#done = '';
  }
}

/** The first `fraction` of `text`, ending on a whole word. */
export function cutAtFraction(text: string, fraction: number): string {
  if (fraction >= 1) return text;
  if (fraction <= 0) return '';
  const target = Math.round(text.length * fraction);
  const space = text.lastIndexOf(' ', target);
  return (space <= 0 ? '' : text.slice(0, space)).trimEnd();
}

export class CutTranscriptAudioOutput extends voice.AudioOutput {
  readonly #next: voice.AudioOutput;
  readonly #text: SegmentText;
  #pushedMs = 0;

  /** `pause`: claim the next output's pause support (agents-js's console wiring does). */
  constructor(next: voice.AudioOutput, text: SegmentText, opts: { pause?: boolean } = {}) {
    super(next.sampleRate, next, { pause: opts.pause ?? false });
    this.#next = next;
    this.#text = text;
  }

  override async captureFrame(frame: Parameters<voice.AudioOutput['captureFrame']>[0]): Promise<void> {
    await super.captureFrame(frame);
    this.#pushedMs += (frame.samplesPerChannel / frame.sampleRate) * 1000;
    await this.#next.captureFrame(frame);
  }

  override flush(): void {
    super.flush();
    this.#next.flush();
  }

  override clearBuffer(): void {
    this.#next.clearBuffer();
  }

  /** agents-js's console `SessionHost` hands the broker's playout answer to its audio output. */
  notifyPlayoutFinished(): void {
    (this.#next as { notifyPlayoutFinished?: () => void }).notifyPlayoutFinished?.();
  }

  override onPlaybackFinished(ev: PlaybackFinished): void {
    let out = ev;
    if (ev.interrupted && ev.synchronizedTranscript === undefined && this.#pushedMs > 0) {
      const fraction = (ev.playbackPosition * 1000) / this.#pushedMs;
      out = { ...ev, synchronizedTranscript: cutAtFraction(this.#text.current(), fraction) };
    }
    this.#pushedMs = 0;
    this.#text.reset();
    super.onPlaybackFinished(out);
  }
}
