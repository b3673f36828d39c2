/**
 * The post-call LLM analysis of one session: gate → cache → ask the model (bounded) → check the
 * answer → keep only the values whose quotes are the prospect's words.
 *
 * - Gate: the transcript policy must have kept the prospect's text, the call must have connected
 *   (turns and at least one prospect message) and have `min_prospect_turns` prospect messages;
 *   otherwise the result is `skipped` with the reason, and the model is not called.
 * - Bound: `timeoutMs` covers every attempt (an `AbortSignal` ends the HTTP request); up to
 *   `maxAttempts` attempts, whatever failed (timeout excepted: the budget is spent). `analyse`
 *   never throws: a failure is a result with a status and null fields.
 * - Check: JSON.parse, then the schema (Ajv), then each quote against the prospect's messages
 *   (`quotes.ts`); a value with a quote not found is discarded and listed in `discarded`.
 * - Cache: a result for (session, config version) with status ok or skipped is reused, so a
 *   redelivered message does not pay for a second analysis.
 */
import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { Logger } from '../../../src/log.js';
import { type SessionPayload, SIGNAL_NAMES, type SignalName } from '../../../src/schema/index.js';
import { keepsTranscript, type ProspectMessage, prospectMessages } from '../analysis/prospect_messages.js';
import type {
  CallIntelligence,
  CitedValue,
  DiscardedValue,
  IntelligenceStatus,
  ObjectiveResult,
} from '../types.js';
import { type AnalysisConfig, analysisConfigVersion } from './analysis_config.js';
import type { AnalysisEnvConfig } from './analysis_env.js';
import { analysisOff, blankIntelligence as blank } from './off.js';
import { analysisMessages, PROMPT_REVISION } from './prompt.js';
import { findQuote } from './quotes.js';
import { type AnswerValidator, answerValidator, type ModelAnswer } from './response_schema.js';

export interface AnalysisCache {
  /** A stored result for this session under this config version, or null. */
  get(sessionId: string, configVersion: string): Promise<CallIntelligence | null>;
}

export interface CallAnalyserOptions {
  env: AnalysisEnvConfig;
  config: AnalysisConfig;
  cache?: AnalysisCache;
  log?: Logger;
  now?: () => Date;
}

type Usage = { input_tokens: number; output_tokens: number };
type AttemptResult =
  | { ok: true; answer: ModelAnswer; usage: Usage }
  | {
      ok: false;
      status: Exclude<IntelligenceStatus, 'ok' | 'off' | 'skipped'>;
      reason: string;
      usage: Usage;
    };

const NO_USAGE: Usage = { input_tokens: 0, output_tokens: 0 };

export { analysisOff };

/** Why a call is not analysed, or null when it is. */
export function gateReason(
  payload: SessionPayload,
  prospect: readonly ProspectMessage[],
  min: number,
): string | null {
  if (!keepsTranscript(payload))
    return 'transcripts_not_kept: the PII policy did not keep the prospect’s words';
  if (payload.turns.length === 0 || prospect.length === 0) return 'not_connected: the prospect never spoke';
  if (prospect.length < min) return `too_few_prospect_turns: ${prospect.length} < ${min}`;
  return null;
}

/** Checks each cited value's quotes; values with a quote the prospect never said are discarded. */
export function verifyAnswer(
  answer: ModelAnswer,
  prospect: readonly ProspectMessage[],
  config: AnalysisConfig,
): Pick<CallIntelligence, 'custom_fields' | 'success' | 'signals' | 'discarded'> {
  const discarded: DiscardedValue[] = [];
  const cite = (
    field: string,
    a: { value: unknown; quotes: string[] } | null | undefined,
  ): CitedValue | null => {
    if (!a) return null;
    const found = a.quotes.map((q) => ({ q, at: findQuote(prospect, q) }));
    const missing = found.filter((f) => f.at === null);
    if (missing.length > 0 || found.length === 0) {
      for (const m of missing) discarded.push({ field, quote: m.q });
      return null;
    }
    return {
      value: a.value,
      quotes: a.quotes,
      message_indexes: found.map((f) => f.at?.message_index ?? 0),
      spans: found.map((f) => f.at?.span ?? [0, 0]),
    };
  };
  const custom_fields: Record<string, CitedValue | null> = {};
  for (const [name, schema] of Object.entries(config.custom_fields.properties)) {
    const c = cite(`custom_fields.${name}`, answer.custom_fields[name]);
    const scalar = schema.type === 'array' ? schema.items : schema;
    const freeText = scalar.type === 'string' && !scalar.enum;
    custom_fields[name] = c && freeText ? { ...c, free_text: true } : c;
  }
  const objectives: ObjectiveResult[] = config.objectives.map((o) => {
    const a = answer.success.objectives.find((x) => x.id === o.id);
    if (!a) return { id: o.id, description: o.description, met: null, quotes: [] };
    if (!a.met) return { id: o.id, description: o.description, met: false, quotes: [] };
    const c = cite(`success.${o.id}`, { value: true, quotes: a.quotes });
    return { id: o.id, description: o.description, met: c ? true : null, quotes: c?.quotes ?? [] };
  });
  const signals: Partial<Record<SignalName, CitedValue>> = {};
  for (const n of SIGNAL_NAMES) {
    const c = cite(`signals.${n}`, answer.signals?.[n]);
    if (c) signals[n] = c;
  }
  return {
    custom_fields,
    success: objectives.length > 0 ? { achieved: objectives.every((o) => o.met === true), objectives } : null,
    signals,
    discarded,
  };
}

