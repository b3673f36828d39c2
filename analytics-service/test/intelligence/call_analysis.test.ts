import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type OpenAICompatibleServer,
  type ScriptedReply,
  startOpenAICompatibleServer,
} from '../../../src/testing/openai_compatible_server.js';
import { CallAnalyser, type CallAnalyserOptions } from '../../src/intelligence/analyse_call.js';
import { defaultAnalysisConfig } from '../../src/intelligence/analysis_config.js';
import type { AnalysisEnvConfig } from '../../src/intelligence/analysis_env.js';
import type { CallIntelligence } from '../../src/types.js';
import { answerText, goodAnswer } from './answers.js';
import { callWithoutTranscript, callWithTranscript } from './fixtures.js';

let server: OpenAICompatibleServer;
let script: ScriptedReply[] = [];

beforeAll(async () => {
  server = await startOpenAICompatibleServer({
    reply: (_req, { index }) => script[Math.min(index - seen, script.length - 1)] ?? { content: '' },
    apiKey: 'test-key',
  });
});
afterAll(() => server.close());

let seen = 0;
beforeEach(() => {
  seen = server.chatRequests().length;
});
const requestsSinceStart = () => server.chatRequests().length - seen;

function analyser(over: Partial<AnalysisEnvConfig> = {}, extra: Partial<CallAnalyserOptions> = {}) {
  return new CallAnalyser({
    env: {
      baseUrl: server.baseURL,
      model: 'gpt-4o-mini',
      apiKey: 'test-key',
      provider: 'openai',
      timeoutMs: 5000,
      maxAttempts: 2,
      configPath: undefined,
      ...over,
    },
    config: defaultAnalysisConfig(),
    ...extra,
  });
}

