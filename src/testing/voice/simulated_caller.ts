/**
 * A simulated caller on agents-js's console protocol: it plays the broker (`lk`'s role), so the
 * agent connects to it with `TcpSessionTransport` and its `TcpAudioInput`/`TcpAudioOutput` carry
 * real audio both ways. The caller
 *
 * - synthesises its lines with espeak-ng in a voice distinct from the agent's (`CALLER_VOICE`),
 * - streams 20 ms frames at 48 kHz in real time (silence between lines, as a microphone does),
 * - plays the agent's audio on a simulated speaker in real time and answers the playout
 *   handshake (`audioPlaybackFlush` → `audioPlaybackFinished` when the audio has played;
 *   `audioPlaybackClear` drops what has not played),
 * - speaks each line after the agent has finished (a human-like gap), cuts in mid-sentence when
 *   the step says so, or stays silent,
 * - tells the scripted transcriber what it is about to say (SCRIPTED transcripts), and
 * - measures ground truth: for every answered line, the time from sending its last voiced frame
 *   to the first audible frame of the agent's reply as played (perceived latency).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { AgentSession as pb } from '@livekit/protocol';
import {
  audioInputMessage,
  encodeFrame,
  FrameDecoder,
  playbackFinishedMessage,
} from '../../agent/console/broker_transport.js';
import { mixCallRecording } from '../../agent/console/call_recording.js';
import { bytesToPcm, type Pcm, rms, VOICED_RMS } from '../../audio/pcm.js';
import { CALLER_VOICE, type EspeakVoice, synthesize } from '../speech/espeak.js';
import type { ScriptedTranscriber } from '../speech/scripted_transcriber.js';
import { type CallerScript, humanGapMs } from './caller_script.js';

export const WIRE_RATE = 48_000;
const FRAME_MS = 20;
const FRAME_SAMPLES = (WIRE_RATE * FRAME_MS) / 1000;

export interface CallerTurn {
  /** Index of the step that spoke this line. */
  step: number;
  text: string;
  bargeIn: boolean;
  /** Voiced length of the line, ms. */
  speechMs: number;
  /** Wall-clock ms when the first and last voiced frames were sent. */
  firstVoicedSentAt: number;
  lastVoicedSentAt: number;
  /** First audible agent audio after the line, as played (wall-clock ms); undefined when the agent never answered. */
  agentAudibleAt?: number;
  /** `agentAudibleAt - lastVoicedSentAt`: the silence the caller heard. */
  perceivedLatencyMs?: number;
}

export interface CallerResult {
  turns: CallerTurn[];
  /** Audio the caller sent that was voiced, ms. */
  callerTalkMs: number;
  /** Agent audio that actually played (cleared audio excluded), ms. */
  agentTalkMs: number;
  /** Times the agent's playout was cleared (it stopped talking because the caller cut in). */
  clears: number;
  /** Stereo 48 kHz recording (caller left, agent right), when `record` was set. */
  recording?: Int16Array;
}

export interface SimulatedCallerOptions {
  script: CallerScript;
  /** Scripted transcriber of the local Deepgram stand-in, and this call's key there. */
  transcriber?: ScriptedTranscriber;
  transcriberKey?: string;
  voice?: EspeakVoice;
  /** Seed of the human-like gaps (default the transcriber key). */
  seed?: string;
  /** Longest wait for the agent's answer to one line before moving on, ms (default 30 s). */
  replyTimeoutMs?: number;
  /** Keep a stereo recording of the call. */
  record?: boolean;
  /** Pre-recorded caller audio instead of synthesis: one PCM per `say` step, in order. */
  audio?: Pcm[];
}

