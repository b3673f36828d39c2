/**
 * A local OpenAI-compatible HTTP server for tests and demos: `POST /v1/chat/completions` with
 * `stream: true` answered as Server-Sent Events of `chat.completion.chunk`s (text deltas, tool-call
 * deltas with index/id/name/arguments, a final usage chunk when `stream_options.include_usage`).
 * Replies come from a script: an array consumed in order, or a function of the request.
 * Every request is recorded. The real `@livekit/agents-plugin-openai` LLM works against it
 * (`new openai.LLM({ baseURL: server.baseURL, apiKey: 'test' })`).
 *
 * Also answers `GET /v1/models` (the plugin's prewarm) and non-streaming completions.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One message as the OpenAI chat API receives it (only the fields tests usually read). */
export interface ChatRequestMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content?: string | Array<{ type: string; text?: string }> | null;
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
  name?: string;
}

export interface ChatCompletionRequest {
  model: string;
  messages: ChatRequestMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: Array<{ type: 'function'; function: { name: string; description?: string; parameters?: unknown } }>;
  tool_choice?: unknown;
  parallel_tool_calls?: boolean;
  [key: string]: unknown;
}

export interface ScriptedToolCall {
  name: string;
  /** An object is JSON-encoded; a string is sent as is (so tests can send malformed JSON). */
  arguments: Record<string, unknown> | string;
  id?: string;
}

/** What the fake model answers to one request. */
export interface ScriptedReply {
  content?: string;
  toolCalls?: ScriptedToolCall[];
  usage?: { promptTokens?: number; completionTokens?: number; cachedTokens?: number };
  /** Answer with this HTTP error instead of a completion. */
  error?: { status: number; message: string };
  /** Wait this long before the first chunk (to measure TTFT, or to test timeouts). */
  delayMs?: number;
  /** A structured-outputs refusal (`message.refusal`, non-streaming answers only). */
  refusal?: string;
}

export interface ReplyContext {
  /** 0 for the first chat completion request this server received. */
  index: number;
}

export type ReplyFunction = (
  request: ChatCompletionRequest,
  ctx: ReplyContext,
) => ScriptedReply | Promise<ScriptedReply>;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: ChatCompletionRequest | null;
  at: Date;
}

export interface OpenAICompatibleServerOptions {
  /** The script: replies in order (the last one repeats when exhausted), or a function. */
  reply: ReplyFunction | ScriptedReply[];
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401. */
  apiKey?: string;
  /** Text deltas are cut into pieces of this many characters (default 12). */
  chunkChars?: number;
  /** Model id reported back and listed by `/v1/models` (default `fake-model`). */
  model?: string;
}

export interface OpenAICompatibleServer {
  /** Base URL to give an OpenAI client, ending in `/v1`. */
  readonly baseURL: string;
  readonly port: number;
  /** Every HTTP request received, in order. */
  readonly requests: RecordedRequest[];
  /** Only the chat completion requests' bodies, in order. */
  chatRequests(): ChatCompletionRequest[];
  close(): Promise<void>;
}

/** The text of the last `user` message of a request, or '' (handy inside a reply function). */
export function lastUserText(request: ChatCompletionRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i];
    if (m?.role === 'user') return messageText(m);
  }
  return '';
}

/** True when the request's last message is a tool result (the model is asked to follow up). */
export function lastMessageIsToolResult(request: ChatCompletionRequest): boolean {
  return request.messages[request.messages.length - 1]?.role === 'tool';
}

/** The tool results (role `tool`) that follow the last assistant message. */
export function trailingToolResults(request: ChatCompletionRequest): ChatRequestMessage[] {
  const out: ChatRequestMessage[] = [];
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i];
    if (m?.role !== 'tool') break;
    out.unshift(m);
  }
  return out;
}

export function messageText(m: ChatRequestMessage): string {
  if (typeof m.content === 'string') return m.content;
  if (Array.isArray(m.content)) return m.content.map((p) => p.text ?? '').join('');
  return '';
}