describe('post-call LLM analysis (local OpenAI-compatible server)', () => {
  it('extracts a summary, custom fields, success and signals, each value with the prospect’s words located', async () => {
    script = [{ content: answerText(), usage: { promptTokens: 1200, completionTokens: 300 } }];
    const r = await analyser().analyse(callWithTranscript());
    expect(r.status).toBe('ok');
    expect(r.summary).toMatch(/law firm/);
    expect(r.custom_fields.decision_maker?.value).toBe(true);
    expect(r.custom_fields.decision_maker?.message_indexes).toEqual([5]);
    expect(r.custom_fields.buying_stage?.value).toBe('ready_to_buy');
    expect(r.custom_fields.objections).toBeNull();
    expect(r.success).toMatchObject({ achieved: true });
    expect(r.signals.monthly_volume?.value).toBe(200);
    expect(r.signals.monthly_volume?.message_indexes).toEqual([2]);
    // The span is where the quote sits in the prospect's own message.
    const span = r.signals.monthly_volume?.spans[0] ?? [0, 0];
    expect('We send out about 200 contracts a month.'.slice(span[0], span[1])).toBe(
      'about 200 contracts a month',
    );
    expect(r.discarded).toEqual([]);
    expect(r.usage).toEqual({
      provider: 'openai',
      model: 'gpt-4o-mini',
      input_tokens: 1200,
      output_tokens: 300,
    });
    expect(r.config_version).toMatch(/^analysis-v1\+[0-9a-f]{12}$/);
    // What the model was sent: structured output by JSON Schema, the call with numbered prospect lines.
    const req = server.chatRequests().at(-1)!;
    expect(req.model).toBe('gpt-4o-mini');
    expect((req.response_format as { type: string }).type).toBe('json_schema');
    expect(JSON.stringify(req.messages)).toContain('PROSPECT [2]: We send out about 200 contracts a month.');
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer test-key');
  });

  it('discards and counts a value whose quote the prospect never said, keeping the rest', async () => {
    const a = goodAnswer();
    const cf = a.custom_fields as Record<string, unknown>;
    // A paraphrase, not the prospect's words.
    cf.pain_point = { value: 'slow contracts', quotes: ['our contracts are too slow to produce'] };
    (a.signals as Record<string, unknown>).team_size = { value: 40, quotes: ['a team of forty lawyers'] };
    script = [{ content: answerText(a) }];
    const r = await analyser().analyse(callWithTranscript());
    expect(r.status).toBe('ok');
    expect(r.custom_fields.pain_point).toBeNull();
    expect(r.signals.team_size).toBeUndefined();
    expect(r.custom_fields.timeline?.value).toBe('immediately');
    expect(r.discarded).toEqual([
      { field: 'custom_fields.pain_point', quote: 'our contracts are too slow to produce' },
      { field: 'signals.team_size', quote: 'a team of forty lawyers' },
    ]);
  });

  it('accepts a quote that differs only in case, whitespace and typographic apostrophes', async () => {
    const a = goodAnswer();
    (a.custom_fields as Record<string, unknown>).decision_maker = {
      value: true,
      quotes: ['I’M THE   managing partner'],
    };
    script = [{ content: answerText(a) }];
    const r = await analyser().analyse(callWithTranscript());
    expect(r.custom_fields.decision_maker?.value).toBe(true);
    expect(r.discarded).toEqual([]);
  });

  it('gives up at the hard timeout with every field null and status timeout', async () => {
    script = [{ content: answerText(), delayMs: 3000 }];
    const r = await analyser({ timeoutMs: 400 }).analyse(callWithTranscript());
    expect(r.status).toBe('timeout');
    expect(r.summary).toBeNull();
    expect(r.custom_fields).toEqual({});
    expect(r.reason).toMatch(/400 ms/);
    // The budget covers every attempt: no second try after the deadline.
    expect(requestsSinceStart()).toBe(1);
  });

  it('retries malformed JSON a bounded number of times, then reports invalid_json', async () => {
    script = [{ content: '{"summary": "cut off' }];
    const r = await analyser({ maxAttempts: 3 }).analyse(callWithTranscript());
    expect(r.status).toBe('invalid_json');
    expect(r.attempts).toBe(3);
    expect(requestsSinceStart()).toBe(3);
    expect(r.summary).toBeNull();
  });

  it('a failed attempt followed by a good one is ok, and both attempts’ tokens are counted', async () => {
    script = [
      { content: 'not json', usage: { promptTokens: 1000, completionTokens: 10 } },
      { content: answerText(), usage: { promptTokens: 1000, completionTokens: 300 } },
    ];
    const r = await analyser().analyse(callWithTranscript());
    expect(r.status).toBe('ok');
    expect(r.attempts).toBe(2);
    expect(r.usage?.input_tokens).toBe(2000);
    expect(r.usage?.output_tokens).toBe(310);
  });

  it('reports a schema violation (a required field left null) with the path', async () => {
    const a = goodAnswer();
    (a.custom_fields as Record<string, unknown>).buying_stage = null;
    script = [{ content: answerText(a) }];
    const r = await analyser().analyse(callWithTranscript());
    expect(r.status).toBe('schema_violation');
    expect(r.reason).toMatch(/buying_stage/);
    expect(r.custom_fields).toEqual({});
  });

  it('reports an enum value outside the declared ones as a schema violation', async () => {
    const a = goodAnswer();
    (a.custom_fields as Record<string, unknown>).buying_stage = {
      value: 'hot',
      quotes: ['Tuesday at 3 works'],
    };
    script = [{ content: answerText(a) }];
    expect((await analyser({ maxAttempts: 1 }).analyse(callWithTranscript())).status).toBe(
      'schema_violation',
    );
  });

  it('reports a refusal and an HTTP error as such', async () => {
    script = [{ refusal: 'I cannot help with that.' }];
    const refused = await analyser({ maxAttempts: 1 }).analyse(callWithTranscript());
    expect(refused.status).toBe('refusal');
    expect(refused.reason).toMatch(/cannot help/);
    script = [{ error: { status: 503, message: 'overloaded' } }];
    const down = await analyser().analyse(callWithTranscript());
    expect(down.status).toBe('http_error');
    expect(down.reason).toMatch(/503/);
    expect(down.attempts).toBe(2);
  });

  it('skips a short call and a call without transcript, without calling the model', async () => {
    script = [{ content: answerText() }];
    const short = await analyser().analyse(callWithTranscript(['Hello?']));
    expect(short.status).toBe('skipped');
    expect(short.reason).toMatch(/^too_few_prospect_turns: 1 < 2/);
    const noText = await analyser().analyse(callWithoutTranscript());
    expect(noText.status).toBe('skipped');
    expect(noText.reason).toMatch(/^transcripts_not_kept/);
    expect(requestsSinceStart()).toBe(0);
  });

  it('reuses a cached result for the same session and config version', async () => {
    script = [{ content: answerText() }];
    const store = new Map<string, CallIntelligence>();
    const cache = {
      get: async (id: string, v: string) => store.get(`${id}/${v}`) ?? null,
    };
    const a = analyser({}, { cache });
    const first = await a.analyse(callWithTranscript());
    store.set(`${callWithTranscript().session_id}/${a.configVersion}`, first);
    const second = await a.analyse(callWithTranscript());
    expect(second).toEqual(first);
    expect(requestsSinceStart()).toBe(1);
    // Another model is another config version: analysed again.
    const other = analyser({ model: 'gpt-4.1-mini' }, { cache });
    expect(other.configVersion).not.toBe(a.configVersion);
    await other.analyse(callWithTranscript());
    expect(requestsSinceStart()).toBe(2);
  });
});
