/**
 * `console --voice` end to end on real ALSA devices: the live console's sox subprocesses capture
 * a microphone and play a speaker that are alsa-lib `file` plugin devices — A STAND-IN FOR A SOUND
 * CARD (this machine has none; see src/testing/voice/alsa_file_device.ts). The microphone is a
 * FIFO written in real time (silence, then the prospect's line spoken by espeak-ng in the
 * caller's voice, then silence); the speaker is a raw file. The agent is the real agent process
 * (Silero, the Deepgram STT and OpenAI TTS plugins against the local speech server, the LLM
 * against the scripted replay server). Transcripts and LLM replies are SCRIPTED.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLiveConsole } from '../../src/agent/console/live_console.js';
import { bytesToPcm, parseWav, rms, VOICED_RMS } from '../../src/audio/pcm.js';
import { parseSessionPayload } from '../../src/schema/index.js';
import {
  type OpenAICompatibleServer,
  startOpenAICompatibleServer,
} from '../../src/testing/openai_server_index.js';
import { CALLER_VOICE, espeakAvailable, synthesize } from '../../src/testing/speech/espeak.js';
import { type SpeechServer, startSpeechServer } from '../../src/testing/speech/speech_server.js';
import {
  type AlsaFileDevice,
  createAlsaFileDevice,
  FifoMicrophone,
} from '../../src/testing/voice/alsa_file_device.js';
import { voicedSpanMs } from '../../src/testing/voice/simulated_caller.js';
import { consoleAgentEnv, voiceAgentEnv } from '../support/console_env.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const AGENT_ENTRY = join(REPO, 'src/agent/main.ts');
const LINE = 'We are a law firm with forty people.';
const GREETING = 'Hi, this is Alex from Paperflow.';
const REPLY = 'Thanks! How many documents a month?';
const LONG_REPLY =
  'Great. Paperflow reads every contract, invoice and letter you receive, files it in the right matter, and flags deadlines, renewals and unusual clauses for your team to review.';
const LINE2 = 'About two thousand a month.';
const CUT_IN = 'Sorry, only contracts.';
const ANSWER = 'Got it, contracts only.';
const KEY = 'scripted-live-console';
const RATE = 48_000;
const WIN = RATE / 50; // 20 ms

/** The machine lists a capture or playback device (the missing-device check is for machines without). */
const hasSoundCard = () =>
  spawnSync('sh', ['-c', 'grep -qE "capture|playback" /proc/asound/pcm']).status === 0;
const soxAvailable = () => spawnSync('sox', ['--version'], { stdio: 'ignore' }).status === 0;

/** Voiced stretches of 48 kHz mono audio, split at `gapMs` of silence: [startMs, endMs]. */
function voicedRegions(samples: Int16Array, gapMs = 600): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i + WIN <= samples.length; i += WIN) {
    if (rms(samples, i, i + WIN) < VOICED_RMS) continue;
    const t = (i / RATE) * 1000;
    const last = out[out.length - 1];
    if (last && t - last[1] <= gapMs) last[1] = t + 20;
    else out.push([t, t + 20]);
  }
  return out;
}

/**
 * The agent stopping for a barge-in and then answering it can come closer together than the 600 ms
 * `voicedRegions` bridges inside one reply (under load the stop comes later, within the 2 s the
 * test allows), and the two then read as one region. This splits the region running through `atMs`
 * (when the prospect began to cut in) at a silence after `atMs` of at least `MIN_STOP_GAP_MS`:
 * longer than any pause inside the speech around it (measured on the agent voice: 140 ms at most
 * in the long reply's second sentence, 160 ms in the answer), so a region that holds no answer is
 * left whole.
 */
const MIN_STOP_GAP_MS = 200;
function splitAfter(
  samples: Int16Array,
  regions: Array<[number, number]>,
  atMs: number,
): Array<[number, number]> {
  const i = regions.findIndex(([a, b]) => a <= atMs && atMs < b);
  const r = regions[i];
  if (!r) return regions;
  let best: [number, number] | undefined;
  let run: number | undefined;
  for (let t = Math.ceil(atMs / 20) * 20; t + 20 <= r[1]; t += 20) {
    const at = Math.floor((t / 1000) * RATE);
    if (rms(samples, at, at + WIN) < VOICED_RMS) {
      run ??= t;
      if (!best || t + 20 - run > best[1] - best[0]) best = [run, t + 20];
    } else run = undefined;
  }
  if (!best || best[1] - best[0] < MIN_STOP_GAP_MS) return regions;
  return [...regions.slice(0, i), [r[0], best[0]], [best[1], r[1]], ...regions.slice(i + 1)];
}

