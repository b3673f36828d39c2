/**
 * The broker side of agents-js's console protocol, which the `lk` CLI normally serves: we
 * listen on TCP, the agent (`main.ts console --connect-addr host:port`) connects, and both
 * sides exchange `livekit.agent.AgentSessionMessage` protobufs, each framed by a 4-byte
 * big-endian length. Requests (`runInput`, …) and events ride on it, handled by agents-js's
 * own `voice.RemoteSession`; this transport answers the audio playout handshake itself from
 * a `BrokerAudio` speaker (text mode plays nothing, so every flush is reported finished at once;
 * the live voice console plays on the machine's speaker and answers when that audio has played).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { voice } from '@livekit/agents';
import { AgentSession as pb } from '@livekit/protocol';

const HEADER_BYTES = 4;
const MAX_MESSAGE_BYTES = 1 << 20;

export function encodeFrame(msg: pb.AgentSessionMessage): Buffer {
  const data = msg.toBinary();
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32BE(data.length, 0);
  return Buffer.concat([header, data]);
}

/** Splits a byte stream into messages; keeps a partial frame for the next chunk. */
export class FrameDecoder {
  #buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): pb.AgentSessionMessage[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const out: pb.AgentSessionMessage[] = [];
    while (this.#buffer.length >= HEADER_BYTES) {
      const length = this.#buffer.readUInt32BE(0);
      if (length > MAX_MESSAGE_BYTES) throw new Error(`console message too large (${length} bytes)`);
      if (this.#buffer.length < HEADER_BYTES + length) break;
      out.push(pb.AgentSessionMessage.fromBinary(this.#buffer.subarray(HEADER_BYTES, HEADER_BYTES + length)));
      this.#buffer = this.#buffer.subarray(HEADER_BYTES + length);
    }
    return out;
  }
}

/** One 16-bit mono frame of the caller's audio for the agent (`audioInput`). */
export function audioInputMessage(samples: Int16Array, sampleRate: number): pb.AgentSessionMessage {
  return new pb.AgentSessionMessage({
    message: {
      case: 'audioInput',
      value: new pb.AgentSessionMessage_ConsoleIO_AudioFrame({
        data: new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength),
        sampleRate,
        numChannels: 1,
        samplesPerChannel: samples.length,
      }),
    },
  });
}

/** The answer to `audioPlaybackFlush`: everything the agent sent before it has played. */
export function playbackFinishedMessage(): pb.AgentSessionMessage {
  return new pb.AgentSessionMessage({
    message: {
      case: 'audioPlaybackFinished',
      value: new pb.AgentSessionMessage_ConsoleIO_AudioPlaybackFinished(),
    },
  });
}

/** Where the broker plays the agent's audio (`audioOutput` frames, 48 kHz mono on the wire). */
export interface BrokerAudio {
  play(frame: pb.AgentSessionMessage_ConsoleIO_AudioFrame): void;
  /** Resolves once everything handed to `play` so far has played. */
  drained(): Promise<void>;
  /** The agent was interrupted: drop what has not played yet. */
  clear(): void;
}

/** Text mode: nothing plays, so every flush is finished at once. */
const SILENT: BrokerAudio = { play: () => {}, drained: async () => {}, clear: () => {} };

export class BrokerSocketTransport extends voice.SessionTransport {
  readonly #socket: Socket;
  readonly #audio: BrokerAudio;
  #closed = false;
  /** Bumped by every clear: a flush answered after a clear would end the next reply's playout. */
  #flushGeneration = 0;
  /** Audio frames the agent sent (text mode ignores them, but counts them). */
  audioFramesReceived = 0;

  constructor(socket: Socket, audio: BrokerAudio = SILENT) {
    super();
    this.#socket = socket;
    this.#audio = audio;
    socket.setNoDelay(true);
  }

  /** Sends a frame of the caller's audio (the live console's microphone). */
  sendAudioInput(samples: Int16Array, sampleRate: number): void {
    if (this.#closed || this.#socket.destroyed) return;
    this.#socket.write(encodeFrame(audioInputMessage(samples, sampleRate)));
  }

  override async sendMessage(msg: pb.AgentSessionMessage): Promise<void> {
    if (this.#closed || this.#socket.destroyed) return;
    this.#socket.write(encodeFrame(msg));
  }

  override async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.end();
    this.#socket.destroy();
  }

  override async *[Symbol.asyncIterator](): AsyncIterator<pb.AgentSessionMessage> {
    const decoder = new FrameDecoder();
    try {
      for await (const chunk of this.#socket) {
        for (const msg of decoder.push(chunk as Buffer)) {
          switch (msg.message.case) {
            case 'audioOutput':
              this.audioFramesReceived++;
              this.#audio.play(msg.message.value);
              break;
            case 'audioPlaybackFlush': {
              const generation = this.#flushGeneration;
              void this.#audio.drained().then(() => {
                if (generation === this.#flushGeneration) void this.sendMessage(playbackFinishedMessage());
              });
              break;
            }
            case 'audioPlaybackClear':
              this.#flushGeneration++;
              this.#audio.clear();
              break;
            default:
              yield msg;
          }
        }
      }
    } catch (err) {
      if (!this.#closed) throw err;
    }
  }
}

/** Listens on `host` (default 127.0.0.1) and a free port; `accepted` resolves with the agent's socket. */
export async function listenForAgent(host = '127.0.0.1'): Promise<{
  port: number;
  accepted: Promise<Socket>;
  close: () => void;
}> {
  let onSocket: (s: Socket) => void = () => {};
  const accepted = new Promise<Socket>((resolve) => {
    onSocket = resolve;
  });
  const server: Server = createServer((socket) => {
    onSocket(socket);
    server.close(); // one agent per console run
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, accepted, close: () => server.close() };
}