/** Listens on loopback for the agent; `run()` speaks the script once it connected. */
export class SimulatedCaller {
  readonly #opts: SimulatedCallerOptions;
  #server: Server | undefined;
  #socket: Socket | undefined;
  #connected: Promise<Socket> | undefined;
  // outgoing audio
  #t0 = 0;
  #sent = 0;
  #pump: NodeJS.Timeout | undefined;
  #current:
    | {
        samples: Int16Array;
        at: number;
        onVoiced: (first: boolean, last: boolean) => void;
        firstVoiced: number;
        lastVoiced: number;
        done: () => void;
      }
    | undefined;
  #callerVoicedMs = 0;
  // incoming audio (the simulated speaker)
  #playEnd = 0;
  #played: Array<{ start: number; end: number; samples: Int16Array }> = [];
  #flushTimer: NodeJS.Timeout | undefined;
  #clears = 0;
  #agentState: pb.AgentState = pb.AgentState.AS_INITIALIZING;
  #waiters: Array<() => void> = [];
  /** Set while a line waits for its answer: the first audible frame after `since` resolves it. */
  #pending: { since: number; turn: CallerTurn } | undefined;
  #recordCaller: Array<{ at: number; samples: Int16Array }> = [];
  #closed = false;
  #turns: CallerTurn[] = [];
  /** The script ended the call by hanging up. */
  hungUp = false;

  constructor(opts: SimulatedCallerOptions) {
    this.#opts = opts;
  }

