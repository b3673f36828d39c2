/**
 * What "durable when publish() resolves" and "no reader sees part of a file" mean in system
 * calls, checked on the real process with strace: for one commit, the data is written before the
 * file is renamed into `ready/`, the file is fdatasynced, and `ready/` itself is fsynced after the
 * rename, all before the caller is told it is stored. The same for the session publisher's outbox,
 * the outbox drainer (the outbox copy goes only after the queue holds it durably) and the
 * analytics journal (removed only after the payload is durable in the queue).
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { LocalPublisher } from '../../src/queue/index.js';
import { describeWithRealPart } from '../support/real_part.js';
import { findStrace, marker, only, type Syscall, traceNode } from '../support/strace.js';
import { bigPayload } from './helpers.js';

const STRACE = findStrace();
const CHILD = join(import.meta.dirname, 'fixtures', 'durability_child.ts');
const READER = join(import.meta.dirname, 'fixtures', 'ready_reader.ts');
const WRITES = new Set(['write', 'writev', 'pwrite64', 'pwritev', 'pwritev2']);

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'durability-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * Checks one spool commit into `spoolDir` made between `<step>.begin` and `<step>.resolved`;
 * returns the `ready/` fsync that made it durable.
 */
function expectDurableCommit(calls: Syscall[], dir: string, spoolDir: string, stepName: string): Syscall {
  const begin = marker(calls, dir, `${stepName}.begin`);
  const resolved = marker(calls, dir, `${stepName}.resolved`);
  const created = calls.filter(
    (c) =>
      c.name === 'openat' &&
      c.text.includes(`"${spoolDir}/tmp/`) &&
      c.text.includes('O_CREAT') &&
      c.entry > begin.exit &&
      c.entry < resolved.entry,
  );
  expect(created, 'one file created under tmp/ for the commit').toHaveLength(1);
  const fid = created[0]!.text.split(`"${spoolDir}/tmp/`)[1]!.split('"')[0]!;
  // The fd is printed with its path, which is tmp/<fid> before the rename and ready/<fid>.… after.
  const onFile = (c: Syscall) =>
    c.text.startsWith(`${/^\d+/.exec(c.text)?.[0]}<${spoolDir}/`) && c.text.includes(fid);
  const writes = calls.filter((c) => WRITES.has(c.name) && onFile(c));
  const rename = only(
    calls,
    `rename of tmp/${fid} into ready/`,
    (c) =>
      c.name.startsWith('rename') &&
      c.text.includes(`"${spoolDir}/tmp/${fid}"`) &&
      c.text.includes(`"${spoolDir}/ready/${fid}.`),
  );
  const datasyncs = calls.filter((c) => (c.name === 'fdatasync' || c.name === 'fsync') && onFile(c));
  const dirSyncs = calls.filter(
    (c) => c.name === 'fsync' && c.text.startsWith(`${/^\d+/.exec(c.text)?.[0]}<${spoolDir}/ready>`),
  );

  expect(writes.length, 'the data is written').toBeGreaterThan(0);
  // No reader can see part of the file: every byte is written before it appears in ready/.
  for (const w of writes)
    expect(w.exit, `${w.name} finished before the rename into ready/`).toBeLessThan(rename.entry);
  // The file's data is on disk before its name appears in ready/ (so a crash can never leave a
  // file in ready/ whose data was lost), and so before the caller hears it is stored.
  expect(
    datasyncs.some((s) => s.entry > writes.at(-1)!.exit && s.exit < rename.entry),
    'fdatasync of the file after its last write, before the rename into ready/',
  ).toBe(true);
  // The rename itself is on disk: ready/ is fsynced after the rename, before the caller hears it.
  const dirSync = dirSyncs.find((s) => s.entry > rename.exit && s.exit < resolved.entry);
  expect(dirSync, 'fsync of ready/ after the rename, before publish() resolved').toBeDefined();
  return dirSync!;
}

const MODES = ['spool', 'outbox', 'drainer', 'journal'];
let traced: Promise<{ stdout: string; calls: Syscall[] }> | undefined;

/** One traced child runs every mode (one start-up); each test reads its mode's part. */
async function trace(mode: string) {
  traced ??= traceNode(STRACE as string, CHILD, [root, ...MODES], join(root, 'strace.txt'));
  const { stdout, calls } = await traced;
  const results = stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { mode: string; step: string; result: unknown })
    .filter((l) => l.mode === mode);
  const resultOf = (stepName: string) => results.find((l) => l.step === stepName)?.result;
  return { resultOf, calls, dir: join(root, mode) };
}

