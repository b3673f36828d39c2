import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initializeLogger } from '@livekit/agents';
import * as deepgram from '@livekit/agents-plugin-deepgram';
import * as openai from '@livekit/agents-plugin-openai';
import { describe, expect, it } from 'vitest';
import type { ModelUsage } from '../../../src/schema/index.js';
import { samplePayload } from '../../../src/schema/testing/index.js';
import {
  defaultPriceBook,
  findPrice,
  loadPriceBook,
  type PriceBook,
  parsePriceBook,
  priceSession,
} from '../../src/pricing/index.js';

const book = defaultPriceBook();
const llm = (over: Partial<Extract<ModelUsage, { type: 'llm_usage' }>> = {}): ModelUsage => ({
  type: 'llm_usage',
  provider: 'openai',
  model: 'gpt-4.1-mini',
  input_tokens: 0,
  input_cached_tokens: 0,
  input_audio_tokens: 0,
  input_text_tokens: 0,
  output_tokens: 0,
  output_audio_tokens: 0,
  output_text_tokens: 0,
  session_duration_ms: 0,
  ...over,
});
const withUsage = (by_model: ModelUsage[], duration_ms = 60_000) => {
  const p = samplePayload();
  return { ...p, duration_ms, usage: { ...p.usage, by_model } };
};
const line = (c: ReturnType<typeof priceSession>, kind: string) => c.lines.find((l) => l.kind === kind);

describe('priceSession', () => {
  it('prices the sample call per component with the book version', () => {
    const c = priceSession(samplePayload(), book);
    expect(c.price_book_version).toBe(book.version);
    // llm: 6000 in × 0.40/M + 240 out × 1.60/M; stt: 0.7 min × 0.0077; tts: 0.3 min × 0.015; livekit: 1 min
    expect(c.by_component).toEqual({ llm: 0.002784, stt: 0.00539, tts: 0.0045, livekit: 0.01 });
    expect(c.total_usd).toBe(0.022674);
    expect(c.unpriced).toEqual([]);
  });

  it('prices cached input tokens once, at the cached rate', () => {
    const c = priceSession(withUsage([llm({ input_tokens: 1_000_000, input_cached_tokens: 400_000 })]), book);
    expect(line(c, 'llm_input')).toMatchObject({ quantity: 0.6, cost_usd: 0.24 });
    expect(line(c, 'llm_cached_input')).toMatchObject({ quantity: 0.4, unit_price_usd: 0.1, cost_usd: 0.04 });
    expect(c.by_component.llm).toBe(0.28);
  });

  it('falls back to the input rate for cached tokens when the model has no cached entry', () => {
    const b: PriceBook = { ...book, entries: book.entries.filter((e) => e.kind !== 'llm_cached_input') };
    const c = priceSession(withUsage([llm({ input_tokens: 1_000_000, input_cached_tokens: 500_000 })]), b);
    expect(line(c, 'llm_cached_input')).toMatchObject({ unit_price_usd: 0.4, cost_usd: 0.2 });
    expect(c.unpriced).toEqual([]);
  });

  it('matches the longest model prefix (dated snapshots) and lists usage with no entry as unpriced', () => {
    const c = priceSession(
      withUsage([
        llm({ model: 'gpt-4o-mini-2024-07-18', output_tokens: 1_000_000 }),
        llm({ provider: 'acme', model: 'x-1', input_tokens: 10 }),
        { type: 'eot_usage', provider: 'livekit', model: 'turn-detector', total_requests: 3 },
      ]),
      book,
    );
    expect(line(c, 'llm_output')).toMatchObject({ model: 'gpt-4o-mini-2024-07-18', unit_price_usd: 0.6 });
    expect(c.unpriced).toEqual(['acme/x-1/llm_input', 'livekit/turn-detector/eot_request']);
  });

  it('prices TTS by characters when the model bills characters (tts-1, Deepgram Aura)', () => {
    const tts = (model: string, provider = 'openai'): ModelUsage => ({
      type: 'tts_usage',
      provider,
      model,
      input_tokens: 0,
      output_tokens: 0,
      characters_count: 2000,
      audio_duration_ms: 60_000,
    });
    const c = priceSession(
      withUsage([tts('tts-1'), tts('aura-2-thalia-en', 'deepgram'), tts('aura-asteria-en', 'deepgram')]),
      book,
    );
    expect(c.lines.filter((l) => l.component === 'tts').map((l) => [l.model, l.cost_usd])).toEqual([
      ['tts-1', 0.03],
      ['aura-2-thalia-en', 0.06],
      ['aura-asteria-en', 0.03],
    ]);
  });

  it('rounds LiveKit agent time up to whole minutes', () => {
    expect(line(priceSession(withUsage([], 61_000), book), 'livekit_agent_minute')).toMatchObject({
      quantity: 2,
      cost_usd: 0.02,
    });
  });

  it('prices realtime audio tokens separately when the book has them', () => {
    const b = parsePriceBook({
      ...book,
      entries: [
        ...book.entries,
        { provider: 'openai', model: 'gpt-realtime*', kind: 'llm_input', unit: '1M_tokens', price_usd: 4 },
        {
          provider: 'openai',
          model: 'gpt-realtime*',
          kind: 'llm_audio_input',
          unit: '1M_tokens',
          price_usd: 32,
        },
        { provider: 'openai', model: 'gpt-realtime*', kind: 'llm_output', unit: '1M_tokens', price_usd: 16 },
        {
          provider: 'openai',
          model: 'gpt-realtime*',
          kind: 'llm_audio_output',
          unit: '1M_tokens',
          price_usd: 64,
        },
      ],
    });
    if (!b.ok) throw new Error(b.error);
    const c = priceSession(
      withUsage([
        llm({
          model: 'gpt-realtime',
          input_tokens: 1_000_000,
          input_audio_tokens: 250_000,
          output_tokens: 100_000,
          output_audio_tokens: 100_000,
        }),
      ]),
      b.value,
    );
    expect(c.by_component.llm).toBe(0.75 * 4 + 0.25 * 32 + 0.1 * 64);
  });
});