/** How much of 48 kHz mono audio is voiced (20 ms windows), ms. */
function voicedMs(samples: Int16Array): number {
  let ms = 0;
  for (let i = 0; i + WIN <= samples.length; i += WIN) if (rms(samples, i, i + WIN) >= VOICED_RMS) ms += 20;
  return ms;
}

async function speakerAudio(device: AlsaFileDevice): Promise<Int16Array> {
  return bytesToPcm(await readFile(device.speakerFile).catch(() => Buffer.alloc(0)));
}

async function waitFor(what: string, ok: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Processes (other than this one) whose environment mentions `marker`. */
async function processesWith(marker: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const env = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    if (env.includes(marker)) {
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      found.push(`${pid}: ${cmd.replaceAll('\0', ' ')}`);
    }
  }
  return found;
}

describe.skipIf(!espeakAvailable() || !soxAvailable())(
  'console --voice on ALSA devices (file-backed stand-in for a sound card)',
  () => {
    let llm: OpenAICompatibleServer;
    let speech: SpeechServer;
    let dir: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'live-console-'));
      llm = await startOpenAICompatibleServer({
        reply: [{ content: GREETING }, { content: REPLY }, { content: LONG_REPLY }, { content: ANSWER }],
        model: 'fake-model',
      });
      speech = await startSpeechServer();
    });
    afterAll(async () => {
      await speech?.close();
      await llm?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('hears the prospect through the microphone, plays the replies on the speaker, stops when cut off, records both, ends on Ctrl-C', async () => {
      const device = await createAlsaFileDevice(dir, `signalroom_test_${process.pid}`);
      const prospect = await synthesize(LINE, CALLER_VOICE, { sampleRate: RATE });
      const line2 = await synthesize(LINE2, CALLER_VOICE, { sampleRate: RATE });
      const cutIn = await synthesize(CUT_IN, CALLER_VOICE, { sampleRate: RATE });
      const output = new PassThrough();
      let printed = '';
      output.on('data', (c: Buffer) => {
        printed += c.toString('utf8');
      });
      speech.transcriber.register(KEY);
      const mic = new FifoMicrophone(device.micFifo);
      const micOpened = mic.start();
      const ctrlC = new AbortController();
      const record = join(dir, 'call.wav');
      const run = runLiveConsole({
        agentEntry: AGENT_ENTRY,
        cwd: REPO,
        env: voiceAgentEnv(
          dir,
          { llmBaseURL: llm.baseURL, speech, deepgramKey: KEY },
          { HOME: device.home, ANALYTICS_TRANSCRIPTS: 'true' },
        ),
        output,
        logFile: join(dir, 'agent.log'),
        device: { name: device.name, explicit: true },
        record,
        signal: ctrlC.signal,
      });
      let result: Awaited<typeof run> | undefined;
      const failed = run.then((r) => {
        result = r;
        throw new Error(`the console ended early:\n${printed}`);
      });
      const step = <T>(p: Promise<T>) => Promise.race([p, failed]);
      /** Where the speaker file stood when the prospect began to cut in (ms). */
      let cutInAtMs = 0;
      try {
        await step(micOpened);
        // A reply is added to the conversation (printed `agent › …`) once its playout finished.
        const said = (text: string) => () => printed.includes(`agent › ${text}`);
        const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
        await step(waitFor('the greeting to play', said(GREETING), 90_000));
        await pause(700);
        // The prospect speaks into the microphone; the reply plays to the end.
        speech.transcriber.expect(KEY, { text: LINE, speechMs: voicedSpanMs(prospect) });
        await step(mic.say(prospect.samples));
        await step(waitFor('the reply to play', said(REPLY), 60_000));
        await pause(700);
        // The prospect answers; one second into the long reply, it cuts in.
        speech.transcriber.expect(KEY, { text: LINE2, speechMs: voicedSpanMs(line2) });
        await step(mic.say(line2.samples));
        const mark = (await speakerAudio(device)).length;
        await step(
          waitFor(
            'the long reply to be audible for 1 s',
            async () => voicedMs((await speakerAudio(device)).subarray(mark)) >= 1000,
            60_000,
          ),
        );
        speech.transcriber.expect(KEY, { text: CUT_IN, speechMs: voicedSpanMs(cutIn) });
        cutInAtMs = ((await speakerAudio(device)).length / RATE) * 1000;
        await step(mic.say(cutIn.samples));
        await step(waitFor('the answer to play', said(ANSWER), 60_000));
        await pause(700);
      } catch (err) {
        ctrlC.abort();
        await run.catch(() => undefined);
        const agentLog = await readFile(join(dir, 'agent.log'), 'utf8').catch(() => '');
        throw new Error(`${(err as Error).message}\n${printed}\n--- agent log ---\n${agentLog.slice(-3000)}`);
      }
      ctrlC.abort(); // Ctrl-C
      await run.catch(() => undefined);
      void failed.catch(() => undefined);
      await mic.close();
      const agentLog = await readFile(join(dir, 'agent.log'), 'utf8').catch(() => '');
      expect(result?.exitCode, `${printed}\n--- agent log ---\n${agentLog.slice(-3000)}`).toBe(0);

      // The agent heard the prospect: the scripted transcripts of the microphone's audio came back
      // from the local Deepgram server and are the user's turns.
      const finals = speech.sttStreams().flatMap((s) => s.finals);
      expect(finals.filter((f) => f !== '')).toEqual([LINE, LINE2, CUT_IN]);
      for (const line of [LINE, LINE2, CUT_IN]) expect(printed).toContain(`you › ${line}`);
      expect(printed).toContain(`agent › ${REPLY}`);
      expect(printed).toContain('outcome:');
      const payload = result?.payload;
      expect(payload && parseSessionPayload(JSON.stringify(payload)).ok).toBe(true);
      expect(payload?.transcript?.filter((l) => l.role === 'user').map((l) => l.text)).toEqual([
        LINE,
        LINE2,
        CUT_IN,
      ]);
      // The playout handshake: the replies that played to the end are not interrupted; the long
      // one, cut off, is, and its text is cut where the speaker stopped.
      const spoken = payload?.turns.filter((t) => t.agent_text) ?? [];
      expect(spoken.map((t) => t.interrupted)).toEqual([false, false, true, false]);
      // One row per reply: the text sits in the row with its TTS metrics, also for the reply the
      // caller cut off (whose text is announced after the next reply's speech already exists).
      expect(spoken.map((t) => t.tts_audio_duration_ms !== null)).toEqual([true, true, true, true]);
      expect(payload?.turns.filter((t) => t.tts_audio_duration_ms !== null && !t.agent_text)).toEqual([]);
      const cutText = spoken[2]?.agent_text ?? '';
      expect(cutText.length).toBeGreaterThan(0);
      expect(cutText.length).toBeLessThan(LONG_REPLY.length / 2);
      expect(LONG_REPLY.startsWith(cutText.replace(/…$/, '').trim())).toBe(true);
      expect(payload?.turns.some((t) => t.eou_delay_ms !== null && t.tts_audio_duration_ms !== null)).toBe(
        true,
      );

      // The speaker device played real audio: greeting, reply, the long reply cut short, answer;
      // the replies that ran to the end about as long as what was synthesised for them.
      const heard = await speakerAudio(device);
      const regions = splitAfter(heard, voicedRegions(heard), cutInAtMs);
      expect(regions, JSON.stringify(regions)).toHaveLength(4);
      const synthesisedMs = (text: string) =>
        speech
          .ttsRequests()
          .filter((r) => text.includes(r.input.trim()))
          .reduce((n, r) => n + r.audioMs, 0);
      const lengthMs = (r: [number, number] | undefined) => (r ? r[1] - r[0] : 0);
      for (const [i, text] of [
        [1, REPLY],
        [3, ANSWER],
      ] as const) {
        const synth = synthesisedMs(text);
        expect(synth).toBeGreaterThan(0);
        // espeak's leading/trailing silence is not voiced; the plugin drops up to 100 ms per sentence.
        expect(lengthMs(regions[i])).toBeGreaterThan(synth * 0.75);
        expect(lengthMs(regions[i])).toBeLessThanOrEqual(synth + 40);
      }
      expect(lengthMs(regions[2])).toBeLessThan(synthesisedMs(LONG_REPLY) / 2);

      // --record: stereo 48 kHz; the left channel is exactly what the microphone captured, sample
      // for sample (all three lines and the silence around them), the right is the agent as played.
      const call = parseWav(await readFile(record));
      expect(call.channels).toBe(2);
      expect(call.sampleRate).toBe(RATE);
      const left = Int16Array.from(call.samples.filter((_, i) => i % 2 === 0));
      const right = Int16Array.from(call.samples.filter((_, i) => i % 2 === 1));
      const fedAll = new Int16Array(mic.frames.length * 960);
      for (const [i, f] of mic.frames.entries()) fedAll.set(f, i * 960);
      const offset = fedAll.findIndex((v) => v !== 0) - left.findIndex((v) => v !== 0);
      expect(offset).toBeGreaterThanOrEqual(0);
      const compared = Math.min(left.length, fedAll.length - offset);
      expect(compared / RATE).toBeGreaterThan(10);
      let firstDifference = -1;
      for (let i = 0; i < compared && firstDifference < 0; i++)
        if (left[i] !== fedAll[offset + i]) firstDifference = i;
      expect(firstDifference, 'first sample where the recording differs from what was fed').toBe(-1);
      const leftRegions = voicedRegions(left);
      const rightRegions = splitAfter(right, voicedRegions(right), leftRegions[2]?.[0] ?? 0);
      expect(leftRegions).toHaveLength(3);
      expect(rightRegions).toHaveLength(4);
      // One timeline: the greeting before the first line, each reply after the line it answers,
      // and the long reply stops within 2 s of the prospect cutting in.
      const [l1, l2, l3] = leftRegions as [[number, number], [number, number], [number, number]];
      const [r1, r2, r3, r4] = rightRegions as [
        [number, number],
        [number, number],
        [number, number],
        [number, number],
      ];
      expect(r1[1]).toBeLessThan(l1[0]);
      expect(r2[0]).toBeGreaterThan(l1[1] - 200);
      expect(r3[0]).toBeGreaterThan(l2[1] - 200);
      expect(r3[1]).toBeGreaterThan(l3[0]);
      expect(r3[1] - l3[0]).toBeLessThan(2000);
      expect(r4[0]).toBeGreaterThan(l3[1] - 200);

      // Ctrl-C left nothing behind: no sox, no agent process.
      expect(await processesWith(dir)).toEqual([]);
    }, 240_000);

    it('npm run console -- --voice: a Ctrl-C at the terminal ends the call with its summary and recording, leaving no process', async () => {
      const sub = join(dir, 'ctrl-c');
      const device = await createAlsaFileDevice(sub, `signalroom_ctrlc_${process.pid}`);
      const greeter = await startOpenAICompatibleServer({
        reply: [{ content: GREETING }],
        model: 'fake-model',
      });
      speech.transcriber.register(`${KEY}-ctrl-c`);
      const mic = new FifoMicrophone(device.micFifo);
      const micOpened = mic.start();
      const record = join(sub, 'call.wav');
      // Detached: its own process group, like a shell job, so the SIGINT goes to the group.
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(REPO, 'src/agent/console_main.ts'),
          '--voice',
          '--audio-device',
          device.name,
          '--record',
          record,
        ],
        {
          cwd: REPO,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: voiceAgentEnv(
            sub,
            { llmBaseURL: greeter.baseURL, speech, deepgramKey: `${KEY}-ctrl-c` },
            { HOME: device.home },
          ),
        },
      );
      let printed = '';
      child.stdout.on('data', (c: Buffer) => {
        printed += c.toString('utf8');
      });
      child.stderr.on('data', (c: Buffer) => {
        printed += c.toString('utf8');
      });
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      try {
        await micOpened;
        await waitFor('the greeting to play', () => printed.includes(`agent › ${GREETING}`), 90_000);
        process.kill(-(child.pid as number), 'SIGINT'); // Ctrl-C
        const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('hung'), 60_000))]);
        expect(code, printed).toBe(0);
      } finally {
        if (child.exitCode === null) process.kill(-(child.pid as number), 'SIGKILL');
        await mic.close();
        await greeter.close();
      }
      expect(printed).toContain('ending the call');
      expect(printed).toContain('outcome:');
      expect(printed).not.toContain('stopped:');
      const call = parseWav(await readFile(record));
      expect(call.channels).toBe(2);
      expect(voicedRegions(Int16Array.from(call.samples.filter((_, i) => i % 2 === 1)))).toHaveLength(1);
      expect(await processesWith(sub)).toEqual([]);
    }, 180_000);

    it('names a device sox cannot open and sox’s error, without a stack trace', () => {
      const r = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(REPO, 'src/agent/console_main.ts'),
          '--voice',
          '--audio-device',
          'no_such_pcm',
        ],
        {
          cwd: REPO,
          encoding: 'utf8',
          timeout: 60_000,
          env: consoleAgentEnv(join(dir, 'bad-device'), { HOME: dir, DEEPGRAM_API_KEY: 'test-key' }),
        },
      );
      const said = `${r.stdout}${r.stderr}`;
      expect(r.status, said).toBe(1);
      // On stderr, like every other error the console prints; stdout keeps the call's transcript.
      expect(r.stderr).toContain('console --voice: sox cannot open the speaker "no_such_pcm"');
      expect(r.stderr).toContain('Unknown PCM no_such_pcm');
      expect(r.stdout).not.toContain('no_such_pcm');
      expect(said).not.toMatch(/\n\s+at /);
    }, 60_000);

    it.skipIf(hasSoundCard())(
      'without a named device on a machine without sound, names what is missing and points to --audio-in',
      () => {
        const r = spawnSync(
          process.execPath,
          ['--import', 'tsx', join(REPO, 'src/agent/console_main.ts'), '--voice'],
          {
            cwd: REPO,
            encoding: 'utf8',
            timeout: 60_000,
            env: consoleAgentEnv(join(dir, 'no-device'), { HOME: dir, DEEPGRAM_API_KEY: 'test-key' }),
          },
        );
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr).toContain('console --voice: no microphone');
        expect(r.stderr).toContain('--audio-in prospect.wav');
      },
      60_000,
    );
  },
);