export class CallAnalyser {
  readonly configVersion: string;
  readonly #client: OpenAI;
  readonly #validator: AnswerValidator;
  readonly #log: Logger | undefined;

  constructor(readonly opts: CallAnalyserOptions) {
    this.configVersion = analysisConfigVersion(opts.config, opts.env.model, PROMPT_REVISION);
    this.#client = new OpenAI({
      baseURL: opts.env.baseUrl,
      apiKey: opts.env.apiKey,
      maxRetries: 0, // attempts are counted here, inside one deadline
      timeout: opts.env.timeoutMs,
    });
    this.#validator = answerValidator(opts.config);
    this.#log = opts.log?.child({ component: 'call_analysis' });
  }

  /** Never throws; resolves within `timeoutMs` (plus the cache read). */
  async analyse(
    payload: SessionPayload,
    opts: { signal?: AbortSignal; skipCache?: boolean } = {},
  ): Promise<CallIntelligence> {
    const { env, config } = this.opts;
    const prospect = prospectMessages(payload);
    const base = { config_version: this.configVersion, model: env.model };
    const skip = gateReason(payload, prospect, config.min_prospect_turns);
    if (skip) return { ...blank('skipped', skip), ...base };
    if (this.opts.cache && !opts.skipCache) {
      const hit = await this.opts.cache.get(payload.session_id, this.configVersion).catch(() => null);
      if (hit) return hit;
    }
    const started = Date.now();
    const deadline = AbortSignal.timeout(env.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
    const messages = analysisMessages(payload, prospect, config);
    const usage = { ...NO_USAGE };
    let last: AttemptResult | null = null;
    let attempts = 0;
    while (attempts < env.maxAttempts && !signal.aborted) {
      attempts++;
      const remaining = env.timeoutMs - (Date.now() - started);
      if (remaining <= 0) break;
      const r = await this.#attempt(messages, signal, remaining);
      usage.input_tokens += r.usage.input_tokens;
      usage.output_tokens += r.usage.output_tokens;
      last = r;
      if (r.ok) break;
      this.#log?.warn(
        { sessionId: payload.session_id, attempt: attempts, status: r.status, reason: r.reason },
        'analysis attempt failed',
      );
      if (r.status === 'timeout') break;
    }
    const done = {
      ...base,
      attempts,
      usage: { provider: env.provider, model: env.model, ...usage },
      analysed_at: (this.opts.now?.() ?? new Date()).toISOString(),
    };
    if (last?.ok) {
      return {
        ...blank('ok', null),
        ...done,
        summary: last.answer.summary,
        ...verifyAnswer(last.answer, prospect, config),
      };
    }
    const status = last?.status ?? 'timeout';
    const reason = last && !last.ok ? last.reason : `no attempt finished within ${env.timeoutMs} ms`;
    return { ...blank(status, reason), ...done };
  }

  async #attempt(
    messages: ReturnType<typeof analysisMessages>,
    signal: AbortSignal,
    remainingMs: number,
  ): Promise<AttemptResult> {
    let usage = { ...NO_USAGE };
    try {
      const res = await this.#client.chat.completions.create(
        {
          model: this.opts.env.model,
          messages,
          temperature: 0,
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'call_analysis', schema: this.#validator.schema, strict: false },
          },
        },
        { signal, timeout: remainingMs, maxRetries: 0 },
      );
      usage = {
        input_tokens: res.usage?.prompt_tokens ?? 0,
        output_tokens: res.usage?.completion_tokens ?? 0,
      };
      const choice = res.choices[0];
      const refusal = choice?.message.refusal;
      if (refusal)
        return { ok: false, status: 'refusal', reason: `the model refused: ${refusal.slice(0, 200)}`, usage };
      if (choice?.finish_reason === 'content_filter') {
        return { ok: false, status: 'refusal', reason: 'the answer was withheld by a content filter', usage };
      }
      const content = choice?.message.content ?? '';
      let data: unknown;
      try {
        data = JSON.parse(content);
      } catch (err) {
        const cut = choice?.finish_reason === 'length' ? ' (cut off at the token limit)' : '';
        return { ok: false, status: 'invalid_json', reason: `${(err as Error).message}${cut}`, usage };
      }
      const problem = this.#validator.check(data);
      if (problem) return { ok: false, status: 'schema_violation', reason: problem, usage };
      return { ok: true, answer: data as ModelAnswer, usage };
    } catch (err) {
      if (signal.aborted || err instanceof APIConnectionTimeoutError || err instanceof APIUserAbortError) {
        return {
          ok: false,
          status: 'timeout',
          reason: `no answer within ${this.opts.env.timeoutMs} ms`,
          usage,
        };
      }
      if (err instanceof APIError) {
        return {
          ok: false,
          status: 'http_error',
          reason: `HTTP ${err.status ?? '?'}: ${String(err.message).slice(0, 200)}`,
          usage,
        };
      }
      return {
        ok: false,
        status: 'http_error',
        reason: String((err as Error)?.message ?? err).slice(0, 200),
        usage,
      };
    }
  }
}
