/**
 * A throwaway PostgreSQL 15 cluster for tests and benchmarks: `initdb` into a temp dir owned by
 * the `postgres` user (initdb refuses root), started with `pg_ctl` on a free port, durability off
 * (fsync, synchronous_commit) since the data is thrown away. `stop()` removes everything.
 */
import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  readonly url: string;
  readonly port: number;
  /** A fresh empty database on this cluster; returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function uidGid(): Promise<{ uid: number; gid: number }> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    run('id', ['-u', 'postgres']),
    run('id', ['-g', 'postgres']),
  ]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/** Runs a PostgreSQL binary as the `postgres` user when we are root, directly otherwise. */
function asPostgres(bin: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const isRoot = process.getuid?.() === 0;
  if (isRoot) return run('runuser', ['-u', 'postgres', '--', join(BIN, bin), ...args]);
  return run(join(BIN, bin), args);
}

export async function startPostgres(opts: { maxConnections?: number } = {}): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'sr-pg-'));
  if (process.getuid?.() === 0) {
    const { uid, gid } = await uidGid();
    await chown(dir, uid, gid);
  }
  const data = join(dir, 'data');
  await asPostgres('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '--no-sync',
    '-E',
    'UTF8',
    '--no-locale',
  ]);
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    const serverOpts = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      `-c max_connections=${opts.maxConnections ?? 50}`,
      '-c shared_buffers=128MB',
    ].join(' ');
    try {
      await asPostgres('pg_ctl', [
        '-D',
        data,
        '-l',
        join(dir, 'log'),
        '-o',
        serverOpts,
        '-w',
        '-t',
        '30',
        'start',
      ]);
      break;
    } catch (err) {
      if (attempt >= 2) throw err;
    }
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    url,
    port,
    async createDatabase(name: string) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
