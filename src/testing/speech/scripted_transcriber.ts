/**
 * The scripted transcriber behind the local Deepgram stand-in. It does not recognise speech: the
 * simulated caller tells it what it is about to say (`expect`), and when the audio of that line
 * reaches the server (detected from the audio itself, by energy) the server answers with the
 * scripted text, word by word as the audio goes on. Everything this produces is SCRIPTED; the
 * audio, its timing and the protocol are real.
 *
 * Lines are kept per API key (the `Authorization: Token <key>` the Deepgram plugin sends), so one
 * server serves many concurrent calls: give each call its own key.
 */

export interface ScriptedLine {
  text: string;
  /** Voiced length of the line's audio, ms (the caller knows it from the audio it will send). */
  speechMs: number;
}

export class ScriptedTranscriber {
  readonly #lines = new Map<string, ScriptedLine[]>();
  readonly #keys = new Set<string>();

  /** Allows `key` (an API key) to connect; lines it will speak follow with `expect`. */
  register(key: string): void {
    this.#keys.add(key);
    if (!this.#lines.has(key)) this.#lines.set(key, []);
  }

  knows(key: string): boolean {
    return this.#keys.has(key);
  }

  /** The caller of `key` is about to say `line`. */
  expect(key: string, line: ScriptedLine): void {
    this.register(key);
    this.#lines.get(key)?.push(line);
  }

  /** The next line of `key`, when speech is heard; undefined when the caller said nothing scripted. */
  take(key: string): ScriptedLine | undefined {
    return this.#lines.get(key)?.shift();
  }

  forget(key: string): void {
    this.#keys.delete(key);
    this.#lines.delete(key);
  }
}

/** Words of a line with their share of the speech time, for Deepgram's `words` array. */
export function splitWords(text: string): string[] {
  return text.split(/\s+/).filter((w) => w.length > 0);
}
