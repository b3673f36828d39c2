/**
 * One real voice call: a real AgentSession with Silero VAD, the Deepgram STT plugin and the
 * OpenAI TTS plugin against the local speech server, the OpenAI LLM plugin against the scripted
 * replay server, audio over agents-js's console protocol to a simulated caller streaming 20 ms
 * frames in real time. The call runs once (in `beforeAll`); each test reads what a user of the
 * payload would notice. Transcripts and LLM replies are SCRIPTED; audio, VAD, plugins, timing and
 * the payload are real. Deadlines come from the script's own length (see `runVoiceCall`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initializeLogger } from '@livekit/agents';
import * as silero from '@livekit/agents-plugin-silero';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProgressSnapshot, parseSessionPayload, type SessionPayload } from '../../src/schema/index.js';
import {
  type OpenAICompatibleServer,
  startOpenAICompatibleServer,
} from '../../src/testing/openai_server_index.js';
import { espeakAvailable } from '../../src/testing/speech/espeak.js';
import { type SpeechServer, startSpeechServer } from '../../src/testing/speech/speech_server.js';
import { runVoiceCall, type VoiceCallResult } from '../../src/testing/voice/voice_call.js';

const GREETING = 'Hi, this is Paperflow. How can I help you today?';
const PRICE =
  'Our Growth plan costs two hundred dollars a month, covers up to five thousand invoices, and includes the QuickBooks and Xero integrations at no extra cost.';
const DEMO = 'Sure. I can book a demo with our team next Tuesday morning.';
const BYE = 'Great, talk to you then. Goodbye!';
const REPLIES = [GREETING, PRICE, DEMO, BYE];

const LINES = {
  price: 'Hello, how much is the Growth plan?',
  bargeIn: 'Sorry, can we book a demo next week?',
  thanks: 'Perfect, thank you.',
};

describe.skipIf(!espeakAvailable())('voice call through the real pipeline', () => {
  let llm: OpenAICompatibleServer;
  let speech: SpeechServer;
  let dir: string;
  let call: VoiceCallResult;
  let payload: SessionPayload;
  const snapshots: Array<ProgressSnapshot & { sentAtMs: number }> = [];
  let publishedAtMs = 0;

  beforeAll(async () => {
    initializeLogger({ pretty: false, level: 'silent' });
    dir = await mkdtemp(join(tmpdir(), 'voice-call-'));
    llm = await startOpenAICompatibleServer({
      reply: REPLIES.map((content) => ({ content })),
      model: 'gpt-4.1-mini',
    });
    speech = await startSpeechServer();
    const vad = await silero.VAD.load();
    let published: SessionPayload | undefined;
    call = await runVoiceCall({
      sessionId: 'voice-test-1',
      llmBaseURL: llm.baseURL,
      speech,
      vad,
      dataDir: dir,
      script: {
        steps: [
          { say: LINES.price },
          // Cut in while the agent is still reading out the price.
          { say: LINES.bargeIn, bargeInAfterMs: 2500 },
          { say: LINES.thanks },
        ],
      },
      analytics: {
        publish: async (p) => {
          published = p;
          return { status: 'ok' };
        },
        // As the demo sends them to its queue for the dashboard's live panel.
        progress: {
          intervalMs: 1000,
          send: async (snapshot) => {
            snapshots.push({ ...snapshot, sentAtMs: Date.now() });
            return { status: 'ok' };
          },
        },
      },
    });
    publishedAtMs = Date.now();
    if (!published) throw new Error('no payload was published');
    payload = published;
  }, 150_000);

  afterAll(async () => {
    await speech?.close();
    await llm?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const answered = () =>
    payload.turns.filter((t) => t.user_speech_ms !== null && t.user_speech_ms !== undefined);

  it('reports the call while it runs: progress snapshots in order, the turns growing, before the payload', () => {
    // The call lasts well over ten seconds and snapshots come every second (and on stage changes).
    expect(snapshots.length).toBeGreaterThanOrEqual(5);
    expect(snapshots.map((x) => x.seq)).toEqual(snapshots.map((_, i) => i + 1));
    expect(snapshots.every((x) => x.session_id === payload.session_id)).toBe(true);
    for (let i = 1; i < snapshots.length; i++)
      expect(snapshots[i]?.turns ?? 0).toBeGreaterThanOrEqual(snapshots[i - 1]?.turns ?? 0);
    expect(snapshots.at(-1)?.turns ?? 0).toBeGreaterThan(snapshots[0]?.turns ?? 0);
    expect(snapshots.every((x) => x.sentAtMs <= publishedAtMs)).toBe(true);
  });

  it('the payload validates against the schema', () => {
    const parsed = parseSessionPayload(JSON.stringify(payload));
    expect(parsed.ok ? 'ok' : parsed.error).toBe('ok');
  });

  it('every answered turn has EOU, STT, LLM, TTS and e2e values within physical bounds', () => {
    const turns = answered();
    expect(turns.length).toBe(3);
    for (const t of turns) {
      expect(t.eou_delay_ms, t.turn_id).not.toBeNull();
      expect(t.transcription_delay_ms, t.turn_id).not.toBeNull();
      expect(t.llm_ttft_ms, t.turn_id).not.toBeNull();
      expect(t.tts_ttfb_ms, t.turn_id).not.toBeNull();
      expect(t.tts_audio_duration_ms, t.turn_id).toBeGreaterThan(0);
      expect(t.e2e_latency_ms, t.turn_id).not.toBeNull();
      expect(t.e2e_latency_ms ?? 0).toBeGreaterThanOrEqual(t.eou_delay_ms ?? 0);
    }
  });

  it('TTS audio duration matches the speech the server synthesised (within 10%)', () => {
    const synthesized = speech.ttsRequests();
    for (const t of payload.turns) {
      const reply = REPLIES.find((r) => t.agent_text && r.startsWith(t.agent_text));
      expect(reply, t.agent_text).toBeDefined();
      const ms = synthesized.filter((s) => reply?.includes(s.input)).reduce((n, s) => n + s.audioMs, 0);
      expect(ms).toBeGreaterThan(0);
      expect(Math.abs((t.tts_audio_duration_ms ?? 0) - ms) / ms, t.agent_text).toBeLessThanOrEqual(0.1);
    }
    const usage = payload.usage.summary.tts_audio_duration_s * 1000;
    const total = synthesized.reduce((n, s) => n + s.audioMs, 0);
    expect(Math.abs(usage - total) / total).toBeLessThanOrEqual(0.1);
    expect(payload.usage.summary.tts_characters_count).toBe(
      synthesized.reduce((n, s) => n + s.input.length, 0),
    );
  });

  it('STT audio seconds are what the Deepgram server received, the last window included, and cover the caller speech', () => {
    const callerSpeechMs = call.caller.turns.reduce((n, t) => n + t.speechMs, 0);
    const receivedMs = speech.sttStreams().reduce((n, s) => n + s.audioMs, 0);
    const billedMs = payload.usage.summary.stt_audio_duration_s * 1000;
    expect(billedMs).toBeGreaterThanOrEqual(0.9 * callerSpeechMs);
    // Deepgram bills what it received. The plugin reports every 5 s and drops what it sent since
    // its last report when the stream closes (2.2 s of 9.4 here): the agent's STT reports it.
    expect(Math.abs(billedMs - receivedMs)).toBeLessThanOrEqual(100);
    // Joined to turns by time: what was attributed plus what was not adds up to what was reported.
    const joined = payload.turns.reduce((n, t) => n + (t.stt_audio_duration_ms ?? 0), 0);
    expect(Math.abs(joined + (payload.voice?.stt_audio_unattributed_ms ?? 0) - billedMs)).toBeLessThanOrEqual(
      5,
    );
    // Transcripts are the scripted lines, heard at the right moments.
    expect(speech.sttStreams().flatMap((s) => s.finals)).toEqual([LINES.price, LINES.bargeIn, LINES.thanks]);
  });

  it('a barge-in gives an interrupted turn whose agent text is cut where the audio was cut', () => {
    const interrupted = payload.turns.filter((t) => t.interrupted);
    expect(interrupted.length).toBe(1);
    const t = interrupted[0];
    expect(t?.agent_text && PRICE.startsWith(t.agent_text)).toBe(true);
    expect(t?.agent_text?.length ?? 0).toBeLessThan(PRICE.length);
    expect(call.caller.clears).toBeGreaterThanOrEqual(1);
    // The share of the text kept follows the share of the audio played before the cut.
    const heard = (t?.agent_speech_ms ?? 0) / (t?.tts_audio_duration_ms ?? 1);
    const kept = (t?.agent_text?.length ?? 0) / PRICE.length;
    expect(Math.abs(kept - heard)).toBeLessThanOrEqual(0.25);
    // The other turns played to the end.
    for (const other of payload.turns.filter((x) => !x.interrupted)) {
      expect(REPLIES).toContain(other.agent_text);
    }
  });

  it('talk ratio comes from the audio and matches what the caller heard', () => {
    const v = payload.voice;
    expect(v).toBeDefined();
    const callerMs = call.caller.turns.reduce((n, t) => n + (t.lastVoicedSentAt - t.firstVoicedSentAt), 0);
    const truth = call.caller.agentTalkMs / (call.caller.agentTalkMs + callerMs);
    expect(v?.talk_ratio).not.toBeNull();
    expect(Math.abs((v?.talk_ratio ?? 0) - truth)).toBeLessThanOrEqual(0.1);
  });

  it('perceived latency: measured from the sound, never shorter than the end-of-utterance delay', () => {
    const turns = answered();
    expect(call.caller.turns.every((t) => t.perceivedLatencyMs !== undefined)).toBe(true);
    for (const [i, heard] of call.caller.turns.entries()) {
      const row = turns[i];
      expect(row?.perceived_latency_ms, `turn ${i}`).not.toBeNull();
      // Nobody hears a reply before the agent decided the user had finished.
      expect(heard.perceivedLatencyMs ?? 0).toBeGreaterThanOrEqual((row?.eou_delay_ms ?? 0) - 60);
    }
    expect(payload.voice?.perceived_latency_p50_ms).not.toBeNull();
  });
});