export async function startOpenAICompatibleServer(
  opts: OpenAICompatibleServerOptions,
): Promise<OpenAICompatibleServer> {
  const requests: RecordedRequest[] = [];
  const model = opts.model ?? 'fake-model';
  const chunkChars = Math.max(1, opts.chunkChars ?? 12);
  let chatIndex = 0;

  const pickReply = async (body: ChatCompletionRequest): Promise<ScriptedReply> => {
    const index = chatIndex++;
    if (typeof opts.reply === 'function') return opts.reply(body, { index });
    const list = opts.reply;
    return list[Math.min(index, list.length - 1)] ?? { content: '' };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = await readBody(req);
    let body: ChatCompletionRequest | null = null;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw) as ChatCompletionRequest;
      } catch {
        requests.push({
          method: req.method ?? '',
          path: url.pathname,
          headers: req.headers,
          body: null,
          at: new Date(),
        });
        return sendJson(res, 400, { error: { message: 'invalid JSON body', type: 'invalid_request_error' } });
      }
    }
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      headers: req.headers,
      body,
      at: new Date(),
    });

    if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      return sendJson(res, 401, { error: { message: 'invalid api key', type: 'invalid_request_error' } });
    }
    const path = url.pathname.replace(/\/+$/, '');
    if (req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, {
        object: 'list',
        data: [{ id: model, object: 'model', owned_by: 'signalroom' }],
      });
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return sendJson(res, 404, { error: { message: `no route ${req.method} ${url.pathname}` } });
    }
    if (!body || !Array.isArray(body.messages)) {
      return sendJson(res, 400, {
        error: { message: 'messages is required', type: 'invalid_request_error' },
      });
    }
    const reply = await pickReply(body);
    if (reply.delayMs) await sleep(reply.delayMs);
    if (reply.error) {
      return sendJson(res, reply.error.status, {
        error: { message: reply.error.message, type: 'server_error' },
      });
    }
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const toolCalls = (reply.toolCalls ?? []).map((t, i) => ({
      index: i,
      id: t.id ?? `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`,
      type: 'function' as const,
      function: {
        name: t.name,
        arguments: typeof t.arguments === 'string' ? t.arguments : JSON.stringify(t.arguments),
      },
    }));
    const content = reply.content ?? '';
    const usage = {
      prompt_tokens: reply.usage?.promptTokens ?? estimateTokens(JSON.stringify(body.messages)),
      completion_tokens:
        reply.usage?.completionTokens ??
        estimateTokens(content + toolCalls.map((t) => t.function.arguments).join('')),
      prompt_tokens_details: { cached_tokens: reply.usage?.cachedTokens ?? 0 },
    };
    const finishReason = toolCalls.length > 0 ? 'tool_calls' : 'stop';

    if (!body.stream) {
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model: body.model ?? model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: content || null,
              refusal: reply.refusal ?? null,
              ...(toolCalls.length > 0 ? { tool_calls: toolCalls.map(({ index: _i, ...t }) => t) } : {}),
            },
            finish_reason: finishReason,
          },
        ],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      });
    }

    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const chunk = (
      delta: Record<string, unknown>,
      finish: string | null,
      extra: Record<string, unknown> = {},
    ) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: body.model ?? model,
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...extra,
    });
    const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);

    send(chunk({ role: 'assistant', content: '' }, null));
    for (let i = 0; i < content.length; i += chunkChars) {
      send(chunk({ content: content.slice(i, i + chunkChars) }, null));
    }
    for (const t of toolCalls) {
      // First delta names the call; the arguments follow in two pieces, as OpenAI streams them.
      send(
        chunk(
          {
            tool_calls: [
              {
                index: t.index,
                id: t.id,
                type: 'function',
                function: { name: t.function.name, arguments: '' },
              },
            ],
          },
          null,
        ),
      );
      const args = t.function.arguments;
      const mid = Math.ceil(args.length / 2);
      for (const piece of [args.slice(0, mid), args.slice(mid)]) {
        if (piece) send(chunk({ tool_calls: [{ index: t.index, function: { arguments: piece } }] }, null));
      }
    }
    send(chunk({}, finishReason));
    if (body.stream_options?.include_usage) {
      send({
        id,
        object: 'chat.completion.chunk',
        created,
        model: body.model ?? model,
        choices: [],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      });
    }
    res.write('data: [DONE]\n\n');
    res.end();
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: (err as Error).message ?? String(err) } });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  return {
    baseURL: `http://${host}:${address.port}/v1`,
    port: address.port,
    requests,
    chatRequests: () =>
      requests.filter((r) => r.path.startsWith('/v1/chat/completions') && r.body).map((r) => r.body!),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, data: unknown): void {
  const text = JSON.stringify(data);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
