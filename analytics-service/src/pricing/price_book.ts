/**
 * The price book: a versioned list of unit prices, one row per provider, model and billing kind.
 * Cost is computed from a payload's usage and a price book, so it can be recomputed when prices
 * change (the version is stored with every cost breakdown).
 *
 * Provider names: a usage row carries the provider its plugin reports, which is not always the
 * price book's name for it. `@livekit/agents-plugin-openai` names it after the base URL's host
 * (`api.openai.com`; LLM, STT, TTS and realtime alike), Deepgram's plugin says `Deepgram`, LiveKit
 * inference says `livekit` (agents-js's ModelUsageCollector copies the model's `provider` getter).
 * `provider_aliases` maps reported names to the book's providers before matching:
 *   - names compare case-insensitively; a reported `host:port` also matches an alias for `host`;
 *   - an alias must point at a provider that has entries, may not be a priced provider itself,
 *     and is applied once (no chains);
 *   - a name with no alias is matched as reported.
 *
 * Matching a usage row to an entry (provider compared case-insensitively, after aliasing):
 *   1. an entry whose `model` equals the usage model;
 *   2. else the entry whose `model` ends in `*` with the longest prefix of the usage model
 *      (`gpt-4o-mini*` beats `gpt-4o*` for `gpt-4o-mini-2024-07-18`);
 *   3. else an entry whose `model` is `*`.
 */
import { z } from 'zod';
import bundled from '../../config/price_book.json' with { type: 'json' };
import { formatIssues, type LoadResult, readJsonConfig } from '../config_file.js';

export { formatIssues, type LoadResult };

export const PRICE_KINDS = [
  'llm_input',
  'llm_cached_input',
  'llm_output',
  'llm_audio_input',
  'llm_audio_output',
  'stt_audio',
  'tts_characters',
  'tts_audio',
  'livekit_agent_minute',
  'interruption_request',
  'eot_request',
] as const;
export const PriceKind = z.enum(PRICE_KINDS);
export type PriceKind = z.infer<typeof PriceKind>;

/** Billing units and how many base units (tokens, characters, milliseconds, requests) each holds. */
export const UNIT_SIZES = {
  '1K_tokens': { base: 'tokens', size: 1_000 },
  '1M_tokens': { base: 'tokens', size: 1_000_000 },
  '1K_characters': { base: 'characters', size: 1_000 },
  '1M_characters': { base: 'characters', size: 1_000_000 },
  second: { base: 'ms', size: 1_000 },
  minute: { base: 'ms', size: 60_000 },
  hour: { base: 'ms', size: 3_600_000 },
  request: { base: 'requests', size: 1 },
  '1K_requests': { base: 'requests', size: 1_000 },
} as const;
export type PriceUnit = keyof typeof UNIT_SIZES;
export const PriceUnit = z.enum(Object.keys(UNIT_SIZES) as [PriceUnit, ...PriceUnit[]]);

/** What each kind counts, so a unit of the wrong dimension is rejected at load time. */
export const KIND_BASE: Record<PriceKind, (typeof UNIT_SIZES)[PriceUnit]['base']> = {
  llm_input: 'tokens',
  llm_cached_input: 'tokens',
  llm_output: 'tokens',
  llm_audio_input: 'tokens',
  llm_audio_output: 'tokens',
  stt_audio: 'ms',
  tts_characters: 'characters',
  tts_audio: 'ms',
  livekit_agent_minute: 'ms',
  interruption_request: 'requests',
  eot_request: 'requests',
};

export const PriceEntry = z
  .object({
    provider: z.string().min(1),
    /** Exact model, a prefix ending in `*`, or `*` for every model of the provider. */
    model: z.string().min(1),
    kind: PriceKind,
    unit: PriceUnit,
    price_usd: z.number().nonnegative(),
    /** Each usage row is rounded up to this many units before pricing (LiveKit bills whole minutes). */
    min_increment: z.number().positive().optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (UNIT_SIZES[e.unit].base !== KIND_BASE[e.kind]) {
      ctx.addIssue({
        code: 'custom',
        path: ['unit'],
        message: `unit '${e.unit}' does not measure ${KIND_BASE[e.kind]}, which kind '${e.kind}' counts`,
      });
    }
  });
export type PriceEntry = z.infer<typeof PriceEntry>;