  /** Starts listening; the agent's `TcpSessionTransport` connects to `port`. */
  async listen(host = '127.0.0.1'): Promise<{ host: string; port: number }> {
    let resolveSocket: (s: Socket) => void = () => {};
    this.#connected = new Promise<Socket>((r) => {
      resolveSocket = r;
    });
    this.#server = createServer((s) => {
      resolveSocket(s);
      this.#server?.close();
    });
    await new Promise<void>((resolve, reject) => {
      this.#server?.once('error', reject);
      this.#server?.listen(0, host, () => resolve());
    });
    const addr = this.#server.address();
    return { host, port: typeof addr === 'object' && addr ? addr.port : 0 };
  }

  /** Runs the whole script; resolves when the last step is done and the agent's last reply played. */
  async run(opts: { connectTimeoutMs?: number } = {}): Promise<CallerResult> {
    if (!this.#connected) throw new Error('call listen() first');
    const lines = await this.#prepareLines();
    const socket = await withDeadline(
      this.#connected,
      opts.connectTimeoutMs ?? 60_000,
      'the agent did not connect',
    );
    this.#socket = socket;
    socket.setNoDelay(true);
    this.#readLoop(socket);
    this.#startPump();
    const turns: CallerTurn[] = this.#turns;
    const replyTimeoutMs = this.#opts.replyTimeoutMs ?? 30_000;
    const seed = this.#opts.seed ?? this.#opts.transcriberKey ?? 'caller';
    try {
      const steps = this.#opts.script.steps;
      /** Waits for the agent's answer: to its end, or until the next step cuts in. */
      const awaitAgent = async (next: (typeof steps)[number] | undefined) => {
        if (next && 'say' in next && next.bargeInAfterMs !== undefined) {
          await this.#agentAudibleFor(next.bargeInAfterMs, replyTimeoutMs);
        } else {
          await this.#agentDone(replyTimeoutMs);
        }
      };
      if (this.#opts.script.expectGreeting ?? true) await awaitAgent(steps[0]);
      let lineIndex = 0;
      for (const [i, step] of steps.entries()) {
        if (this.#closed) break;
        if ('silenceMs' in step) {
          await sleep(step.silenceMs);
          continue;
        }
        if ('hangUp' in step) {
          this.hungUp = true;
          break;
        }
        const pcm = lines[lineIndex++];
        if (!pcm) break;
        if (step.bargeInAfterMs === undefined) await sleep(step.gapMs ?? humanGapMs(seed, i));
        const turn = await this.#speak(i, step.say, pcm, step.bargeInAfterMs !== undefined);
        turns.push(turn);
        this.#pending = { since: turn.lastVoicedSentAt, turn };
        await awaitAgent(steps[i + 1]);
        this.#pending = undefined;
      }
    } finally {
      this.#stopPump();
    }
    this.#turns = turns;
    return {
      turns,
      callerTalkMs: this.#callerVoicedMs,
      agentTalkMs: this.#agentPlayedMs(),
      clears: this.#clears,
      ...(this.#opts.record ? { recording: this.#mixRecording() } : {}),
    };
  }

  /** What was measured so far (for a call stopped before its script ended). */
  partialResult(): CallerResult {
    return {
      turns: this.#turns,
      callerTalkMs: this.#callerVoicedMs,
      agentTalkMs: this.#agentPlayedMs(),
      clears: this.#clears,
    };
  }

  /** Hangs up: closes the socket (the agent's transport sees the broker go away). */
  close(): void {
    this.#closed = true;
    this.#stopPump();
    clearTimeout(this.#flushTimer);
    this.#socket?.destroy();
    this.#server?.close();
    for (const w of this.#waiters.splice(0)) w();
  }

  async #prepareLines(): Promise<Pcm[]> {
    if (this.#opts.audio) return this.#opts.audio;
    const voice = this.#opts.voice ?? CALLER_VOICE;
    const says = this.#opts.script.steps.flatMap((s) => ('say' in s ? [s.say] : []));
    return Promise.all(says.map((t) => synthesize(t, voice, { sampleRate: WIRE_RATE })));
  }

  #send(msg: pb.AgentSessionMessage): void {
    if (this.#socket && !this.#socket.destroyed) this.#socket.write(encodeFrame(msg));
  }

  #startPump(): void {
    this.#t0 = Date.now();
    this.#sent = 0;
    const silence = new Int16Array(FRAME_SAMPLES);
    const tick = () => {
      const due = Math.floor((Date.now() - this.#t0) / FRAME_MS) + 1 - this.#sent;
      for (let k = 0; k < due; k++) {
        const cur = this.#current;
        let samples: Int16Array = silence;
        if (cur) {
          samples = cur.samples.subarray(cur.at, cur.at + FRAME_SAMPLES);
          const voiced = rms(samples) >= VOICED_RMS;
          const first = cur.at === 0;
          cur.at += FRAME_SAMPLES;
          const last = cur.at >= cur.samples.length;
          if (voiced) {
            const now = Date.now();
            if (cur.firstVoiced === 0) cur.firstVoiced = now;
            cur.lastVoiced = now;
            this.#callerVoicedMs += FRAME_MS;
          }
          cur.onVoiced(first, last);
          if (samples.length < FRAME_SAMPLES) {
            const padded = new Int16Array(FRAME_SAMPLES);
            padded.set(samples);
            samples = padded;
          }
          if (last) {
            this.#current = undefined;
            cur.done();
          }
        }
        if (this.#opts.record) this.#recordCaller.push({ at: Date.now(), samples: samples.slice() });
        this.#send(audioInputMessage(samples, WIRE_RATE));
        this.#sent++;
      }
    };
    this.#pump = setInterval(tick, 10);
  }

  #stopPump(): void {
    clearInterval(this.#pump);
    this.#pump = undefined;
  }

  #speak(step: number, text: string, pcm: Pcm, bargeIn: boolean): Promise<CallerTurn> {
    const speechMs = voicedSpanMs(pcm);
    this.#opts.transcriber?.expect(this.#opts.transcriberKey ?? '', { text, speechMs });
    return new Promise<CallerTurn>((resolve) => {
      const cur = {
        samples: pcm.samples,
        at: 0,
        firstVoiced: 0,
        lastVoiced: 0,
        onVoiced: () => {},
        done: () =>
          resolve({
            step,
            text,
            bargeIn,
            speechMs,
            firstVoicedSentAt: cur.firstVoiced,
            lastVoicedSentAt: cur.lastVoiced,
          }),
      };
      this.#current = cur;
    });
  }

  #readLoop(socket: Socket): void {
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      let msgs: pb.AgentSessionMessage[];
      try {
        msgs = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const msg of msgs) this.#onMessage(msg);
    });
    socket.once('close', () => {
      this.#closed = true;
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
  }

  #onMessage(msg: pb.AgentSessionMessage): void {
    switch (msg.message.case) {
      case 'audioOutput': {
        const f = msg.message.value;
        const samples = bytesToPcm(f.data);
        const now = Date.now();
        const start = Math.max(now, this.#playEnd);
        const durMs = (samples.length / f.sampleRate) * 1000;
        this.#playEnd = start + durMs;
        this.#played.push({ start, end: start + durMs, samples });
        const p = this.#pending;
        if (p && p.turn.agentAudibleAt === undefined && now >= p.since) {
          const win = Math.round(f.sampleRate / 50);
          for (let i = 0; i < samples.length; i += win) {
            if (rms(samples, i, Math.min(samples.length, i + win)) >= VOICED_RMS) {
              p.turn.agentAudibleAt = start + (i / f.sampleRate) * 1000;
              p.turn.perceivedLatencyMs = p.turn.agentAudibleAt - p.since;
              break;
            }
          }
        }
        this.#wake();
        break;
      }
      case 'audioPlaybackFlush': {
        clearTimeout(this.#flushTimer);
        this.#flushTimer = setTimeout(
          () => {
            this.#send(playbackFinishedMessage());
            this.#wake();
          },
          Math.max(0, this.#playEnd - Date.now()),
        );
        break;
      }
      case 'audioPlaybackClear': {
        // The speaker stops now: audio not yet played is dropped.
        const now = Date.now();
        clearTimeout(this.#flushTimer);
        this.#clears++;
        this.#played = this.#played.flatMap((s) => {
          if (s.start >= now) return [];
          if (s.end <= now) return [s];
          const keep = Math.floor(((now - s.start) / (s.end - s.start)) * s.samples.length);
          return [{ start: s.start, end: now, samples: s.samples.subarray(0, keep) }];
        });
        this.#playEnd = now;
        const t = this.#pending?.turn;
        if (t?.agentAudibleAt !== undefined && t.agentAudibleAt > now) {
          delete t.agentAudibleAt;
          delete t.perceivedLatencyMs;
        }
        this.#wake();
        break;
      }
      case 'event': {
        const ev = msg.message.value.event;
        if (ev.case === 'agentStateChanged') {
          this.#agentState = ev.value.newState;
          this.#wake();
        }
        break;
      }
      default:
        break;
    }
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Resolves on the next event (audio, state, playout) or after `ms`. */
  #nextEvent(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Waits until the agent has said something and is listening again with nothing left to play. */
  async #agentDone(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const startedPlayed = this.#played.length;
    let heard = false;
    while (!this.#closed && Date.now() < deadline) {
      if (this.#played.length > startedPlayed) heard = true;
      const idle = this.#agentState === pb.AgentState.AS_LISTENING && Date.now() >= this.#playEnd;
      if (heard && idle) return;
      await this.#nextEvent(Math.max(10, Math.min(200, this.#playEnd - Date.now())));
    }
  }

  /** Waits until the agent's current reply has been audible for `ms`. */
  async #agentAudibleFor(ms: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const since = this.#pending?.since ?? Date.now();
    while (!this.#closed && Date.now() < deadline) {
      const first = this.#played.find((s) => s.end > since && hasVoice(s.samples));
      if (first && Date.now() - first.start >= ms) return;
      await this.#nextEvent(20);
    }
  }

  #agentPlayedMs(): number {
    const now = Date.now();
    let ms = 0;
    for (const s of this.#played) ms += Math.max(0, Math.min(s.end, now) - s.start);
    return ms;
  }

  #mixRecording(): Int16Array {
    return mixCallRecording({
      t0: this.#t0,
      end: Math.max(Date.now(), this.#playEnd),
      sampleRate: WIRE_RATE,
      frameMs: FRAME_MS,
      callerFrames: this.#recordCaller.map((f) => f.samples),
      agent: this.#played,
    });
  }
}

const hasVoice = (samples: Int16Array): boolean => rms(samples) >= VOICED_RMS / 2;

/** Voiced span of a line (first to last voiced 20 ms window), ms. */
export function voicedSpanMs(pcm: Pcm): number {
  const win = Math.round(pcm.sampleRate / 50);
  let first = -1;
  let last = -1;
  for (let i = 0; i < pcm.samples.length; i += win) {
    if (rms(pcm.samples, i, Math.min(pcm.samples.length, i + win)) >= VOICED_RMS) {
      if (first < 0) first = i;
      last = Math.min(pcm.samples.length, i + win);
    }
  }
  return first < 0 ? 0 : ((last - first) / pcm.sampleRate) * 1000;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function withDeadline<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