describe('provider aliases', () => {
  const stt = (provider: string, model: string): ModelUsage => ({
    type: 'stt_usage',
    provider,
    model,
    input_tokens: 0,
    output_tokens: 0,
    audio_duration_ms: 60_000,
  });
  const tts = (provider: string, model: string): ModelUsage => ({
    type: 'tts_usage',
    provider,
    model,
    input_tokens: 0,
    output_tokens: 0,
    characters_count: 1_000,
    audio_duration_ms: 60_000,
  });

  it('prices usage under the provider names the real plugins report', () => {
    initializeLogger({ pretty: false, level: 'silent' }); // the Deepgram STT logs from its constructor
    const models = [
      new openai.LLM({ apiKey: 'k', model: 'gpt-4.1-mini' }),
      new openai.TTS({ apiKey: 'k', model: 'gpt-4o-mini-tts' }),
      new deepgram.STT({ apiKey: 'k', model: 'nova-3' }),
      new deepgram.TTS({ apiKey: 'k', model: 'aura-2-andromeda-en' }),
    ];
    // What agents-js's ModelUsageCollector puts in `provider`: the model's `provider` getter.
    const [llmModel, ttsModel, sttModel, auraModel] = models;
    expect(models.map((m) => m.provider)).toEqual([
      'api.openai.com',
      'api.openai.com',
      'Deepgram',
      'Deepgram',
    ]);
    const c = priceSession(
      withUsage([
        llm({ provider: llmModel?.provider, input_tokens: 1_000_000, output_tokens: 1_000_000 }),
        tts(String(ttsModel?.provider), 'gpt-4o-mini-tts'),
        stt(String(sttModel?.provider), 'nova-3'),
        tts(String(auraModel?.provider), 'aura-2-andromeda-en'),
      ]),
      book,
    );
    expect(c.unpriced).toEqual([]);
    expect(c.by_component).toEqual({ llm: 2, stt: 0.0077, tts: 0.015 + 0.03, livekit: 0.01 });
    // Lines keep the provider as reported, so they still join the usage rows.
    expect(line(c, 'llm_input')).toMatchObject({ provider: 'api.openai.com', unit_price_usd: 0.4 });
  });

  it('resolves aliases case-insensitively, with or without the port, and never chains them', () => {
    const b = parsePriceBook({
      ...book,
      provider_aliases: { ...book.provider_aliases, 'LLM-Gateway.internal': 'openai' },
    });
    if (!b.ok) throw new Error(b.error);
    expect(findPrice(b.value, 'API.OpenAI.com', 'gpt-4o', 'llm_input')?.price_usd).toBe(2.5);
    expect(findPrice(b.value, 'api.openai.com:443', 'gpt-4o', 'llm_input')?.price_usd).toBe(2.5);
    expect(findPrice(b.value, 'llm-gateway.internal:4000', 'gpt-4o', 'llm_input')?.provider).toBe('openai');
    expect(findPrice(b.value, 'api.openai.com.evil.example', 'gpt-4o', 'llm_input')).toBeUndefined();
    expect(findPrice(b.value, '127.0.0.1:8080', 'gpt-4o', 'llm_input')).toBeUndefined();
  });

  it('rejects aliases that point nowhere, shadow a priced provider or repeat', () => {
    const e = { provider: 'openai', model: 'm', kind: 'llm_input', unit: '1M_tokens', price_usd: 1 };
    const bad = (provider_aliases: unknown) =>
      parsePriceBook({ version: 'x', currency: 'USD', entries: [e], provider_aliases });
    expect(bad({ 'api.openai.com': 'opnai' })).toEqual({
      ok: false,
      error: expect.stringContaining("provider_aliases.api.openai.com: alias target 'opnai' has no entries"),
    });
    expect(bad({ OpenAI: 'openai' })).toEqual({
      ok: false,
      error: expect.stringContaining('provider_aliases.OpenAI: shadows the priced provider openai'),
    });
    expect(bad({ 'api.openai.com': 'openai', 'API.openai.com': 'openai' })).toEqual({
      ok: false,
      error: expect.stringContaining('duplicate alias api.openai.com'),
    });
    expect(bad({ '': 'openai' })).toMatchObject({ ok: false });
    expect(bad({ 'api.openai.com': 'openai' })).toMatchObject({ ok: true });
  });
});

