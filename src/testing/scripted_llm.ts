/**
 * A real `llm.LLM` that replays a script instead of calling a model. Each `chat()` call takes the
 * next step of the script; a step streams text chunks and/or tool calls and then reports token
 * usage, so `metrics_collected` (TTFT, duration, tokens, provider/model) flows exactly as it does
 * for a real provider and `metrics.ModelUsageCollector` sees real numbers.
 *
 * Shipped (not only in tests) so the agent, analytics and demo code test against one fake.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_API_CONNECT_OPTIONS, llm, type llm as llmTypes } from '@livekit/agents';

export interface ScriptedToolCall {
  name: string;
  args: Record<string, unknown>;
  /** Defaults to `scripted_<call>_<index>`, unique per session. */
  callId?: string;
}

export interface ScriptedUsage {
  promptTokens: number;
  completionTokens: number;
  promptCachedTokens?: number;
}

/** One model response. */
export interface ScriptedResponse {
  /** Text to stream; a string is split into ~`chunkChars` chunks, an array is streamed as given. */
  text?: string | string[];
  toolCalls?: ScriptedToolCall[];
  /** Usage the "provider" reports. Default: ~chars/4 of the prompt and of the reply. */
  usage?: ScriptedUsage;
  /** Delay before the first chunk (time to first token). Default 0. */
  ttftMs?: number;
  /** Delay between chunks. Default 0. */
  chunkDelayMs?: number;
  /** Make this call fail with this error instead of answering. */
  error?: Error;
}

/** What the model was asked, passed to function steps and kept in `requests`. */
export interface ScriptedRequest {
  callIndex: number;
  /** Text of the last user message in the chat context, if any. */
  lastUserText: string | undefined;
  /** Names of the tools offered to the model. */
  toolNames: string[];
  /** Number of items in the chat context. */
  itemCount: number;
}

export type ScriptStep = ScriptedResponse | ((req: ScriptedRequest) => ScriptedResponse);

export interface ScriptedLLMOptions {
  provider?: string;
  model?: string;
  /** What to do once the script is used up. Default `'empty'` (an empty reply). */
  whenExhausted?: 'empty' | 'repeat_last' | 'error';
  chunkChars?: number;
}

export interface UsageTotals {
  promptTokens: number;
  promptCachedTokens: number;
  completionTokens: number;
}

export class ScriptedLLM extends llm.LLM {
  readonly requests: ScriptedRequest[] = [];
  /** The sum of the usage every finished call reported, for asserting against analytics. */
  readonly reported: UsageTotals = { promptTokens: 0, promptCachedTokens: 0, completionTokens: 0 };
  readonly #script: ScriptStep[];
  readonly #opts: Required<ScriptedLLMOptions>;
  #next = 0;

  constructor(script: ScriptStep[], opts: ScriptedLLMOptions = {}) {
    super();
    this.#script = [...script];
    this.#opts = {
      provider: opts.provider ?? 'scripted',
      model: opts.model ?? 'scripted-1',
      whenExhausted: opts.whenExhausted ?? 'empty',
      chunkChars: opts.chunkChars ?? 8,
    };
  }

  label(): string {
    return 'scripted-llm';
  }

  override get model(): string {
    return this.#opts.model;
  }

  override get provider(): string {
    return this.#opts.provider;
  }

  /** Number of `chat()` calls so far. */
  get calls(): number {
    return this.requests.length;
  }

  /** Steps not yet consumed. */
  get remaining(): number {
    return Math.max(0, this.#script.length - this.#next);
  }

  /** Appends steps to the script (e.g. between `session.run` calls). */
  push(...steps: ScriptStep[]): void {
    this.#script.push(...steps);
  }

  chat({
    chatCtx,
    toolCtx,
    connOptions = DEFAULT_API_CONNECT_OPTIONS,
  }: Parameters<llm.LLM['chat']>[0]): llm.LLMStream {
    const req = describeRequest(chatCtx, toolCtx, this.requests.length);
    this.requests.push(req);
    const response = this.#take(req);
    return new ScriptedLLMStream(this, response, this.#opts.chunkChars, { chatCtx, toolCtx, connOptions });
  }

  /** @internal called by the stream once the usage chunk is queued. */
  _addReported(u: UsageTotals): void {
    this.reported.promptTokens += u.promptTokens;
    this.reported.promptCachedTokens += u.promptCachedTokens;
    this.reported.completionTokens += u.completionTokens;
  }

  #take(req: ScriptedRequest): ScriptedResponse {
    let step = this.#script[this.#next];
    if (step !== undefined) {
      this.#next += 1;
    } else if (this.#opts.whenExhausted === 'repeat_last') {
      step = this.#script[this.#script.length - 1];
    } else if (this.#opts.whenExhausted === 'error') {
      return { error: new Error('scripted LLM: script exhausted') };
    }
    if (step === undefined) return { text: '' };
    return typeof step === 'function' ? step(req) : step;
  }
}

