/**
 * Runs a Node script under `strace -f -y` and reads back the file system calls it made, in the
 * order the kernel saw them: the durability tests assert *when* data, renames and syncs happened
 * relative to a promise resolving (the child opens a marker file right after it resolves).
 *
 * A call whose entry and exit are interleaved with another thread's calls appears twice in
 * strace's output (`<unfinished ...>` then `<... name resumed>`): `entry` is the line where it
 * started and `exit` the line where it returned, so "A finished before B started" is
 * `a.exit < b.entry`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The calls the durability tests look at (`-y` prints each fd's path next to it). */
const TRACED = [
  'openat',
  'write',
  'writev',
  'pwrite64',
  'pwritev',
  'pwritev2',
  'fdatasync',
  'fsync',
  'rename',
  'renameat',
  'renameat2',
  'unlink',
  'unlinkat',
];

export interface Syscall {
  pid: number;
  name: string;
  /** The call's arguments and result as strace printed them (entry and resumed parts joined). */
  text: string;
  /** Line index where the call started. */
  entry: number;
  /** Line index where it returned. */
  exit: number;
}

/** Where strace is, or undefined. */
export function findStrace(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v strace'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Parses `strace -f -y` output (each line starting with the pid). */
export function parseStrace(output: string): Syscall[] {
  const calls: Syscall[] = [];
  const open = new Map<string, Syscall>(); // `${pid} ${name}` → unfinished call
  output.split('\n').forEach((line, i) => {
    const m = /^(\d+)\s+(.*)$/.exec(line);
    if (!m) return;
    const pid = Number(m[1]);
    const rest = m[2] as string;
    const resumed = /^<\.\.\. (\w+) resumed>(.*)$/.exec(rest);
    if (resumed) {
      const key = `${pid} ${resumed[1]}`;
      const call = open.get(key);
      if (call) {
        call.text += resumed[2];
        call.exit = i;
        open.delete(key);
      }
      return;
    }
    const call = /^(\w+)\((.*)$/.exec(rest);
    if (!call) return; // signals, exits
    const sc: Syscall = { pid, name: call[1] as string, text: call[2] as string, entry: i, exit: i };
    if (rest.endsWith('<unfinished ...>')) {
      sc.exit = Number.POSITIVE_INFINITY; // until resumed
      open.set(`${pid} ${sc.name}`, sc);
    }
    calls.push(sc);
  });
  return calls;
}

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Runs `script` (TypeScript, through tsx's loader, so the traced pid is the script itself) with
 * `args` under strace; returns its stdout and the parsed calls.
 */
export async function traceNode(
  strace: string,
  script: string,
  args: string[],
  traceFile: string,
): Promise<{ stdout: string; calls: Syscall[] }> {
  const loader = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const { stdout } = await execFileAsync(
    strace,
    [
      '-f',
      '-qq',
      '-y',
      '-s',
      '0',
      '-o',
      traceFile,
      '-e',
      `trace=${TRACED.join(',')}`,
      process.execPath,
      '--import',
      loader,
      script,
      ...args,
    ],
    { cwd: ROOT, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return { stdout, calls: parseStrace(await readFile(traceFile, 'utf8')) };
}

/** The single call matching `pred`, or a clear failure listing what was seen. */
export function only(calls: Syscall[], what: string, pred: (c: Syscall) => boolean): Syscall {
  const found = calls.filter(pred);
  if (found.length !== 1)
    throw new Error(
      `expected exactly one ${what}, found ${found.length}: ${found.map((c) => `${c.name}(${c.text}`).join(' | ')}`,
    );
  return found[0] as Syscall;
}

/** The marker file the child opens right after a promise resolved. */
export function marker(calls: Syscall[], dir: string, name: string): Syscall {
  return only(
    calls,
    `open of marker ${name}`,
    (c) => c.name === 'openat' && c.text.includes(`"${join(dir, name)}"`),
  );
}
