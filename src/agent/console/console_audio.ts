/**
 * Wires an `AgentSession` to a broker over agents-js's console protocol with audio, the way
 * `runConsole` does for `main.ts console`, but per session (agents-js's `AgentsConsole` is a
 * process-wide singleton, so concurrent calls in one process wire their own): a
 * `TcpSessionTransport` to the broker, `TcpAudioInput` for the caller's audio and
 * `TcpAudioOutput` for the agent's, and a `SessionHost` relaying events and the playout handshake.
 * Call before `session.start()`.
 */
import type { Socket } from 'node:net';
import { voice } from '@livekit/agents';
import { CutTranscriptAudioOutput, SegmentText, type SessionTextOutput } from './cut_transcript.js';

export interface ConsoleAudioLink {
  close(): Promise<void>;
}

export async function linkConsoleAudio(
  session: voice.AgentSession,
  broker: { host: string; port: number },
): Promise<ConsoleAudioLink> {
  const transport = new voice.TcpSessionTransport(broker.host, broker.port);
  const input = new voice.TcpAudioInput();
  const output = new voice.TcpAudioOutput(transport);
  const host = new voice.SessionHost(transport, input, output);
  host.registerSession(session);
  await host.start();
  session.input.audio = input;
  // Interrupted replies keep only what was played (see cut_transcript.ts).
  const text = new SegmentText();
  session.output.audio = new CutTranscriptAudioOutput(output, text);
  session.output.transcription = text as unknown as SessionTextOutput;
  return {
    close: async () => {
      await host.close().catch(() => undefined);
      await input.close().catch(() => undefined);
    },
  };
}

/**
 * The same cut for `main.ts console` with audio, where agents-js wires the console's TCP audio
 * itself (`AgentsConsole.acquireIo` during `session.start()`): the transcript cutter goes in
 * front of its audio output before the start, and the segment text becomes the session's
 * transcription output right after it.
 */
export function cutConsoleTranscripts(): { afterStart(session: voice.AgentSession): void } {
  const io = voice.AgentsConsole.getInstance();
  const text = new SegmentText();
  if (io.audioOutput) {
    // Same capabilities as the output it wraps, so the session behaves as with agents-js's own.
    io.audioOutput = new CutTranscriptAudioOutput(io.audioOutput, text, {
      pause: io.audioOutput.canPause,
    }) as unknown as voice.TcpAudioOutput;
  }
  return {
    afterStart: (session) => {
      if (io.audioOutput) session.output.transcription = text as unknown as SessionTextOutput;
    },
  };
}

/**
 * Calls `onGone` once when the console's connection closes (the console quit, crashed or was
 * killed). agents-js 1.9's `SessionHost` just stops reading then, leaving the call open with
 * nobody on it; the agent ends it instead. Call after `session.start()` (which connects).
 */
export function whenConsoleLeaves(onGone: () => void): void {
  const transport = voice.AgentsConsole.getInstance().transport as { socket?: Socket | null } | undefined;
  const socket = transport?.socket;
  if (!socket || socket.destroyed) {
    onGone();
    return;
  }
  socket.once('close', onGone);
}
