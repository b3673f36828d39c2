/**
 * A local speech server that speaks two vendors' documented protocols, so the agent's production
 * plugins run unchanged against it (point them at its base URLs):
 *
 * - STT, Deepgram streaming (`GET /v1/listen`, WebSocket; `new deepgram.STT({ baseUrl: server.deepgramBaseUrl })`):
 *   binary linear16 audio in; JSON `Results` out (interim with `is_final: false`, then final with
 *   `is_final: true` and `speech_final: true` at the end of speech, `from_finalize` after a
 *   `Finalize`), `SpeechStarted` when `vad_events=true`, `UtteranceEnd` when `utterance_end_ms` is
 *   set, `Metadata` after `CloseStream`, then a 1000 close. `KeepAlive` is accepted. A bad token
 *   fails the handshake with 401, an unsupported encoding or sample rate with 400; 10 s without
 *   audio or KeepAlive closes with 1011 `NET-0001`; text that is not a known message closes with
 *   1008 `DATA-0000`. Transcripts come from a `ScriptedTranscriber`: SCRIPTED text, real timing.
 * - TTS, OpenAI (`POST /v1/audio/speech`; `new openai.TTS({ baseURL: server.openaiBaseUrl })`):
 *   `{ model, input, voice, response_format, speed }` in; real speech synthesised by espeak-ng (a
 *   subprocess) out, as `pcm` (24 kHz 16-bit mono, what the plugin asks for) or `wav`.
 *
 * Every synthesis and every STT connection is recorded for tests (`ttsRequests`, `sttStreams`).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { bytesToPcm, encodeWav, pcmBytes, rms, VOICED_RMS } from '../../audio/pcm.js';
import { AGENT_VOICE, type EspeakVoice, synthesize } from './espeak.js';
import { type ScriptedLine, ScriptedTranscriber, splitWords } from './scripted_transcriber.js';

export const OPENAI_PCM_RATE = 24_000;
const SUPPORTED_RATES = new Set([8000, 16_000, 24_000, 32_000, 44_100, 48_000]);
const IDLE_CLOSE_MS = 10_000;
/** Interim results are sent at most this often per stream. */
const INTERIM_EVERY_MS = 250;

export interface TtsRecord {
  input: string;
  model: string;
  voice: string;
  format: string;
  /** Length of the audio returned, ms. */
  audioMs: number;
  at: number;
}

export interface SttStreamRecord {
  key: string;
  params: Record<string, string[]>;
  /** Audio received, ms (what Deepgram bills). */
  audioMs: number;
  /** Final transcripts sent. */
  finals: string[];
  closeCode?: number;
}

export interface SpeechServerOptions {
  host?: string;
  port?: number;
  transcriber?: ScriptedTranscriber;
  /** espeak-ng voice for every TTS request (default `AGENT_VOICE`); OpenAI voice names map onto it. */
  voice?: EspeakVoice;
  espeakCommand?: string;
  /** OpenAI bearer tokens accepted; undefined accepts any non-empty one. */
  openaiKeys?: ReadonlySet<string>;
}

export interface SpeechServer {
  /** `ws://host:port`: the Deepgram plugin's `baseUrl`. */
  deepgramBaseUrl: string;
  /** `http://host:port/v1`: the OpenAI plugin's `baseURL`. */
  openaiBaseUrl: string;
  transcriber: ScriptedTranscriber;
  ttsRequests(): readonly TtsRecord[];
  sttStreams(): readonly SttStreamRecord[];
  close(): Promise<void>;
}

