/**
 * Wires an `AgentSession` to a broker over agents-js's console protocol with audio, the way
 * `runConsole` does for `main.ts console`, but per session (agents-js's `AgentsConsole` is a
 * process-wide singleton, so concurrent calls in one process wire their own): a
 * `TcpSessionTransport` to the broker, `TcpAudioInput` for the caller's audio and
 * `TcpAudioOutput` for the agent's, and a `SessionHost` relaying events and the playout handshake.
 * Call before `session.start()`.
 */
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