describe('price book', () => {
  it('bundled book is valid and covers the default models', () => {
    for (const [provider, model, kind] of [
      ['openai', 'gpt-4.1-mini', 'llm_input'],
      ['openai', 'gpt-4o', 'llm_output'],
      ['openai', 'gpt-4o-mini', 'llm_cached_input'],
      ['openai', 'gpt-4o-mini-tts', 'tts_audio'],
      ['openai', 'tts-1', 'tts_characters'],
      ['deepgram', 'nova-3', 'stt_audio'],
      ['deepgram', 'nova-2-general', 'stt_audio'],
      ['deepgram', 'aura-2-andromeda-en', 'tts_characters'],
      ['livekit', 'agent', 'livekit_agent_minute'],
    ] as const) {
      expect(findPrice(book, provider, model, kind), `${provider}/${model}/${kind}`).toBeDefined();
    }
  });

  it('errors name the bad field', () => {
    const bad = (entries: unknown[], extra: object = {}) =>
      parsePriceBook({ version: 'x', currency: 'USD', entries, ...extra });
    const e = { provider: 'openai', model: 'm', kind: 'llm_input', unit: '1M_tokens', price_usd: 1 };
    expect(bad([{ ...e, unit: 'minute' }])).toEqual({
      ok: false,
      error: expect.stringContaining('entries.0.unit'),
    });
    expect(bad([{ ...e, price_usd: -1 }])).toEqual({
      ok: false,
      error: expect.stringContaining('entries.0.price_usd'),
    });
    expect(bad([e, e])).toEqual({
      ok: false,
      error: expect.stringContaining('duplicate entry openai/m/llm_input'),
    });
    expect(bad([], { currency: 'EUR' })).toEqual({ ok: false, error: expect.stringContaining('currency') });
    expect(bad([{ ...e, kind: 'gpu_hours' }])).toEqual({
      ok: false,
      error: expect.stringContaining('entries.0.kind'),
    });
  });

  it('loads PRICE_BOOK_PATH, with clear errors for missing or broken files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prices-'));
    const good = join(dir, 'book.json');
    writeFileSync(good, JSON.stringify({ ...book, version: 'custom-2' }));
    expect(await loadPriceBook(good)).toMatchObject({ ok: true, value: { version: 'custom-2' } });
    expect(await loadPriceBook()).toMatchObject({ ok: true, value: { version: book.version } });
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, 'nope');
    expect(await loadPriceBook(broken)).toEqual({
      ok: false,
      error: expect.stringContaining(`price book ${broken}: invalid JSON`),
    });
    expect(await loadPriceBook(join(dir, 'none.json'))).toEqual({
      ok: false,
      error: expect.stringContaining('cannot read'),
    });
  });
});

