import { describe, expect, it } from 'vitest';
import { AgentConfigError, loadAgentConfig } from '../../src/agent/config.js';

const FULL = {
  LIVEKIT_URL: 'ws://localhost:7880',
  LIVEKIT_API_KEY: 'devkey',
  LIVEKIT_API_SECRET: 'secret',
  OPENAI_API_KEY: 'sk-test',
  DEEPGRAM_API_KEY: 'dg-test',
};

function problems(env: Record<string, string>, mode: Parameters<typeof loadAgentConfig>[1]): string[] {
  try {
    loadAgentConfig(env, mode);
  } catch (err) {
    if (err instanceof AgentConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('agent config', () => {
  it('DEEPGRAM_BASE_URL points the Deepgram plugins elsewhere; a bad one is named', () => {
    const c = loadAgentConfig({ ...FULL, DEEPGRAM_BASE_URL: 'http://127.0.0.1:9000/' }, 'connect');
    expect(c.stt.baseUrl).toBe('http://127.0.0.1:9000');
    expect(loadAgentConfig(FULL, 'connect').stt.baseUrl).toBeUndefined();
    expect(problems({ ...FULL, DEEPGRAM_BASE_URL: 'ftp://x' }, 'connect')[0]).toMatch(
      /^DEEPGRAM_BASE_URL is invalid/,
    );
  });

  it('console needs only the LLM key', () => {
    const c = loadAgentConfig({ OPENAI_API_KEY: 'k' }, 'console');
    expect(c.textOnly).toBe(true);
    expect(c.llm.model).toBe('gpt-4.1-mini');
    expect(c.dataDir).toBe('.data/agent');
    expect(c.calendar).toEqual({ provider: 'local' });
    expect(c.workingHours).toEqual({ days: [1, 2, 3, 4, 5], startHour: 9, endHour: 17 });
  });

  it('names the variable and the mode that needs it', () => {
    expect(problems({}, 'console')).toEqual(['OPENAI_API_KEY is required for `console` (LLM)']);
    expect(problems({ ...FULL, LIVEKIT_URL: '' }, 'dev')).toEqual([
      'LIVEKIT_URL is required for `dev` (LiveKit server)',
    ]);
    expect(problems({ ...FULL, LIVEKIT_API_SECRET: '' }, 'start')).toEqual([
      'LIVEKIT_API_SECRET is required for `start` (LiveKit server)',
    ]);
    expect(problems({ ...FULL, DEEPGRAM_API_KEY: '' }, 'connect')).toEqual([
      'DEEPGRAM_API_KEY is required for `connect` (STT)',
    ]);
  });

  it('reports every missing variable at once', () => {
    const list = problems({}, 'dev');
    expect(list).toHaveLength(5);
    expect(list).toContain('OPENAI_API_KEY is required for `dev` (LLM)');
  });

  it('download-files needs nothing', () => {
    expect(problems({}, 'download-files')).toEqual([]);
  });

  it('rejects malformed values with the variable name and the value', () => {
    expect(problems({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'not a url' }, 'console')[0]).toMatch(
      /^OPENAI_BASE_URL is invalid \(got "not a url"\)/,
    );
    expect(problems({ OPENAI_API_KEY: 'k', TTS_PROVIDER: 'polly' }, 'console')[0]).toMatch(
      /^TTS_PROVIDER is invalid/,
    );
    expect(problems({ OPENAI_API_KEY: 'k', MEETING_HOURS: '17-9' }, 'console')).toEqual([
      'MEETING_HOURS must look like 9-17 (got "17-9")',
    ]);
    expect(problems({ OPENAI_API_KEY: 'k', ANALYTICS_PII_MODE: 'plain' }, 'console')[0]).toMatch(
      /^ANALYTICS_PII_MODE is invalid/,
    );
    // A short PII hash key is named with its length, never its value.
    expect(problems({ OPENAI_API_KEY: 'k', PII_HASH_KEY: 'hunter2-secret' }, 'console')).toEqual([
      'PII_HASH_KEY is invalid (got 14 characters): must be at least 32 characters (e.g. openssl rand -hex 32)',
    ]);
    expect(problems({ OPENAI_API_KEY: 'k', CALCOM_EVENT_TYPE_ID: 'abc' }, 'console')[0]).toMatch(
      /^CALCOM_EVENT_TYPE_ID is invalid/,
    );
  });

  it('requires the Cal.com settings when CALENDAR_PROVIDER=calcom', () => {
    expect(problems({ OPENAI_API_KEY: 'k', CALENDAR_PROVIDER: 'calcom' }, 'console')).toEqual([
      'CALCOM_API_KEY is required when CALENDAR_PROVIDER=calcom (`console`)',
      'CALCOM_EVENT_TYPE_ID is required when CALENDAR_PROVIDER=calcom (`console`)',
    ]);
    const c = loadAgentConfig(
      {
        OPENAI_API_KEY: 'k',
        CALENDAR_PROVIDER: 'calcom',
        CALCOM_API_KEY: 'cal_live_x',
        CALCOM_EVENT_TYPE_ID: '42',
      },
      'console',
    );
    expect(c.calendar).toEqual({
      provider: 'calcom',
      apiKey: 'cal_live_x',
      eventTypeId: 42,
      baseUrl: 'https://api.cal.com',
    });
  });

  it('builds a voice config for dev with every default', () => {
    const c = loadAgentConfig(FULL, 'dev');
    expect(c.textOnly).toBe(false);
    expect(c.tts).toEqual({ provider: 'openai', model: 'gpt-4o-mini-tts', voice: 'alloy' });
    expect(c.stt).toEqual({ apiKey: 'dg-test', model: 'nova-3', language: 'en-US' });
    expect(c.analytics).toEqual({
      piiMode: 'hashed',
      transcripts: false,
      journalDir: '.data/journal',
      progressIntervalMs: 5000,
    });
  });
});
