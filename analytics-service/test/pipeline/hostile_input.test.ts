/**
 * Hostile and newer-than-us input through the whole worker (local spool → validate → DuckDB →
 * API): nothing is merged, lost or altered; what cannot be taken is dead-lettered with its reason.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Spool } from '../../../src/queue/index.js';
import type { SessionPayload } from '../../../src/schema/index.js';
import { samplePayload } from '../../../src/schema/testing/index.js';
import { getSession } from '../../src/api/session_queries.js';
import { loadWorkerConfig } from '../../src/config.js';
import { MemoryParkedStore } from '../../src/delivery/index.js';
import { startWorker, type WorkerHandle } from '../../src/pipeline/index.js';
import { DuckDbWarehouse } from '../../src/warehouse/index.js';

let dir: string;
let warehouse: DuckDbWarehouse;
let worker: WorkerHandle | undefined;
let caseNo = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-hostile-'));
  // Contact fields as sent, so "unchanged" can be compared whole (hashing them is a policy).
  warehouse = await DuckDbWarehouse.open(join(dir, 'wh.duckdb'), { piiMode: 'full' });
  await warehouse.migrate();
});
afterEach(async () => {
  await worker?.stop({ deadlineMs: 2000 });
  worker = undefined;
});
afterAll(async () => {
  await warehouse.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(): Promise<Spool> {
  caseNo += 1;
  const spoolDir = join(dir, `spool${caseNo}`);
  const config = loadWorkerConfig({
    PII_HASH_KEY: 'hostile-input-test-pii-hash-key-0123456789',
    QUEUE_SPOOL_DIR: spoolDir,
    QUEUE_SPOOL_FSYNC: 'false',
    QUEUE_MAX_ATTEMPTS: '3',
    PARKED_DIR: join(dir, `parked${caseNo}`),
    WORKER_BATCH_MAX_WAIT_MS: '10',
    LOG_LEVEL: 'silent',
  });
  worker = await startWorker(config, { warehouse, destinations: [], parked: new MemoryParkedStore() });
  return new Spool(spoolDir, { fsync: false });
}

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Dead {
  id: string;
  body: Buffer;
  record: { reason: string; attempts: number; last_error: string };
}

async function deadLetters(spool: Spool, n: number): Promise<Dead[]> {
  const names = await until(`${n} dead letters`, async () => {
    const all = (await readdir(join(spool.dir, 'dead'))).filter((f) => f.endsWith('.reason.json'));
    return all.length === n ? all : undefined;
  });
  return Promise.all(
    names.map(async (name) => {
      const id = name.slice(0, -'.reason.json'.length);
      return {
        id,
        body: await readFile(join(spool.dir, 'dead', `${id}.json`)),
        record: JSON.parse(await readFile(join(spool.dir, 'dead', name), 'utf8')),
      };
    }),
  );
}

const sessionCount = async (like: string) =>
  Number(
    (await warehouse.query('SELECT count(*) AS n FROM sessions WHERE session_id LIKE $1', [like]))[0]?.n,
  );

describe('hostile input through the worker', () => {
  it('never merges collide-\\xFF-x and collide-\\xFE-x: both dead-lettered as invalid_utf8, bytes kept', async () => {
    const spool = await start();
    const bodies = (
      [
        [0xff, 'meeting_booked'],
        [0xfe, 'not_interested'],
      ] as const
    ).map(([bad, outcome]) => {
      const [head, tail] = JSON.stringify(samplePayload({ session_id: 'collide-@-x', outcome })).split(
        '@',
      ) as [string, string];
      return Buffer.concat([Buffer.from(head), Buffer.from([bad]), Buffer.from(tail)]);
    });
    for (const b of bodies) await spool.write({}, b);
    await spool.write({}, Buffer.from(JSON.stringify(samplePayload({ session_id: 'collide-ok' }))));
    await until('the valid one', async () => (await sessionCount('collide-ok')) === 1);
    const dead = await deadLetters(spool, 2);
    expect(dead.map((d) => d.record.reason)).toEqual(['invalid_utf8', 'invalid_utf8']);
    expect(dead.every((d) => d.record.attempts === 1)).toBe(true);
    const kept = dead.map((d) => d.body.toString('hex')).sort();
    expect(kept).toEqual(bodies.map((b) => b.toString('hex')).sort());
    expect(await sessionCount('collide-%')).toBe(1);
  });

  it('dead-letters a schema_version nested 10,000 deep as too_deep on the first attempt (not max_attempts)', async () => {
    const spool = await start();
    const deep = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`;
    const text = JSON.stringify(samplePayload({ session_id: 'deep-1' })).replace(
      '"schema_version":1',
      `"schema_version":${deep}`,
    );
    await spool.write({}, Buffer.from(text));
    const [dead] = await deadLetters(spool, 1);
    expect(dead?.record).toMatchObject({ reason: 'handler_dead_letter', attempts: 1 });
    expect(dead?.record.last_error).toMatch(/^too_deep: payload nests objects\/arrays more than 64 levels/);
    expect(dead?.body.toString()).toBe(text);
    expect(worker?.metrics.deadLettered.get({ reason: 'too_deep' })).toBe(1);
  });

  it('keeps unknown keys everywhere (a newer agent): stored, counted, and GET /api/sessions/:id gives them back', async () => {
    const spool = await start();
    const sent = samplePayload({ session_id: 'newer-agent-1' }, { turns: 2 }) as SessionPayload &
      Record<string, unknown>;
    sent['sentiment'] = { overall: 0.7, by_turn: [0.1, 0.9] };
    (sent.agent as Record<string, unknown>)['build'] = 'abc123';
    (sent.turns[1] as Record<string, unknown>)['emotion'] = 'calm';
    const call = sent.tool_calls[0] as Record<string, unknown> | undefined;
    if (call) call['retries'] = 2;
    (sent.signals as Record<string, unknown>)['budget'] = {
      value: 50_000,
      evidence: [{ turn_index: 0, span: [0, 5], rule: 'budget.amount' }],
    };
    const team = sent.signals.team_size as Record<string, unknown> | undefined;
    if (team) team['confidence'] = 0.9;
    await spool.write({}, Buffer.from(JSON.stringify(sent)));
    await until('stored', async () => (await sessionCount('newer-agent-1')) === 1);
    expect(worker?.metrics.unknownKeys.total()).toBe(1);
    const detail = await getSession(warehouse, 'newer-agent-1');
    expect(detail?.payload).toEqual(sent);
    // The known parts still land in their columns and tables.
    const [signal] = await warehouse.query(
      "SELECT count(*) AS n FROM signals WHERE session_id = 'newer-agent-1'",
    );
    expect(Number(signal?.n)).toBe(Object.keys(sent.signals).length - 1);
  });
});
