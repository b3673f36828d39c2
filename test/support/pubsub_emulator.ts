/**
 * Google's Pub/Sub emulator for tests and benchmarks, started on a free port and stopped by the
 * caller. `pubsubEmulatorMissing()` says why it cannot run here (no binary, no java), so a suite
 * can skip with that reason instead of failing.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from './free_port.js';

export const PUBSUB_EMULATOR_BIN =
  '/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator';

export interface PubsubEmulator {
  /** `127.0.0.1:<port>`, the value for PUBSUB_EMULATOR_HOST. */
  readonly host: string;
  stop(): Promise<void>;
}

/** Null when the emulator can run; otherwise the reason it cannot. */
export function pubsubEmulatorMissing(): string | null {
  if (!existsSync(PUBSUB_EMULATOR_BIN)) return `Pub/Sub emulator not found at ${PUBSUB_EMULATOR_BIN}`;
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    return 'java is not installed (the Pub/Sub emulator needs it)';
  }
  return null;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startPubsubEmulator(opts: { startTimeoutMs?: number } = {}): Promise<PubsubEmulator> {
  const port = await freePort();
  const child: ChildProcess = spawn(PUBSUB_EMULATOR_BIN, ['--host=127.0.0.1', `--port=${port}`], {
    detached: true, // own process group, so stop() ends the java process the script starts
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let started = false;
  const onData = (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
    if (/Server started/.test(output)) started = true;
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });

  const stop = async () => {
    if (exited || child.pid === undefined) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      if (!exited && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
      }
    }, 5000);
    await gone;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  while (!(started && (await canConnect(port)))) {
    if (exited) throw new Error(`Pub/Sub emulator exited during start-up: ${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Pub/Sub emulator did not start in time: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host: `127.0.0.1:${port}`, stop };
}
