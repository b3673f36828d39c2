/**
 * `npm run console`: talk to the real agent in the terminal, with no LiveKit server and no `lk`
 * binary. Validates the console configuration, then runs the text console client, which starts
 * `main.ts console` and speaks agents-js's console protocol to it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadQueueConfig, QueueConfigError } from '../queue/index.js';
import { AgentConfigError, loadAgentConfig } from './config.js';
import { missingForVoice, probeAudioDevices } from './console/audio_devices.js';
import { runConsoleClient } from './console/console_client.js';
import { runVoiceConsole } from './console/voice_console.js';

async function main(): Promise<number> {
  let dataDir: string;
  try {
    dataDir = loadAgentConfig(process.env, 'console').dataDir;
    loadQueueConfig(process.env);
  } catch (err) {
    if (err instanceof AgentConfigError || err instanceof QueueConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const { values } = parseArgs({
    options: {
      'audio-in': { type: 'string' },
      record: { type: 'string' },
      voice: { type: 'boolean', default: false },
    },
  });
  if (values.voice) {
    const missing = missingForVoice(probeAudioDevices());
    for (const line of missing) console.error(`console --voice: ${line}`);
    console.error(
      missing.length > 0
        ? 'console --voice needs a microphone, a speaker and sox; play a recorded prospect instead with --audio-in prospect.wav'
        : 'console --voice: live microphone and speaker are not implemented yet; record the prospect (e.g. `rec prospect.wav`) and play it with --audio-in prospect.wav',
    );
    return 2;
  }
  if (values.record && !values['audio-in']) {
    console.error('--record needs --audio-in (the text console has no audio to record)');
    return 2;
  }
  if (values['audio-in']) {
    const r = await runVoiceConsole({
      agentEntry: fileURLToPath(new URL('./main.ts', import.meta.url)),
      env: process.env,
      output: process.stdout,
      logFile: join(dataDir, 'console-agent.log'),
      audioIn: values['audio-in'],
      ...(values.record ? { record: values.record } : {}),
    });
    return r.exitCode;
  }
  const result = await runConsoleClient({
    agentEntry: fileURLToPath(new URL('./main.ts', import.meta.url)),
    env: process.env,
    input: process.stdin,
    output: process.stdout,
    logFile: join(dataDir, 'console-agent.log'),
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
