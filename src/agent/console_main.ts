/**
 * `npm run console`: talk to the real agent in the terminal, with no LiveKit server and no `lk`
 * binary. Validates the console configuration, then runs the text console client (default), the
 * live voice console (`--voice`: microphone and speaker) or the recorded-prospect console
 * (`--audio-in prospect.wav`); each starts `main.ts console` and speaks agents-js's console
 * protocol to it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadQueueConfig, QueueConfigError } from '../queue/index.js';
import { AgentConfigError, loadAgentConfig } from './config.js';
import { missingForVoice, probeAudioDevices } from './console/audio_devices.js';
import { runConsoleClient } from './console/console_client.js';
import { runLiveConsole } from './console/live_console.js';
import { chooseAudioDevice } from './console/sox_audio.js';
import { runVoiceConsole } from './console/voice_console.js';

const parseOptions = () =>
  parseArgs({
    options: {
      'audio-in': { type: 'string' },
      'audio-device': { type: 'string' },
      record: { type: 'string' },
      voice: { type: 'boolean', default: false },
    },
  });

async function main(): Promise<number> {
  let values: ReturnType<typeof parseOptions>['values'];
  try {
    values = parseOptions().values;
  } catch (err) {
    // An unknown or incomplete option: say which, without a stack trace.
    console.error(`console: ${(err as Error).message}`);
    return 2;
  }
  const audio = values.voice || values['audio-in'] !== undefined;
  let dataDir: string;
  try {
    // With audio the agent needs its STT and TTS settings too: say so before opening devices.
    dataDir = loadAgentConfig(
      audio ? { ...process.env, CONSOLE_AUDIO: 'true' } : process.env,
      'console',
    ).dataDir;
    loadQueueConfig(process.env);
  } catch (err) {
    if (err instanceof AgentConfigError || err instanceof QueueConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  // What every mode shares: the agent to start, its log, and where the call and its errors print.
  const io = {
    agentEntry: fileURLToPath(new URL('./main.ts', import.meta.url)),
    env: process.env,
    output: process.stdout,
    errors: process.stderr,
    logFile: join(dataDir, 'console-agent.log'),
  };
  if (values.voice) {
    const device = chooseAudioDevice(values['audio-device'], process.env);
    // A device named by the user (PulseAudio/PipeWire bridges, plugins) need not be in
    // /proc/asound/pcm: sox opens it or says why. Otherwise the machine needs a sound card.
    if (!device.explicit) {
      const missing = missingForVoice(probeAudioDevices());
      if (missing.length > 0) {
        for (const line of missing) console.error(`console --voice: ${line}`);
        console.error(
          'console --voice needs a microphone, a speaker and sox; play a recorded prospect instead with --audio-in prospect.wav',
        );
        return 2;
      }
    }
    const calling = new AbortController();
    process.once('SIGINT', () => calling.abort());
    const r = await runLiveConsole({
      ...io,
      device,
      signal: calling.signal,
      ...(values.record ? { record: values.record } : {}),
    });
    return r.exitCode;
  }
  if (values.record && !values['audio-in']) {
    console.error('--record needs --voice or --audio-in (the text console has no audio to record)');
    return 2;
  }
  if (values['audio-in']) {
    const r = await runVoiceConsole({
      ...io,
      audioIn: values['audio-in'],
      ...(values.record ? { record: values.record } : {}),
    });
    return r.exitCode;
  }
  const result = await runConsoleClient({
    ...io,
    input: process.stdin,
    prompt: process.stdin.isTTY === true,
  });
  return result.exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
