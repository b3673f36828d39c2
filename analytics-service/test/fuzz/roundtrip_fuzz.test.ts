/**
 * Property: a valid payload (any storable Unicode, numbers across their ranges, times in years
 * 1–9999, unknown keys anywhere) goes through the real path — LocalPublisher → spool → worker
 * (validate, score, micro-batched warehouse write) → GET /api/sessions/:id — and comes back
 * unchanged, on DuckDB and on PostgreSQL. Hostile bodies mixed in never stop the worker.
 * Seeded, bounded by numRuns.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { LocalPublisher, Spool } from '../../../src/queue/index.js';
import { validPayload } from '../../../test/support/payload_arbitrary.js';
import { buildApiServer } from '../../src/api/index.js';
import { loadWorkerConfig } from '../../src/config.js';
import { MemoryParkedStore } from '../../src/delivery/index.js';
import { startWorker, type WorkerHandle } from '../../src/pipeline/index.js';
import { DuckDbWarehouse } from '../../src/warehouse/duckdb_warehouse.js';
import { PostgresWarehouse } from '../../src/warehouse/postgres_warehouse.js';
import type { Warehouse } from '../../src/warehouse/types.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let dir: string;
let pg: TestPostgres | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-roundtrip-fuzz-'));
});
afterAll(async () => {
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

function roundtripSuite(name: string, open: () => Promise<Warehouse>) {
  describe(`fuzz: valid payloads roundtrip unchanged (${name})`, () => {
    let wh: Warehouse;
    let worker: WorkerHandle;
    let publisher: LocalPublisher;
    let spool: Spool;
    let api: ReturnType<typeof buildApiServer>;
    let crashed: unknown;

    beforeAll(async () => {
      wh = await open();
      await wh.migrate();
      const spoolDir = join(dir, `spool-${name}`);
      const config = loadWorkerConfig({
        QUEUE_SPOOL_DIR: spoolDir,
        QUEUE_SPOOL_FSYNC: 'false',
        QUEUE_MAX_ATTEMPTS: '2',
        PARKED_DIR: join(dir, `parked-${name}`),
        WORKER_BATCH_MAX_WAIT_MS: '5',
        LOG_LEVEL: 'silent',
        // Where contact fields are hashed with a key (ignored where they are not).
        PII_HASH_KEY: 'fuzz-hash-key-0123456789abcdef0123456789',
      });
      worker = await startWorker(config, {
        warehouse: wh,
        destinations: [],
        parked: new MemoryParkedStore(),
      });
      publisher = new LocalPublisher({ dir: spoolDir, logger: silentLogger, fsync: false });
      spool = new Spool(spoolDir, { fsync: false });
      api = buildApiServer({ warehouse: wh, dashboard: false });
      await api.ready();
    });
    afterAll(async () => {
      await api?.close();
      await worker?.stop({ deadlineMs: 2000 });
      await publisher?.close();
      await wh?.close();
    });

    const deadReasons = async () => {
      const names = (await readdir(join(spool.dir, 'dead'))).filter((f) => f.endsWith('.reason.json'));
      const texts = await Promise.all(names.map((f) => readFile(join(spool.dir, 'dead', f), 'utf8')));
      return texts
        .map((t) => JSON.parse(t) as { reason: string; last_error: string | null })
        .filter((r) => r.reason !== 'invalid_utf8' && !r.last_error?.startsWith('invalid_json'))
        .map((r) => `${r.reason}: ${r.last_error?.slice(0, 300)}`)
        .join(' | ');
    };

    it('publish → consume → warehouse → API gives back what was sent, hostile bodies in between', async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(validPayload, fc.uint8Array({ maxLength: 64 }), async (generated, junk) => {
          // Ids unique per run (shrinking replays runs), kept as generated otherwise.
          const sent = { ...generated, session_id: `${++n}:${generated.session_id}`.slice(0, 200) };
          await spool.write({}, Buffer.from(junk)); // never valid: must not disturb anything
          const r = await publisher.publish(sent);
          expect(r.status, JSON.stringify(r)).toBe('ok');
          const url = `/api/sessions/${encodeURIComponent(sent.session_id)}`;
          const deadline = Date.now() + 5_000;
          let res = await api.inject({ method: 'GET', url });
          while (res.statusCode === 404 && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 10));
            res = await api.inject({ method: 'GET', url });
          }
          if (res.statusCode !== 200) {
            throw new Error(
              `${res.statusCode} for ${JSON.stringify(sent.session_id)}; dead letters: ${await deadReasons()}`,
            );
          }
          const payload = res.json().payload;
          // Contact fields and the participant's identity follow the warehouse's PII policy
          // (hashed by default): compared apart.
          const apart = { lead: undefined, participant: undefined };
          expect({ ...payload, ...apart }).toStrictEqual({ ...sent, ...apart });
          expect(payload.participant.kind).toBe(sent.participant.kind);
          // (Hashed, or dropped by a warehouse that holds no hash key.)
          expect(['hashed', 'none']).toContain(payload.lead.pii_mode);
        }),
        // A failing run is reported as found: shrinking would replay the whole path many times.
        { seed: 2101, numRuns: Number(process.env.RT_RUNS ?? 30), endOnFailure: true },
      );
      expect(worker.metrics.deadLettered.total()).toBeGreaterThan(0);
      expect(crashed).toBeUndefined();
    });
  });
}

roundtripSuite('duckdb', () => DuckDbWarehouse.open(join(dir, 'rt.duckdb')));
roundtripSuite('postgres', async () => {
  pg = await startPostgres();
  return PostgresWarehouse.open(await pg.createDatabase('roundtrip_fuzz'));
});