export async function startSpeechServer(opts: SpeechServerOptions = {}): Promise<SpeechServer> {
  const host = opts.host ?? '127.0.0.1';
  const transcriber = opts.transcriber ?? new ScriptedTranscriber();
  const tts: TtsRecord[] = [];
  const streams: SttStreamRecord[] = [];
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true });

  const server: Server = createServer((req, res) => {
    void handleHttp(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { error: { message: (err as Error).message, type: 'server_error' } });
      else res.destroy();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '');
    if (path !== '/v1/audio/speech') {
      return sendJson(res, 404, {
        error: { message: `no route ${req.method} ${url.pathname}`, type: 'invalid_request_error' },
      });
    }
    if (req.method !== 'POST')
      return sendJson(res, 405, { error: { message: 'use POST', type: 'invalid_request_error' } });
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!token || (opts.openaiKeys && !opts.openaiKeys.has(token))) {
      return sendJson(res, 401, {
        error: {
          message: 'Incorrect API key provided.',
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await readBody(req)) as Record<string, unknown>;
    } catch {
      return sendJson(res, 400, {
        error: { message: 'request body is not valid JSON', type: 'invalid_request_error' },
      });
    }
    const input = body.input;
    const model = body.model;
    const voice = body.voice;
    const format = body.response_format ?? 'mp3';
    const speed = body.speed ?? 1;
    const bad = (param: string, message: string) =>
      sendJson(res, 400, { error: { message, type: 'invalid_request_error', param } });
    if (typeof model !== 'string' || !model) return bad('model', "'model' is required");
    if (typeof input !== 'string' || !input) return bad('input', "'input' is required");
    if (input.length > 4096) return bad('input', "'input' is longer than 4096 characters");
    if (typeof voice !== 'string' || !voice) return bad('voice', "'voice' is required");
    if (format !== 'pcm' && format !== 'wav') {
      return bad(
        'response_format',
        `response_format '${String(format)}' is not supported here: use pcm or wav`,
      );
    }
    if (typeof speed !== 'number' || speed < 0.25 || speed > 4) return bad('speed', "'speed' must be 0.25…4");
    const base = opts.voice ?? AGENT_VOICE;
    const pcm = await synthesize(
      input,
      { ...base, wpm: Math.round((base.wpm ?? 175) * speed) },
      { sampleRate: OPENAI_PCM_RATE, ...(opts.espeakCommand ? { command: opts.espeakCommand } : {}) },
    );
    const audioMs = (pcm.samples.length / OPENAI_PCM_RATE) * 1000;
    tts.push({ input, model, voice, format, audioMs, at: Date.now() });
    const bytes = format === 'wav' ? encodeWav(pcm.samples, OPENAI_PCM_RATE) : pcmBytes(pcm.samples);
    res.writeHead(200, {
      'content-type': format === 'wav' ? 'audio/wav' : 'audio/pcm',
      'content-length': bytes.length,
      'x-request-id': randomUUID(),
    });
    res.end(bytes);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: number, text: string, dgError: string) => {
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\ndg-error: ${dgError}\r\nconnection: close\r\n\r\n` +
          JSON.stringify({ err_code: text.toUpperCase().replace(/ /g, '_'), err_msg: dgError }),
      );
    };
    if (url.pathname.replace(/\/+$/, '') !== '/v1/listen')
      return refuse(404, 'Not Found', `no route ${url.pathname}`);
    const auth = String(req.headers.authorization ?? '');
    const key = auth.startsWith('Token ') ? auth.slice(6) : auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!key || !transcriber.knows(key)) {
      return refuse(401, 'Unauthorized', 'Invalid credentials.');
    }
    const encoding = url.searchParams.get('encoding') ?? 'linear16';
    const rate = Number(url.searchParams.get('sample_rate') ?? '16000');
    const channels = Number(url.searchParams.get('channels') ?? '1');
    if (encoding !== 'linear16')
      return refuse(400, 'Bad Request', `encoding ${encoding} is not supported here: use linear16`);
    if (!SUPPORTED_RATES.has(rate)) return refuse(400, 'Bad Request', `sample_rate ${rate} is not supported`);
    if (channels !== 1) return refuse(400, 'Bad Request', 'only channels=1 is supported here');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.once('close', () => sockets.delete(ws));
      const params: Record<string, string[]> = {};
      for (const [k, v] of url.searchParams) params[k] = [...(params[k] ?? []), v];
      const record: SttStreamRecord = { key, params, audioMs: 0, finals: [] };
      streams.push(record);
      new ListenStream(ws, transcriber, key, rate, params, record).start();
    });
  });

  // Keep idle keep-alive connections longer than clients do (as vendors' servers do): a server
  // closing one just as the client reuses it fails that request with "fetch failed".
  server.keepAliveTimeout = 75_000;
  server.headersTimeout = 80_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    deepgramBaseUrl: `ws://${host}:${port}`,
    openaiBaseUrl: `http://${host}:${port}/v1`,
    transcriber,
    ttsRequests: () => tts,
    sttStreams: () => streams,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One `/v1/listen` connection: segments the audio by energy and answers with scripted words. */
class ListenStream {
  readonly #requestId = randomUUID();
  /** Audio received so far, seconds: the stream's clock, as Deepgram's `start`/`duration`. */
  #t = 0;
  #lastData = Date.now();
  #idle: NodeJS.Timeout | undefined;
  #seg:
    | { line: ScriptedLine | undefined; start: number; lastVoiced: number; lastInterimAt: number }
    | undefined;
  #lastFinalWordEnd: number | undefined;
  #utteranceEndSent = true;
  readonly #endpointingMs: number | false;
  readonly #utteranceEndMs: number | undefined;
  readonly #interim: boolean;
  readonly #vadEvents: boolean;
  readonly #model: string;

  constructor(
    private readonly ws: WebSocket,
    private readonly transcriber: ScriptedTranscriber,
    private readonly key: string,
    private readonly rate: number,
    params: Record<string, string[]>,
    private readonly record: SttStreamRecord,
  ) {
    const one = (k: string) => params[k]?.[0];
    const ep = one('endpointing');
    this.#endpointingMs = ep === 'false' ? false : Number(ep ?? '10') || 10;
    const ue = one('utterance_end_ms');
    this.#utteranceEndMs = ue ? Number(ue) : undefined;
    this.#interim = one('interim_results') === 'true';
    this.#vadEvents = one('vad_events') === 'true';
    this.#model = one('model') ?? 'nova-3';
  }

  start(): void {
    this.#idle = setInterval(() => {
      if (Date.now() - this.#lastData > IDLE_CLOSE_MS) {
        this.#close(1011, 'NET-0001');
      }
    }, 1000);
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.#lastData = Date.now();
      if (isBinary) return this.#audio(data);
      let msg: { type?: string };
      try {
        msg = JSON.parse(data.toString()) as { type?: string };
      } catch {
        return this.#close(1008, 'DATA-0000');
      }
      switch (msg.type) {
        case 'KeepAlive':
          return;
        case 'Finalize':
          this.#finish(true);
          return;
        case 'CloseStream':
          this.#finish(false);
          this.#send({
            type: 'Metadata',
            transaction_key: 'deprecated',
            request_id: this.#requestId,
            sha256: '',
            created: new Date().toISOString(),
            duration: round3(this.#t),
            channels: 1,
            model_info: { name: `${this.#model} (scripted)`, version: 'scripted', arch: 'scripted' },
          });
          this.#close(1000, '');
          return;
        default:
          this.#close(1008, 'DATA-0000');
      }
    });
    this.ws.once('close', (code) => {
      this.record.closeCode ??= code;
      clearInterval(this.#idle);
    });
  }

  #audio(data: Buffer): void {
    const samples = bytesToPcm(data);
    const seconds = samples.length / this.rate;
    this.record.audioMs += seconds * 1000;
    // 20 ms windows: speech is any window above the voiced threshold.
    const win = Math.max(1, Math.round(this.rate / 50));
    for (let i = 0; i < samples.length; i += win) {
      const end = Math.min(samples.length, i + win);
      const at = this.#t + end / this.rate;
      const voiced = rms(samples, i, end) >= VOICED_RMS;
      if (voiced) this.#voiced(at - (end - i) / this.rate, at);
      else this.#silence(at);
    }
    this.#t += seconds;
    if (this.#seg && this.#interim && this.#t - this.#seg.lastInterimAt >= INTERIM_EVERY_MS / 1000) {
      this.#seg.lastInterimAt = this.#t;
      this.#results(false, false, false);
    }
  }

  #voiced(from: number, at: number): void {
    if (!this.#seg) {
      this.#seg = {
        line: this.transcriber.take(this.key),
        start: from,
        lastVoiced: at,
        lastInterimAt: this.#t,
      };
      this.#utteranceEndSent = false;
      if (this.#vadEvents) this.#send({ type: 'SpeechStarted', channel: [0], timestamp: round3(from) });
    }
    this.#seg.lastVoiced = at;
  }

  #silence(at: number): void {
    const seg = this.#seg;
    if (seg) {
      // A line's own pauses are not its end: wait until its scripted speech has been heard.
      const heardMs = (seg.lastVoiced - seg.start) * 1000;
      const expectedMs = seg.line?.speechMs ?? 0;
      const gapMs = (at - seg.lastVoiced) * 1000;
      const endpoint = this.#endpointingMs === false ? 1500 : Math.max(this.#endpointingMs, 10);
      if (gapMs >= endpoint && (heardMs >= expectedMs * 0.85 || gapMs >= 1200)) this.#finish(false, true);
      return;
    }
    if (
      this.#utteranceEndMs !== undefined &&
      !this.#utteranceEndSent &&
      this.#lastFinalWordEnd !== undefined &&
      (at - this.#lastFinalWordEnd) * 1000 >= this.#utteranceEndMs
    ) {
      this.#utteranceEndSent = true;
      this.#send({ type: 'UtteranceEnd', channel: [0, 1], last_word_end: round3(this.#lastFinalWordEnd) });
    }
  }

  /** Sends the final result of the open segment (if any). */
  #finish(fromFinalize: boolean, speechFinal = !fromFinalize): void {
    if (!this.#seg) return;
    this.#results(true, speechFinal, fromFinalize);
    this.#lastFinalWordEnd = this.#seg.lastVoiced;
    this.#seg = undefined;
  }

  #results(isFinal: boolean, speechFinal: boolean, fromFinalize: boolean): void {
    const seg = this.#seg;
    if (!seg) return;
    const end = isFinal ? seg.lastVoiced : Math.min(this.#t, seg.lastVoiced);
    const all = splitWords(seg.line?.text ?? '');
    const span = Math.max(0.001, (seg.line?.speechMs ?? (end - seg.start) * 1000) / 1000);
    const shown = isFinal
      ? all.length
      : Math.min(all.length, Math.floor((all.length * (end - seg.start)) / span));
    const step = span / Math.max(1, all.length);
    const words = all.slice(0, shown).map((w, i) => ({
      word: w.toLowerCase().replace(/[^\p{L}\p{N}'-]/gu, ''),
      punctuated_word: w,
      start: round3(seg.start + i * step),
      end: round3(seg.start + (i + 1) * step),
      confidence: 0.99,
    }));
    const transcript = words.map((w) => w.punctuated_word).join(' ');
    if (isFinal) this.record.finals.push(transcript);
    this.#send({
      type: 'Results',
      channel_index: [0, 1],
      duration: round3(end - seg.start),
      start: round3(seg.start),
      is_final: isFinal,
      speech_final: speechFinal,
      ...(fromFinalize ? { from_finalize: true } : {}),
      channel: { alternatives: [{ transcript, confidence: words.length ? 0.99 : 0, words }] },
      metadata: {
        request_id: this.#requestId,
        model_info: { name: `${this.#model} (scripted)`, version: 'scripted', arch: 'scripted' },
        model_uuid: 'scripted',
      },
    });
  }

  #send(msg: unknown): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }

  #close(code: number, reason: string): void {
    this.record.closeCode ??= code;
    clearInterval(this.#idle);
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(code, reason);
  }
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1 << 20) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
