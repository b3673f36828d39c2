/**
 * The console with audio, end to end: `runVoiceConsole` starts the real agent process in
 * agents-js console mode with audio on (Silero, the Deepgram STT and OpenAI TTS plugins pointed at
 * the local speech server, the LLM at the scripted replay server), plays a recorded prospect WAV
 * into it in real time, and records the call in stereo. Transcripts and LLM replies are SCRIPTED.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVoiceConsole } from '../../src/agent/console/voice_console.js';
import { encodeWav, parseWav, rms, VOICED_RMS } from '../../src/audio/pcm.js';
import {
  type OpenAICompatibleServer,
  startOpenAICompatibleServer,
} from '../../src/testing/openai_server_index.js';
import { CALLER_VOICE, espeakAvailable, synthesize } from '../../src/testing/speech/espeak.js';
import { type SpeechServer, startSpeechServer } from '../../src/testing/speech/speech_server.js';
import { voicedSpanMs } from '../../src/testing/voice/simulated_caller.js';
import { consoleAgentEnv, voiceAgentEnv } from '../support/console_env.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const AGENT_ENTRY = join(REPO, 'src/agent/main.ts');
const LINE = 'We are a law firm with forty people.';
const KEY = 'scripted-console';

describe.skipIf(!espeakAvailable())('console --audio-in prospect.wav --record call.wav', () => {
  let llm: OpenAICompatibleServer;
  let speech: SpeechServer;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'voice-console-'));
    llm = await startOpenAICompatibleServer({
      reply: [
        { content: 'Hi, this is Alex from Paperflow.' },
        { content: 'Thanks! How many documents a month?' },
      ],
      model: 'fake-model',
    });
    speech = await startSpeechServer();
  });
  afterAll(async () => {
    await speech?.close();
    await llm?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('plays the prospect, hears the agent, records both channels, and prints the summary', async () => {
    const prospect = await synthesize(LINE, CALLER_VOICE, { sampleRate: 16_000 });
    const wav = join(dir, 'prospect.wav');
    await writeFile(wav, encodeWav(prospect.samples, prospect.sampleRate));
    speech.transcriber.expect(KEY, { text: LINE, speechMs: voicedSpanMs(prospect) });
    const output = new PassThrough();
    let printed = '';
    output.on('data', (c: Buffer) => {
      printed += c.toString('utf8');
    });
    const record = join(dir, 'call.wav');
    const result = await runVoiceConsole({
      agentEntry: AGENT_ENTRY,
      cwd: REPO,
      env: voiceAgentEnv(
        dir,
        { llmBaseURL: llm.baseURL, speech, deepgramKey: KEY },
        { ANALYTICS_TRANSCRIPTS: 'true' },
      ),
      output,
      logFile: join(dir, 'agent.log'),
      audioIn: wav,
      record,
    });
    const agentLog = await readFile(join(dir, 'agent.log'), 'utf8').catch(() => '');
    expect(result.exitCode, `${printed}\n--- agent log ---\n${agentLog.slice(-3000)}`).toBe(0);
    // The agent heard the scripted transcript of the prospect's audio and answered with speech.
    // (Deepgram also sends empty finals for stretches with no words.)
    const finals = speech.sttStreams().flatMap((s) => s.finals);
    expect(
      finals.filter((f) => f !== ''),
      JSON.stringify(finals),
    ).toEqual([LINE]);
    expect(
      speech
        .ttsRequests()
        .map((r) => r.input)
        .join(' '),
    ).toContain('How many documents');
    expect(printed).toMatch(/agent answered after \d+ ms of silence/);
    expect(printed).toContain('outcome:');
    // The payload carries the voice turn.
    const turns = result.payload?.turns ?? [];
    expect(turns.some((t) => t.eou_delay_ms !== null && t.tts_audio_duration_ms !== null)).toBe(true);
    // Stereo: the prospect on the left, the agent on the right, each audible somewhere.
    const call = parseWav(await readFile(record));
    expect(call.channels).toBe(2);
    expect(call.sampleRate).toBe(48_000);
    const left = call.samples.filter((_, i) => i % 2 === 0);
    const right = call.samples.filter((_, i) => i % 2 === 1);
    expect(rms(Int16Array.from(left))).toBeGreaterThan(VOICED_RMS / 4);
    expect(rms(Int16Array.from(right))).toBeGreaterThan(VOICED_RMS / 4);
  }, 150_000);
});

describe('console --audio-in, a file it cannot read', () => {
  it('says so on stderr with the path and exits 1, leaving stdout empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'voice-console-bad-'));
    try {
      const notWav = join(dir, 'prospect.wav');
      await writeFile(notWav, 'this is not a wav file');
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(REPO, 'src/agent/console_main.ts'), '--audio-in', notWav],
        {
          cwd: REPO,
          encoding: 'utf8',
          timeout: 60_000,
          env: consoleAgentEnv(join(dir, 'agent'), { HOME: dir, DEEPGRAM_API_KEY: 'test-key' }),
        },
      );
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(`cannot read --audio-in ${notWav}:`);
      expect(r.stdout).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
