/**
 * What the voice demo needs on the machine: espeak-ng (GPL-3.0, run as a separate program, never
 * bundled). On Debian/Ubuntu as root the demo installs it with apt-get, as the test command's
 * provisioning does; elsewhere it names the package and the command, and the demo falls back to
 * the text path.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { espeakAvailable } from '../../../src/testing/speech/espeak.js';

export type Provisioned = { ok: true; installed: boolean } | { ok: false; message: string };

export function provisionEspeak(say: (line: string) => void): Provisioned {
  if (espeakAvailable()) return { ok: true, installed: false };
  const debian =
    existsSync('/etc/debian_version') &&
    spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (debian && root) {
    say('espeak-ng is missing: installing it (apt-get install -y espeak-ng) …');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'espeak-ng'], {
      stdio: 'inherit',
      env,
    });
    if (r.status !== 0) {
      spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
      r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'espeak-ng'], {
        stdio: 'inherit',
        env,
      });
    }
    if (r.status === 0 && espeakAvailable()) return { ok: true, installed: true };
    return { ok: false, message: 'apt-get could not install espeak-ng (see its output above)' };
  }
  const how = debian
    ? 'sudo apt-get install espeak-ng'
    : process.platform === 'darwin'
      ? 'brew install espeak-ng'
      : 'install the espeak-ng package with your package manager';
  return { ok: false, message: `espeak-ng is not installed; the voice demo needs it: ${how}` };
}