class ScriptedLLMStream extends llm.LLMStream {
  readonly #response: ScriptedResponse;
  readonly #chunkChars: number;
  readonly #owner: ScriptedLLM;

  constructor(
    owner: ScriptedLLM,
    response: ScriptedResponse,
    chunkChars: number,
    params: ConstructorParameters<typeof llm.LLMStream>[1],
  ) {
    super(owner, params);
    this.#owner = owner;
    this.#response = response;
    this.#chunkChars = chunkChars;
  }

  protected async run(): Promise<void> {
    const r = this.#response;
    if (r.error) throw r.error;
    const signal = this.abortController.signal;
    if (r.ttftMs) await sleep(r.ttftMs, undefined, { signal }).catch(() => undefined);
    const id = `scripted_${this.#owner.calls}`;
    const chunks = typeof r.text === 'string' ? splitText(r.text, this.#chunkChars) : (r.text ?? []);
    let replyChars = 0;
    for (const [i, content] of chunks.entries()) {
      if (signal.aborted) return;
      if (i > 0 && r.chunkDelayMs) await sleep(r.chunkDelayMs, undefined, { signal }).catch(() => undefined);
      replyChars += content.length;
      this.queue.put({ id, delta: { role: 'assistant', content } });
    }
    if (r.toolCalls?.length) {
      const toolCalls = r.toolCalls.map((tc, i) => {
        replyChars += tc.name.length + JSON.stringify(tc.args).length;
        return llm.FunctionCall.create({
          callId: tc.callId ?? `scripted_${this.#owner.calls}_${i}`,
          name: tc.name,
          args: JSON.stringify(tc.args),
        });
      });
      this.queue.put({ id, delta: { role: 'assistant', toolCalls } });
    }
    if (signal.aborted) return;
    const usage = r.usage ?? {
      promptTokens: Math.max(1, Math.ceil(promptChars(this.chatCtx) / 4)),
      completionTokens: Math.ceil(replyChars / 4),
    };
    const totals: UsageTotals = {
      promptTokens: usage.promptTokens,
      promptCachedTokens: usage.promptCachedTokens ?? 0,
      completionTokens: usage.completionTokens,
    };
    this.queue.put({
      id,
      usage: { ...totals, totalTokens: totals.promptTokens + totals.completionTokens },
    });
    this.#owner._addReported(totals);
  }
}

function splitText(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function promptChars(chatCtx: llmTypes.ChatContext): number {
  let n = 0;
  for (const item of chatCtx.items) {
    if (item.type === 'message') n += (item.textContent ?? '').length;
    else if (item.type === 'function_call') n += item.args.length;
    else if (item.type === 'function_call_output') n += item.output.length;
  }
  return n;
}

function describeRequest(
  chatCtx: llmTypes.ChatContext,
  toolCtx: llmTypes.ToolContextLike | undefined,
  callIndex: number,
): ScriptedRequest {
  let lastUserText: string | undefined;
  for (let i = chatCtx.items.length - 1; i >= 0; i--) {
    const item = chatCtx.items[i];
    if (item?.type === 'message' && item.role === 'user') {
      lastUserText = item.textContent ?? '';
      break;
    }
  }
  let toolNames: string[] = [];
  try {
    toolNames = Object.keys(llm.toToolContext(toolCtx)?.functionTools ?? {}).sort();
  } catch {
    toolNames = [];
  }
  return { callIndex, lastUserText, toolNames, itemCount: chatCtx.items.length };
}