describeWithRealPart(
  'durability (strace)',
  STRACE ? null : 'strace is not installed (Debian package strace)',
  () => {
    it('local spool: data written, renamed into ready/, file and ready/ synced before publish() resolves', async () => {
      const { resultOf, calls, dir } = await trace('spool');
      expect(resultOf('publish')).toMatchObject({ status: 'ok' });
      expectDurableCommit(calls, dir, join(dir, 'queue'), 'publish');
    });

    it('session publisher: "spooled" only once the outbox file is durable', async () => {
      const { resultOf, calls, dir } = await trace('outbox');
      expect(resultOf('publish')).toMatchObject({ status: 'spooled', error: 'remote refuses' });
      expectDurableCommit(calls, dir, join(dir, 'outbox'), 'publish');
    });

    it('outbox drainer: the outbox copy is deleted only after the queue holds the message durably', async () => {
      const { resultOf, calls, dir } = await trace('drainer');
      expect(resultOf('drain')).toEqual({ sent: 1, deadLettered: 0, remoteDown: false });
      const queued = expectDurableCommit(calls, dir, join(dir, 'queue'), 'drain');
      const ack = only(
        calls,
        'unlink of the drained outbox file',
        (c) => c.name.startsWith('unlink') && c.text.includes(`"${join(dir, 'outbox', 'leased')}/`),
      );
      expect(ack.entry, 'outbox file deleted after the queue fsynced it').toBeGreaterThan(queued.exit);
    });

    it('journal: removed only after the payload is durable in the queue; kept with its end line when publish fails', async () => {
      const { resultOf, calls, dir } = await trace('journal');
      expect(resultOf('sent')).toBe('sess_journal_sent');
      expect(resultOf('kept')).toBe('sess_journal_kept');
      const journals = join(dir, 'journals');
      const queued = expectDurableCommit(calls, dir, join(dir, 'queue'), 'sent');
      const removed = only(
        calls,
        'unlink of the sent call journal',
        (c) =>
          c.name.startsWith('unlink') && c.text.includes(`"${journals}/sess_journal_sent.journal.jsonl"`),
      );
      expect(removed.entry, 'journal deleted after the queue fsynced the payload').toBeGreaterThan(
        queued.exit,
      );
      expect(removed.exit).toBeLessThan(marker(calls, dir, 'sent.resolved').entry);

      const begin = marker(calls, dir, 'kept.begin');
      const resolved = marker(calls, dir, 'kept.resolved');
      const keptFile = `${journals}/sess_journal_kept.journal.jsonl>`;
      const endLine = calls.filter(
        (c) =>
          WRITES.has(c.name) && c.text.includes(keptFile) && c.entry > begin.exit && c.exit < resolved.entry,
      );
      expect(endLine.length, 'the end line is written before finalize() resolves').toBeGreaterThan(0);
      expect(
        calls.filter((c) => c.name.startsWith('unlink') && c.text.includes('sess_journal_kept')),
      ).toEqual([]);
    });
  },
);

describe('durability (readers)', () => {
  it('a reader polling ready/ never sees part of a file while publishers write', async () => {
    const dir = join(root, 'readers');
    const queueDir = join(dir, 'queue');
    const pub = new LocalPublisher({ dir: queueDir, logger: silentLogger, fsync: false });
    await pub.spool.init();
    await mkdir(join(queueDir, 'ready'), { recursive: true });
    const stop = join(dir, 'stop');
    const reader = spawn(process.execPath, ['--import', 'tsx', READER, queueDir, stop], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    reader.stdout.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((r) => reader.once('exit', r));
    try {
      while (!out.includes('READING')) {
        if (reader.exitCode !== null) throw new Error('reader exited early');
        await new Promise((r) => setTimeout(r, 20));
      }
      // Big bodies (each write takes a while) in small concurrent groups: many files, many chances.
      const body = bigPayload('sess_big', 256 * 1024, 'random');
      for (let round = 0; round < 40; round++) {
        const group = Array.from({ length: 3 }, (_, i) => ({ ...body, session_id: `sess_${round}_${i}` }));
        const results = await Promise.all(group.map((p) => pub.publish(p)));
        expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
      }
    } finally {
      await writeFile(stop, '');
      await exited;
    }
    const report = JSON.parse(out.split('\n').filter(Boolean).at(-1)!) as {
      files: number;
      partial: unknown[];
    };
    expect(report.partial).toEqual([]);
    expect(report.files).toBeGreaterThan(0);
  });
});
