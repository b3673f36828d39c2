/**
 * Prices one session's usage under a price book. Pure: the same payload and book give the same
 * breakdown. Usage with no matching entry is listed in `unpriced` (the total is then a lower bound).
 *
 * LLM input: `input_tokens` includes cached and audio tokens (OpenAI semantics), so cached tokens
 * are priced once, at the cached rate, and only `input - cached - audio` at the input rate. With no
 * cached-rate entry, cached tokens fall back to the input rate (an upper bound, never unpriced).
 */
import type { ModelUsage, SessionPayload } from '../../../src/schema/index.js';
import type { CostBreakdown, CostComponent, CostLine } from '../types.js';
import { findPrice, type PriceBook, type PriceEntry, type PriceKind, UNIT_SIZES } from './price_book.js';

/** LiveKit agent minutes are priced from the session duration under this provider and model. */
export const LIVEKIT_PROVIDER = 'livekit';
export const LIVEKIT_MODEL = 'agent';

const roundUsd = (v: number) => Math.round(v * 1e8) / 1e8;

class CostAccumulator {
  readonly lines: CostLine[] = [];
  readonly unpriced: string[] = [];
  constructor(readonly book: PriceBook) {}

  /** Prices `baseQuantity` (tokens, characters, ms, requests) of `kind`; returns false when no entry. */
  add(component: CostComponent, provider: string, model: string, kind: PriceKind, baseQuantity: number) {
    if (baseQuantity <= 0) return true;
    const entry = findPrice(this.book, provider, model, kind);
    if (!entry) return false;
    this.push(component, provider, model, kind, baseQuantity, entry);
    return true;
  }

  push(
    component: CostComponent,
    provider: string,
    model: string,
    kind: PriceKind,
    baseQuantity: number,
    entry: PriceEntry,
  ) {
    let quantity = baseQuantity / UNIT_SIZES[entry.unit].size;
    if (entry.min_increment) quantity = Math.ceil(quantity / entry.min_increment) * entry.min_increment;
    this.lines.push({
      component,
      provider,
      model,
      kind,
      unit: entry.unit,
      quantity,
      unit_price_usd: entry.price_usd,
      cost_usd: roundUsd(quantity * entry.price_usd),
    });
  }

  miss(provider: string, model: string, kind: string) {
    const key = `${provider}/${model}/${kind}`;
    if (!this.unpriced.includes(key)) this.unpriced.push(key);
  }

  addOrMiss(component: CostComponent, provider: string, model: string, kind: PriceKind, qty: number) {
    if (!this.add(component, provider, model, kind, qty)) this.miss(provider, model, kind);
  }
}

function priceLlm(acc: CostAccumulator, u: Extract<ModelUsage, { type: 'llm_usage' }>) {
  const { provider, model } = u;
  let textInput = u.input_tokens;
  if (u.input_audio_tokens > 0) {
    acc.addOrMiss('llm', provider, model, 'llm_audio_input', u.input_audio_tokens);
    textInput -= u.input_audio_tokens;
  }
  const cached = Math.min(u.input_cached_tokens, Math.max(0, textInput));
  const uncached = Math.max(0, textInput - cached);
  acc.addOrMiss('llm', provider, model, 'llm_input', uncached);
  if (cached > 0 && !acc.add('llm', provider, model, 'llm_cached_input', cached)) {
    const inputRate = findPrice(acc.book, provider, model, 'llm_input');
    if (inputRate) acc.push('llm', provider, model, 'llm_cached_input', cached, inputRate);
    else acc.miss(provider, model, 'llm_cached_input');
  }
  let textOutput = u.output_tokens;
  if (u.output_audio_tokens > 0) {
    acc.addOrMiss('llm', provider, model, 'llm_audio_output', u.output_audio_tokens);
    textOutput -= u.output_audio_tokens;
  }
  acc.addOrMiss('llm', provider, model, 'llm_output', Math.max(0, textOutput));
}

function priceTts(acc: CostAccumulator, u: Extract<ModelUsage, { type: 'tts_usage' }>) {
  if (u.audio_duration_ms <= 0 && u.characters_count <= 0) return;
  const byAudio = findPrice(acc.book, u.provider, u.model, 'tts_audio');
  const byChars = findPrice(acc.book, u.provider, u.model, 'tts_characters');
  if (!byAudio && !byChars) return acc.miss(u.provider, u.model, 'tts');
  if (byAudio && u.audio_duration_ms > 0)
    acc.push('tts', u.provider, u.model, 'tts_audio', u.audio_duration_ms, byAudio);
  if (byChars && u.characters_count > 0)
    acc.push('tts', u.provider, u.model, 'tts_characters', u.characters_count, byChars);
}

/**
 * Adds the post-call analysis's own tokens to a breakdown as `analysis` lines (priced like LLM
 * input and output of that provider and model); unpriced usage is listed like any other.
 */
export function addAnalysisCost(
  cost: CostBreakdown,
  usage: { provider: string; model: string; input_tokens: number; output_tokens: number },
  priceBook: PriceBook,
): CostBreakdown {
  const acc = new CostAccumulator(priceBook);
  acc.addOrMiss('analysis', usage.provider, usage.model, 'llm_input', usage.input_tokens);
  acc.addOrMiss('analysis', usage.provider, usage.model, 'llm_output', usage.output_tokens);
  const analysis = roundUsd(acc.lines.reduce((s, l) => s + l.cost_usd, 0));
  return {
    ...cost,
    total_usd: roundUsd(cost.total_usd + analysis),
    by_component: { ...cost.by_component, analysis },
    lines: [...cost.lines, ...acc.lines],
    unpriced: [...cost.unpriced, ...acc.unpriced.filter((u) => !cost.unpriced.includes(u))],
  };
}

/** Cost per component and in total, with one line per priced quantity and the price book version. */
export function priceSession(payload: SessionPayload, priceBook: PriceBook): CostBreakdown {
  const acc = new CostAccumulator(priceBook);
  for (const u of payload.usage.by_model) {
    switch (u.type) {
      case 'llm_usage':
        priceLlm(acc, u);
        break;
      case 'stt_usage':
        acc.addOrMiss('stt', u.provider, u.model, 'stt_audio', u.audio_duration_ms);
        break;
      case 'tts_usage':
        priceTts(acc, u);
        break;
      case 'interruption_usage':
        acc.addOrMiss('livekit', u.provider, u.model, 'interruption_request', u.total_requests);
        break;
      case 'eot_usage':
        acc.addOrMiss('livekit', u.provider, u.model, 'eot_request', u.total_requests);
        break;
      default: {
        const never: never = u;
        throw new Error(`unknown usage type ${(never as { type: string }).type}`);
      }
    }
  }
  acc.addOrMiss('livekit', LIVEKIT_PROVIDER, LIVEKIT_MODEL, 'livekit_agent_minute', payload.duration_ms);

  const by_component: CostBreakdown['by_component'] = { llm: 0, stt: 0, tts: 0, livekit: 0 };
  for (const line of acc.lines)
    by_component[line.component] = roundUsd((by_component[line.component] ?? 0) + line.cost_usd);
  const total_usd = roundUsd(acc.lines.reduce((s, l) => s + l.cost_usd, 0));
  return {
    price_book_version: priceBook.version,
    total_usd,
    by_component,
    lines: acc.lines,
    unpriced: acc.unpriced,
  };
}