describe('pricing edges (found by mutation testing)', () => {
  const custom = (entries: unknown[]) => {
    const b = parsePriceBook({ version: 'edge', currency: 'USD', entries });
    if (!b.ok) throw new Error(b.error);
    return b.value;
  };

  it('rounds a quantity up to the entry’s minimum increment', () => {
    const b = custom([
      {
        provider: 'acme',
        model: 'stt',
        kind: 'stt_audio',
        unit: 'minute',
        price_usd: 1,
        min_increment: 0.25,
      },
      { provider: 'livekit', model: '*', kind: 'livekit_agent_minute', unit: 'minute', price_usd: 0.01 },
    ]);
    const usage: ModelUsage = {
      type: 'stt_usage',
      provider: 'acme',
      model: 'stt',
      input_tokens: 0,
      output_tokens: 0,
      audio_duration_ms: 20_000,
    };
    // 20 s = 0.33 min, billed in quarter minutes: 0.5 min.
    expect(line(priceSession(withUsage([usage]), b), 'stt_audio')).toMatchObject({
      quantity: 0.5,
      cost_usd: 0.5,
    });
  });

  it('a text-only LLM call prices input and output only: no audio or cached lines, nothing unpriced', () => {
    const c = priceSession(withUsage([llm({ input_tokens: 1_000, output_tokens: 10 })]), book);
    expect(c.unpriced).toEqual([]);
    expect(c.lines.map((l) => l.kind)).toEqual(['llm_input', 'llm_output', 'livekit_agent_minute']);
  });

  it('TTS without audio or characters adds nothing; a zero dimension adds no line', () => {
    const none: ModelUsage = {
      type: 'tts_usage',
      provider: 'deepgram',
      model: 'aura-2-x',
      input_tokens: 0,
      output_tokens: 0,
      characters_count: 0,
      audio_duration_ms: 0,
    };
    const c0 = priceSession(withUsage([none]), book);
    expect(c0.unpriced).toEqual([]);
    expect(c0.lines.map((l) => l.kind)).toEqual(['livekit_agent_minute']);
    const audioOnly = priceSession(withUsage([{ ...none, audio_duration_ms: 30_000 }]), book);
    expect(audioOnly.lines.map((l) => l.kind)).toEqual(['livekit_agent_minute']);
  });

  it('the longest matching model prefix wins, whatever the order; "*" only as the last resort', () => {
    const b = custom([
      { provider: 'acme', model: '*', kind: 'llm_input', unit: '1M_tokens', price_usd: 3 },
      { provider: 'acme', model: 'a*', kind: 'llm_input', unit: '1M_tokens', price_usd: 1 },
      { provider: 'acme', model: 'ab*', kind: 'llm_input', unit: '1M_tokens', price_usd: 2 },
      { provider: 'acme', model: 'a*', kind: 'llm_output', unit: '1M_tokens', price_usd: 5 },
    ]);
    expect(findPrice(b, 'acme', 'abc', 'llm_input')?.price_usd).toBe(2);
    expect(findPrice(b, 'acme', 'ax', 'llm_input')?.price_usd).toBe(1);
    expect(findPrice(b, 'acme', 'zz', 'llm_input')?.price_usd).toBe(3);
    expect(findPrice(b, 'acme', 'zz', 'llm_output')).toBeUndefined();
    expect(findPrice(book, 'api.openai.com:443x', 'gpt-4o', 'llm_input')).toBeUndefined();
  });
});
