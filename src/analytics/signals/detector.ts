/**
 * The qualification-signal detector: one tokenizer pass, then each signal's rules over the
 * tokens in small bounded windows. Linear in the message length for any input.
 */

import { readContext } from './context.js';
import {
  buildFlagMap,
  F_DURATION,
  F_INDUSTRY,
  F_INTEGRATION,
  F_PERIOD,
  F_PRODUCT,
  F_QUANTITY,
  F_URGENCY,
  type FlagMap,
} from './flags.js';
import { detectIndustry, PRODUCT_NOUN_KEYS } from './industry.js';
import { industryTable } from './industry_cues.js';
import { detectIntegrations, integrationTable } from './integrations.js';
import { quantityStartWords } from './numbers.js';
import { periodStartWords } from './periods.js';
import { lazy } from './phrases.js';
import { detectQuantities } from './quantities.js';
import { setFlagLookup, Toks, tokenize } from './tokenizer.js';
import type { Detection, SpecSignals, Turn } from './types.js';
import { DURATION_STARTS, detectUrgency } from './urgency.js';
import { urgencyTable } from './urgency_cues.js';

const flagMap = lazy((): FlagMap => {
  const map = buildFlagMap([
    [F_QUANTITY, quantityStartWords()],
    [F_DURATION, DURATION_STARTS],
    [F_URGENCY, urgencyTable().firstKeys()],
    [F_INDUSTRY, industryTable().firstKeys()],
    [F_INTEGRATION, integrationTable().firstKeys()],
    [F_PERIOD, periodStartWords()],
    [F_PRODUCT, PRODUCT_NOUN_KEYS],
  ]);
  // Each distinct word is looked up once and its flags cached with the interned word.
  setFlagLookup((key) => map.get(key) ?? 0, F_QUANTITY, F_PERIOD);
  return map;
});

/** Token columns reused from call to call; detection never keeps them. */
const tokenPool = lazy(() => new Toks());

/** Detects the qualification signals one user message states. */
export function detectSignals(text: string, context?: readonly Turn[]): Detection {
  flagMap();
  const ctx = readContext(context);
  // The tokenizer sets each token's rule flags from the word's cached entry in `flagMap`.
  const tokens = tokenize(text, tokenPool());
  const out: Detection = {};
  const { team_size, monthly_volume } = detectQuantities(tokens, ctx);
  if (team_size !== undefined) out.team_size = team_size;
  if (monthly_volume !== undefined) out.monthly_volume = monthly_volume;
  const urgency = detectUrgency(tokens, ctx);
  if (urgency !== undefined) out.urgency = urgency;
  const industry = detectIndustry(tokens, ctx);
  if (industry !== undefined) out.industry = industry;
  const { needs, negated, skipped } = detectIntegrations(tokens, ctx);
  if (skipped !== undefined) out.integrations_skipped = skipped;
  if (needs.length > 0) out.integration_needs = needs;
  if (negated.length > 0) out.integrations_negated = negated;
  return out;
}

/** The spec's output object: values only, absent keys omitted, `integration_needs` sorted and distinct. */
export function toSpecSignals(d: Detection): SpecSignals {
  const out: SpecSignals = {};
  if (d.team_size !== undefined) out.team_size = d.team_size.value;
  if (d.monthly_volume !== undefined) out.monthly_volume = d.monthly_volume.value;
  if (d.integration_needs !== undefined && d.integration_needs.length > 0) {
    out.integration_needs = [...new Set(d.integration_needs.map((h) => h.value))].sort();
  }
  if (d.urgency !== undefined) out.urgency = d.urgency.value;
  if (d.industry !== undefined) out.industry = d.industry.value;
  return out;
}