export const PriceBook = z
  .object({
    version: z.string().min(1),
    currency: z.literal('USD'),
    notes: z.string().optional(),
    /** Reported provider name (a plugin's `provider`, e.g. a base URL host) → the book's provider. */
    provider_aliases: z.record(z.string().trim().min(1), z.string().min(1)).optional(),
    entries: z.array(PriceEntry),
  })
  .strict()
  .superRefine((book, ctx) => {
    const priced = new Set(book.entries.map((e) => e.provider.toLowerCase()));
    const aliases = new Set<string>();
    for (const [from, to] of Object.entries(book.provider_aliases ?? {})) {
      const key = from.trim().toLowerCase();
      const path = ['provider_aliases', from];
      if (aliases.has(key)) ctx.addIssue({ code: 'custom', path, message: `duplicate alias ${key}` });
      aliases.add(key);
      if (priced.has(key))
        ctx.addIssue({ code: 'custom', path, message: `shadows the priced provider ${key}` });
      if (!priced.has(to.toLowerCase()))
        ctx.addIssue({ code: 'custom', path, message: `alias target '${to}' has no entries` });
    }
    const seen = new Map<string, number>();
    book.entries.forEach((e, i) => {
      const key = `${e.provider.toLowerCase()}/${e.model}/${e.kind}`;
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['entries', i],
          message: `duplicate entry ${key} (also entries.${first})`,
        });
      } else {
        seen.set(key, i);
      }
    });
  });
export type PriceBook = z.infer<typeof PriceBook>;

/** Validates a parsed price book (from JSON or code). */
export function parsePriceBook(data: unknown, source = 'price book'): LoadResult<PriceBook> {
  const parsed = PriceBook.safeParse(data);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, error: formatIssues(source, parsed.error) };
}

/** The price book shipped in `analytics-service/config/price_book.json`. */
export function defaultPriceBook(): PriceBook {
  const r = parsePriceBook(bundled, 'bundled price_book.json');
  if (!r.ok) throw new Error(r.error); // a broken bundled file is a build error, caught by tests
  return r.value;
}

/** Reads a price book from a JSON file (`PRICE_BOOK_PATH`), or the bundled one when no path is given. */
export async function loadPriceBook(path?: string): Promise<LoadResult<PriceBook>> {
  if (!path) return { ok: true, value: defaultPriceBook() };
  return readJsonConfig(path, 'price book', parsePriceBook);
}

const aliasMaps = new WeakMap<PriceBook, ReadonlyMap<string, string>>();

function aliasMap(book: PriceBook): ReadonlyMap<string, string> {
  let m = aliasMaps.get(book);
  if (!m) {
    m = new Map(
      Object.entries(book.provider_aliases ?? {}).map(([from, to]) => [
        from.trim().toLowerCase(),
        to.toLowerCase(),
      ]),
    );
    aliasMaps.set(book, m);
  }
  return m;
}

/**
 * The book's (lower-cased) name for a reported provider: its alias, else the alias of its host
 * without the port (`api.openai.com:443`), else the reported name itself.
 */
export function canonicalProvider(book: PriceBook, provider: string): string {
  const p = provider.trim().toLowerCase();
  const aliases = aliasMap(book);
  const direct = aliases.get(p);
  if (direct !== undefined) return direct;
  const port = /^(.+):\d{1,5}$/.exec(p);
  const host = port?.[1];
  return (host !== undefined ? aliases.get(host) : undefined) ?? p;
}

/** Finds the entry for a usage row, following the matching order in the file header. */
export function findPrice(
  book: PriceBook,
  provider: string,
  model: string,
  kind: PriceKind,
): PriceEntry | undefined {
  const p = canonicalProvider(book, provider);
  const candidates = book.entries.filter((e) => e.kind === kind && e.provider.toLowerCase() === p);
  const exact = candidates.find((e) => e.model === model);
  if (exact) return exact;
  let best: PriceEntry | undefined;
  for (const e of candidates) {
    if (e.model === '*' || !e.model.endsWith('*')) continue;
    const prefix = e.model.slice(0, -1);
    if (model.startsWith(prefix) && (!best || prefix.length > best.model.length - 1)) best = e;
  }
  return best ?? candidates.find((e) => e.model === '*');
}
