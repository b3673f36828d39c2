import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, INTEGER, TIMESTAMPTZ, VARCHAR } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePayload } from '../../../src/schema/testing/index.js';
import { getSession } from '../../src/api/session_queries.js';
import {
  Appenders,
  buildChunks,
  ChunkPool,
  checkColumnTypes,
  isoToMicros,
} from '../../src/warehouse/duckdb_append.js';
import { DuckDbWarehouse } from '../../src/warehouse/duckdb_warehouse.js';
import { MIGRATIONS, renderStatement, SCHEMA_MIGRATIONS_DDL } from '../../src/warehouse/migrations.js';
import { testHasher } from '../destinations/fixtures.js';

const hashContactValue = (field: 'name' | 'email' | 'phone' | 'company', v: string) =>
  testHasher.hash(field, v);

import { PostgresWarehouse } from '../../src/warehouse/postgres_warehouse.js';
import type { TableSpec } from '../../src/warehouse/rows.js';
import { type DeliveryStatus, type Warehouse, WarehouseDataError } from '../../src/warehouse/types.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { scoredFromPayload, scoredSample } from './scored_fixture.js';

const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));
const CHILD_TABLES = ['turns', 'tool_calls', 'signals', 'leads'] as const;

async function counts(w: Warehouse, id: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['sessions', ...CHILD_TABLES, 'deliveries']) {
    const [row] = await w.query<{ n: number }>(`SELECT count(*) AS n FROM ${t} WHERE session_id = $1`, [id]);
    out[t] = Number(row?.n);
  }
  return out;
}

/** `setup` prepares an empty database once and returns how to open it (again). */
function backendSuite(name: string, setup: () => Promise<() => Promise<Warehouse>>) {
  describe(`warehouse (${name})`, () => {
    let w: Warehouse;
    let open: () => Promise<Warehouse>;
    beforeAll(async () => {
      open = await setup();
      w = await open();
    });
    afterAll(async () => {
      await w?.close();
    });

    it('applies migrations once and is idempotent on start-up', async () => {
      const first = await w.migrate();
      expect(first.current).toBe(LATEST);
      const again = await w.migrate();
      expect(again.applied).toEqual([]);
      expect(again.current).toBe(LATEST);
      const rows = await w.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      // A restart on the same database finds nothing to do.
      await w.close();
      w = await open();
      expect((await w.migrate()).applied).toEqual([]);
    });

    it('upserting the same session twice leaves one row in every table', async () => {
      const s = scoredSample('sess_twice');
      const delivery = {
        session_id: 'sess_twice',
        destination: 'warehouse',
        status: 'ok',
        attempts: 1,
        last_error: null,
      } as const;
      await w.upsertSessions([s], [delivery]);
      await w.upsertSessions([s, s], [delivery]);
      expect(await counts(w, 'sess_twice')).toEqual({
        sessions: 1,
        turns: 6,
        tool_calls: 2,
        signals: 5,
        leads: 1,
        deliveries: 1,
      });
    });

    it('replaces child rows when a session is written again with different content', async () => {
      await w.upsertSessions([scoredSample('sess_replace', { turns: 8, score: 10 })]);
      await w.upsertSessions([scoredSample('sess_replace', { turns: 3, score: 90 })]);
      const c = await counts(w, 'sess_replace');
      expect(c.turns).toBe(3);
      expect(c.sessions).toBe(1);
      const [row] = await w.query('SELECT score, tier, turn_count FROM sessions WHERE session_id = $1', [
        'sess_replace',
      ]);
      expect(row).toMatchObject({ score: 90, tier: 'A1', turn_count: 3 });
      const [lead] = await w.query('SELECT score FROM leads WHERE session_id = $1', ['sess_replace']);
      expect(lead?.score).toBe(90);
    });

    it('a snapshot reads one version of a session while a redelivery rewrites it, and the session view reads through one', async () => {
      await w.upsertSessions([scoredSample('sess_snap', { turns: 8, score: 10 })]);
      const seen = await w.snapshot(async (r) => {
        const [before] = await r.query('SELECT score FROM sessions WHERE session_id = $1', ['sess_snap']);
        // Committed between two reads of the same snapshot: neither sees it.
        await w.upsertSessions([scoredSample('sess_snap', { turns: 3, score: 90 })]);
        const [turns] = await r.query('SELECT count(*) AS n FROM turns WHERE session_id = $1', ['sess_snap']);
        const [lead] = await r.query('SELECT score FROM leads WHERE session_id = $1', ['sess_snap']);
        return { score: before?.score, turns: Number(turns?.n), lead: lead?.score };
      });
      expect(seen).toEqual({ score: 10, turns: 8, lead: 10 });
      expect(await counts(w, 'sess_snap')).toMatchObject({ sessions: 1, turns: 3 });
      // A failing read ends the snapshot and leaves the warehouse usable.
      await expect(w.snapshot((r) => r.query('SELECT * FROM no_such_table'))).rejects.toThrow(
        /no_such_table/,
      );
      // The session view reads every table through one snapshot, never with plain queries.
      const viaSnapshotOnly: Warehouse = Object.assign(Object.create(w) as Warehouse, {
        query: () => Promise.reject(new Error('getSession read outside its snapshot')),
        snapshot: w.snapshot.bind(w),
      });
      const detail = await getSession(viaSnapshotOnly, 'sess_snap');
      expect(detail?.turns).toHaveLength(3);
      expect(detail?.score?.score).toBe(90);
    });

    it('a batch mixing new and already-written sessions replaces only the old ones and keeps the new ones whole', async () => {
      await w.upsertSessions([scoredSample('sess_mix_old', { turns: 8 })]);
      await w.upsertSessions([
        scoredSample('sess_mix_new', { turns: 4 }),
        scoredSample('sess_mix_old', { turns: 2 }),
      ]);
      expect(await counts(w, 'sess_mix_old')).toMatchObject({ sessions: 1, turns: 2, leads: 1 });
      expect(await counts(w, 'sess_mix_new')).toMatchObject({ sessions: 1, turns: 4, leads: 1 });
      // Redelivering the same batch changes nothing.
      await w.upsertSessions([
        scoredSample('sess_mix_new', { turns: 4 }),
        scoredSample('sess_mix_old', { turns: 2 }),
      ]);
      expect(await counts(w, 'sess_mix_old')).toMatchObject({ sessions: 1, turns: 2, signals: 5, leads: 1 });
      expect(await counts(w, 'sess_mix_new')).toMatchObject({ sessions: 1, turns: 4, signals: 5, leads: 1 });
      const turns = await w.query<{ turn_index: number }>(
        'SELECT turn_index FROM turns WHERE session_id = $1 ORDER BY turn_index',
        ['sess_mix_old'],
      );
      expect(turns.map((t) => t.turn_index)).toEqual([0, 1]);
    });

    it('calls in flight together land whole, and the later call wins for a session in both', async () => {
      // Not awaited in turn: the DuckDB backend builds the second batch while the first commits.
      const first = w.upsertSessions([
        scoredSample('sess_flight_a', { turns: 8, score: 10 }),
        scoredSample('sess_flight_b', { turns: 5 }),
      ]);
      const second = w.upsertSessions([
        scoredSample('sess_flight_a', { turns: 3, score: 90 }),
        scoredSample('sess_flight_c', { turns: 6 }),
      ]);
      const failing = expect(
        w.upsertSessions(
          [scoredSample('sess_flight_d')],
          [
            {
              session_id: 'sess_flight_d',
              destination: 'warehouse',
              status: null,
            } as unknown as DeliveryStatus,
          ],
        ),
      ).rejects.toThrow();
      const third = w.upsertSessions([scoredSample('sess_flight_e', { turns: 2 })]);
      await Promise.all([first, second, third]);
      await failing;
      expect(await counts(w, 'sess_flight_a')).toMatchObject({ sessions: 1, turns: 3, leads: 1 });
      expect(await counts(w, 'sess_flight_b')).toMatchObject({ sessions: 1, turns: 5, leads: 1 });
      expect(await counts(w, 'sess_flight_c')).toMatchObject({ sessions: 1, turns: 6, leads: 1 });
      expect(await counts(w, 'sess_flight_d')).toMatchObject({ sessions: 0, turns: 0, leads: 0 });
      expect(await counts(w, 'sess_flight_e')).toMatchObject({ sessions: 1, turns: 2, leads: 1 });
      const [row] = await w.query('SELECT score FROM sessions WHERE session_id = $1', ['sess_flight_a']);
      expect(row?.score).toBe(90);
    });

    it('writes a batch in one call and stores typed, PII-hashed columns', async () => {
      const batch = Array.from({ length: 50 }, (_, i) => scoredSample(`sess_batch_${i}`));
      await w.upsertSessions(batch);
      const [n] = await w.query<{ n: number }>(
        "SELECT count(*) AS n FROM sessions WHERE session_id LIKE 'sess_batch_%'",
      );
      expect(Number(n?.n)).toBe(50);
      const [row] = await w.query('SELECT * FROM sessions WHERE session_id = $1', ['sess_batch_7']);
      expect(row).toMatchObject({
        agent_name: 'signalroom-sales',
        prompt_version: 'sales-v1',
        started_at: '2026-11-20T15:00:00.000Z',
        duration_ms: 48000,
        end_reason: 'user_initiated',
        stage_reached: 'closing',
        outcome: 'meeting_booked',
        industry: 'legal',
        team_size: 12,
        monthly_volume: 217,
        urgency: 'high',
        integrations: ['hubspot', 'slack'],
        cost_usd: 0.05,
        cost_llm_usd: 0.02,
        price_book_version: 'test-2026-11',
        latency_llm_p95_ms: 500,
        latency_stt_p95_ms: null,
        sla_breach_count: 0,
        contact_pii_mode: 'hashed',
      });
      expect(String(row?.contact_email)).toMatch(/^hmac-sha256:[0-9a-f]{8}:[0-9a-f]{64}$/);
      const payload = row?.payload as { lead: { email: string }; session_id: string };
      expect(payload.session_id).toBe('sess_batch_7');
      expect(payload.lead.email).toMatch(/^hmac-sha256:/);
      expect(JSON.stringify(row)).not.toContain('maria@example.com');
      const [sig] = await w.query(
        "SELECT value, evidence FROM signals WHERE session_id = $1 AND name = 'integration_needs'",
        ['sess_batch_7'],
      );
      expect(sig?.value).toEqual(['hubspot', 'slack']);
      expect(sig?.evidence).toHaveLength(2);
    });

    it('a batch that fails leaves none of its rows, and the next batch is whole', async () => {
      const bad = {
        session_id: 'sess_rollback',
        destination: 'warehouse',
        status: null,
        attempts: 1,
        last_error: null,
      } as unknown as DeliveryStatus;
      await expect(w.upsertSessions([scoredSample('sess_rollback')], [bad])).rejects.toThrow();
      expect(await counts(w, 'sess_rollback')).toEqual({
        sessions: 0,
        turns: 0,
        tool_calls: 0,
        signals: 0,
        leads: 0,
        deliveries: 0,
      });
      await w.upsertSessions(
        [scoredSample('sess_after')],
        [{ ...bad, session_id: 'sess_after', status: 'ok' }],
      );
      expect(await counts(w, 'sess_after')).toMatchObject({ sessions: 1, leads: 1, deliveries: 1 });
      expect(await counts(w, 'sess_rollback')).toMatchObject({ sessions: 0, turns: 0, deliveries: 0 });
    });

    it('refuses a value its column cannot hold with a WarehouseDataError naming it, and writes none of the batch', async () => {
      const p = samplePayload({ session_id: 'sess_int_overflow' }, { turns: 2 });
      (p.turns[1] as { index: number }).index = 3_000_000_000;
      const call = w.upsertSessions([scoredSample('sess_beside_overflow'), scoredFromPayload(p)]);
      await expect(call).rejects.toBeInstanceOf(WarehouseDataError);
      await expect(call).rejects.toThrow(
        name === 'duckdb'
          ? /turns\.payload_index: not a 32-bit integer: 3000000000/
          : /22003.*value "3000000000" is out of range for type integer/,
      );
      expect(await counts(w, 'sess_int_overflow')).toMatchObject({ sessions: 0, turns: 0 });
      expect(await counts(w, 'sess_beside_overflow')).toMatchObject({ sessions: 0, turns: 0 });
    });

    it('stores text and JSON holding a NUL character (PostgreSQL, which cannot, gets U+FFFD)', async () => {
      const p = samplePayload({ session_id: 'sess_nul' }, { turns: 1 });
      (p.turns[0] as { user_text?: string }).user_text = 'before\u0000after';
      p.labels = { campaign: 'spring\u0000sale', path: 'C:\\u0000' };
      await w.upsertSessions(
        [scoredFromPayload(p)],
        [
          {
            session_id: 'sess_nul',
            destination: 'crm',
            status: 'parked',
            attempts: 1,
            last_error: 'body \u0000',
          },
        ],
      );
      const nul = name === 'postgres' ? '\ufffd' : '\u0000';
      const [turn] = await w.query<{ user_text: string }>(
        'SELECT user_text FROM turns WHERE session_id = $1',
        ['sess_nul'],
      );
      expect(turn?.user_text).toBe(`before${nul}after`);
      const [session] = await w.query<{ labels: Record<string, string> }>(
        'SELECT labels FROM sessions WHERE session_id = $1',
        ['sess_nul'],
      );
      // A backslash before "u0000" is text, not a NUL: it stays as it was.
      expect(session?.labels).toEqual({ campaign: `spring${nul}sale`, path: 'C:\\u0000' });
      const [delivery] = await w.query<{ last_error: string }>(
        'SELECT last_error FROM deliveries WHERE session_id = $1',
        ['sess_nul'],
      );
      expect(delivery?.last_error).toBe(`body ${nul}`);
    });

    it('gives back the whole payload from sessions.payload and the child tables', async () => {
      const p = samplePayload({ session_id: 'sess_roundtrip', labels: { campaign: 'q4' } }, { turns: 3 });
      const [t0, t1] = p.turns;
      if (!t0 || !t1) throw new Error('sample has turns');
      t0.user_text = 'We are a legal team of twelve.';
      t0.agent_text = 'Thanks! How many documents a month?';
      t1.user_text = 'About 200, and we need HubSpot.';
      t1.interrupted = true;
      t1.llm_ttft_ms = null;
      p.transcript = [{ role: 'user', text: 'We are a legal team of twelve.', at: null }];
      p.tool_calls.push({
        call_id: 'call_3',
        name: 'search_knowledge',
        arguments: { query: 'soc2', email: 'maria@example.com' },
        status: 'error',
        error: 'index unavailable',
        output_summary: '',
        started_at: null,
        duration_ms: null,
        turn_id: null,
      });
      p.signals.team_size = {
        value: 12,
        evidence: [{ turn_index: 1, span: [9, 19], rule: 'team_size.people', excerpt: 'team of 12' }],
        history: [{ value: 8, evidence: { turn_index: 0, span: [0, 7], rule: 'team_size.people' } }],
        confidence: 0.8,
        alternatives: [{ value: 40, reason: 'past size', turn_index: 1, span: [25, 32] }],
      };
      await w.upsertSessions([scoredFromPayload(p)]);
      const [sig] = await w.query<{ confidence: number; alternatives: unknown }>(
        "SELECT confidence, alternatives FROM signals WHERE session_id = $1 AND name = 'team_size'",
        ['sess_roundtrip'],
      );
      expect(Number(sig?.confidence)).toBe(0.8);
      expect(sig?.alternatives).toEqual([{ value: 40, reason: 'past size', turn_index: 1, span: [25, 32] }]);

      // Stored once: the session row's payload leaves out what the child tables hold.
      const [row] = await w.query('SELECT payload FROM sessions WHERE session_id = $1', ['sess_roundtrip']);
      const stored = row?.payload as Record<string, unknown>;
      expect(Object.keys(stored)).not.toContain('turns');
      expect(Object.keys(stored)).not.toContain('tool_calls');
      expect(Object.keys(stored)).not.toContain('signals');
      expect(stored.usage).toEqual(p.usage);

      const detail = await getSession(w, 'sess_roundtrip');
      // The warehouse's policy (hashed) applies to the lead, the participant identity and contact
      // arguments of tool calls: every hash is keyed, the agent's own (unkeyed) ones included.
      const hashedEmail = hashContactValue('email', 'maria@example.com');
      const lastCall = p.tool_calls[2];
      const booked = p.tool_calls[1]!;
      expect(detail?.payload).toEqual({
        ...p,
        participant: { ...p.participant, identity: hashContactValue('name', 'prospect-1') },
        lead: {
          pii_mode: 'hashed',
          name: hashContactValue('name', 'Maria Lopez'),
          email: hashedEmail,
          company: hashContactValue('company', 'Lopez Legal'),
        },
        tool_calls: [
          p.tool_calls[0],
          {
            ...booked,
            arguments: {
              ...booked.arguments,
              name: hashContactValue('name', String(booked.arguments.name)),
              email: hashContactValue('email', String(booked.arguments.email)),
            },
          },
          { ...lastCall, arguments: { query: 'soc2', email: hashedEmail } },
        ],
      });
      expect(detail?.turns.map((t) => [t.user_text, t.agent_text])).toEqual([
        ['We are a legal team of twelve.', 'Thanks! How many documents a month?'],
        ['About 200, and we need HubSpot.', null],
        [null, null],
      ]);
    });

    it('writes the delivery row of a new session, and updates one that was there before its session', async () => {
      const row = (id: string, status: DeliveryStatus['status'], attempts: number): DeliveryStatus => ({
        session_id: id,
        destination: 'warehouse',
        status,
        attempts,
        last_error: null,
      });
      // A delivery row with no session row (left by a hand-made delete, say): the session's
      // write must update it, not trip over the key.
      await w.recordDeliveries([row('sess_deliv_orphan', 'retrying', 1)]);
      await w.upsertSessions(
        [scoredSample('sess_deliv_new'), scoredSample('sess_deliv_orphan')],
        [row('sess_deliv_new', 'ok', 1), row('sess_deliv_orphan', 'ok', 2)],
      );
      const rows = await w.query<{ session_id: string; status: string; attempts: number }>(
        "SELECT session_id, status, attempts FROM deliveries WHERE session_id LIKE 'sess_deliv_%' AND destination = 'warehouse' ORDER BY 1",
      );
      expect(rows).toEqual([
        { session_id: 'sess_deliv_new', status: 'ok', attempts: 1 },
        { session_id: 'sess_deliv_orphan', status: 'ok', attempts: 2 },
      ]);
      // Written again (a redelivery): still one row each, updated.
      await w.upsertSessions([scoredSample('sess_deliv_new')], [row('sess_deliv_new', 'ok', 3)]);
      expect(await counts(w, 'sess_deliv_new')).toMatchObject({ sessions: 1, deliveries: 1 });
      const [again] = await w.query<{ attempts: number }>(
        "SELECT attempts FROM deliveries WHERE session_id = 'sess_deliv_new'",
      );
      expect(again?.attempts).toBe(3);
    });

    it('upserts delivery status on (session_id, destination)', async () => {
      const base = { session_id: 'sess_deliv', destination: 'hubspot', attempts: 1, last_error: null };
      await w.recordDeliveries([{ ...base, status: 'retrying' }]);
      await w.recordDeliveries([{ ...base, status: 'parked', attempts: 5, last_error: 'HTTP 400' }]);
      const rows = await w.query(
        'SELECT destination, status, attempts, last_error FROM deliveries WHERE session_id = $1',
        ['sess_deliv'],
      );
      expect(rows).toEqual([
        { destination: 'hubspot', status: 'parked', attempts: 5, last_error: 'HTTP 400' },
      ]);
    });
  });
}

let dir = '';
let pgServer: TestPostgres | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-wh-'));
});
afterAll(async () => {
  await pgServer?.stop();
  await rm(dir, { recursive: true, force: true });
});

backendSuite('duckdb', async () => {
  const path = join(dir, 'wh.duckdb');
  return () => DuckDbWarehouse.open(path, { hasher: testHasher });
});

backendSuite('postgres', async () => {
  pgServer = await startPostgres();
  const url = await pgServer.createDatabase('wh_test');
  return async () => PostgresWarehouse.open(url, { hasher: testHasher });
});

describe('warehouse (duckdb) storage', () => {
  it('keeps sub-millisecond digits and offsets of ISO times', () => {
    expect(isoToMicros('2026-11-20T15:00:00Z')).toBe(1_795_186_800_000_000);
    expect(isoToMicros('2026-11-20T15:00:00.123456Z')).toBe(1_795_186_800_123_456);
    expect(isoToMicros('2026-11-20T16:00:00.1+01:00')).toBe(1_795_186_800_100_000);
    expect(isoToMicros('1969-07-20T20:17:40.000001Z')).toBe(-14_182_939_999_999);
    expect(() => isoToMicros('yesterday')).toThrow(/ISO-8601/);
  });

  it('runs writes of different sessions side by side, and writes of one session one at a time in call order', async () => {
    const w = await DuckDbWarehouse.open(join(dir, 'writers.duckdb'));
    await w.migrate();
    expect(w.pipelinedWrites).toBe(3);
    // Ten calls in flight. Each writes a new session of its own and a new version of a shared one,
    // with its warehouse delivery row: two of them in side-by-side transactions would both append
    // the shared session, and the second commit would fail on its key.
    const delivery = (id: string, attempts: number): DeliveryStatus => ({
      session_id: id,
      destination: 'warehouse',
      status: 'ok',
      attempts,
      last_error: null,
    });
    const calls = Array.from({ length: 10 }, (_, i) =>
      w.upsertSessions(
        [
          scoredSample(`sess_side_${i}`, { turns: 2 }),
          scoredSample('sess_shared', { turns: 1 + i, score: i * 10 }),
        ],
        [delivery(`sess_side_${i}`, 1), delivery('sess_shared', i + 1)],
      ),
    );
    await Promise.all(calls);
    expect(await counts(w, 'sess_shared')).toMatchObject({ sessions: 1, turns: 10, leads: 1, deliveries: 1 });
    const [shared] = await w.query(
      'SELECT s.score, d.attempts FROM sessions s JOIN deliveries d USING (session_id) WHERE session_id = $1',
      ['sess_shared'],
    );
    expect(shared).toEqual({ score: 90, attempts: 10 });
    const [all] = await w.query("SELECT count(*) AS n FROM sessions WHERE session_id LIKE 'sess_side_%'");
    expect(Number(all?.n)).toBe(10);
    await w.close();
  });

  it('appends a batch of new sessions as it is, and rewrites a batch only when some of it was written before', async () => {
    const w = await DuckDbWarehouse.open(join(dir, 'append-first.duckdb'));
    await w.migrate();
    const delivery = (id: string, attempts = 1): DeliveryStatus => ({
      session_id: id,
      destination: 'warehouse',
      status: 'ok',
      attempts,
      last_error: null,
    });
    await w.upsertSessions(
      [scoredSample('sess_af_1', { turns: 3 }), scoredSample('sess_af_2', { turns: 2 })],
      [delivery('sess_af_1'), delivery('sess_af_2')],
    );
    expect(w.rewrites).toBe(0);

    // A redelivered session beside a new one: the append fails on its key, and the whole batch is
    // written again over the old rows, in one transaction.
    await w.upsertSessions(
      [scoredSample('sess_af_3', { turns: 4 }), scoredSample('sess_af_1', { turns: 5, score: 90 })],
      [delivery('sess_af_3'), delivery('sess_af_1', 2)],
    );
    expect(w.rewrites).toBe(1);
    expect(await counts(w, 'sess_af_1')).toEqual({
      sessions: 1,
      turns: 5,
      tool_calls: 2,
      signals: 5,
      leads: 1,
      deliveries: 1,
    });
    expect(await counts(w, 'sess_af_3')).toMatchObject({ sessions: 1, turns: 4, deliveries: 1 });
    const [row] = await w.query(
      'SELECT s.score, d.attempts FROM sessions s JOIN deliveries d USING (session_id) WHERE session_id = $1',
      ['sess_af_1'],
    );
    expect(row).toEqual({ score: 90, attempts: 2 });

    // Only the delivery row is there (recorded before the session was ever written): merged.
    await w.recordDeliveries([{ ...delivery('sess_af_4'), status: 'retrying', last_error: 'timeout' }]);
    await w.upsertSessions([scoredSample('sess_af_4', { turns: 2 })], [delivery('sess_af_4', 2)]);
    expect(w.rewrites).toBe(2);
    expect(await counts(w, 'sess_af_4')).toMatchObject({ sessions: 1, turns: 2, deliveries: 1 });
    const [d4] = await w.query('SELECT status, attempts, last_error FROM deliveries WHERE session_id = $1', [
      'sess_af_4',
    ]);
    expect(d4).toEqual({ status: 'ok', attempts: 2, last_error: null });
    await w.close();
  });

  it('writes times, 64-bit integers, lists and nulls into the vectors exactly', async () => {
    const w = await DuckDbWarehouse.open(join(dir, 'vectors.duckdb'));
    await w.migrate();
    const s = scoredSample('sess_vectors', { turns: 3 });
    const [t0, t1, t2] = s.payload.turns;
    if (!t0 || !t1 || !t2) throw new Error('sample has turns');
    t0.started_at = '2026-11-20T15:00:00.123456Z';
    t0.llm_prompt_tokens = 2 ** 40 + 3;
    t1.started_at = '1969-07-20T20:17:40.5Z';
    t1.llm_prompt_tokens = null;
    t2.started_at = null;
    s.payload.stage.completed = [];
    await w.upsertSessions([s]);
    const turns = await w.query(
      'SELECT epoch_us(started_at) AS us, llm_prompt_tokens AS tokens FROM turns WHERE session_id = $1 ORDER BY turn_index',
      ['sess_vectors'],
    );
    expect(turns).toEqual([
      { us: 1_795_186_800_123_456, tokens: 2 ** 40 + 3 },
      { us: -14_182_939_500_000, tokens: null },
      { us: null, tokens: 800 + 50 * 2 },
    ]);
    const [row] = await w.query(
      'SELECT stages_completed, integrations, latency_stt_p95_ms FROM sessions WHERE session_id = $1',
      ['sess_vectors'],
    );
    expect(row).toEqual({
      stages_completed: [],
      integrations: ['hubspot', 'slack'],
      latency_stt_p95_ms: null,
    });
    await w.close();
  });

  it('refills reused data chunks exactly: no null, list item or text is carried over from the batch before', async () => {
    const w = await DuckDbWarehouse.open(join(dir, 'reuse.duckdb'));
    await w.migrate();
    // One writer's pool gives each table's chunk back after every batch; the next batch refills it.
    const first = scoredSample('sess_reuse_1', { turns: 3 });
    for (const t of first.payload.turns) {
      t.started_at = null;
      t.llm_prompt_tokens = null;
    }
    first.payload.stage.completed = ['greeting', 'discovery', 'qualification'];
    await w.upsertSessions([first]);
    const second = scoredSample('sess_reuse_2', { turns: 2 });
    second.payload.turns.forEach((t, i) => {
      t.started_at = `2026-11-20T15:00:0${i}.5Z`;
      t.llm_prompt_tokens = 100 + i;
    });
    second.payload.stage.completed = [];
    await w.upsertSessions([second]);
    const turns = await w.query(
      'SELECT session_id, epoch_ms(started_at) AS ms, llm_prompt_tokens AS tokens FROM turns ORDER BY session_id, turn_index',
    );
    expect(turns).toEqual([
      { session_id: 'sess_reuse_1', ms: null, tokens: null },
      { session_id: 'sess_reuse_1', ms: null, tokens: null },
      { session_id: 'sess_reuse_1', ms: null, tokens: null },
      { session_id: 'sess_reuse_2', ms: 1_795_186_800_500, tokens: 100 },
      { session_id: 'sess_reuse_2', ms: 1_795_186_801_500, tokens: 101 },
    ]);
    const sessions = await w.query('SELECT session_id, stages_completed FROM sessions ORDER BY session_id');
    expect(sessions).toEqual([
      { session_id: 'sess_reuse_1', stages_completed: ['greeting', 'discovery', 'qualification'] },
      { session_id: 'sess_reuse_2', stages_completed: [] },
    ]);
    await w.close();
  });

  it('gives a table the chunk it gave back, reset, and keeps no more than it is told', () => {
    const pool = new ChunkPool(1);
    const types = [INTEGER, VARCHAR];
    const a = pool.take('t', types);
    const b = pool.take('t', types);
    expect(b).not.toBe(a);
    a.rowCount = 2;
    pool.give('t', a);
    pool.give('t', b);
    const again = pool.take('t', types);
    expect(again).toBe(a);
    expect(again.rowCount).toBe(0);
    expect(pool.take('t', types)).not.toBe(b);
    expect(pool.take('other', types)).not.toBe(a);
  });

  it('gives back, reset, the data chunks a failed append never handed to DuckDB', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(
      'CREATE TABLE sessions (session_id TEXT PRIMARY KEY); CREATE TABLE turns (session_id TEXT, turn_index INTEGER)',
    );
    await connection.run("INSERT INTO sessions VALUES ('dup')");
    const sessions: TableSpec = { name: 'sessions', key: ['session_id'], columns: [['session_id', 'text']] };
    const turns: TableSpec = {
      name: 'turns',
      key: [],
      columns: [
        ['session_id', 'text'],
        ['turn_index', 'int'],
      ],
    };
    const pool = new ChunkPool(4);
    const appenders = new Appenders(connection, pool);
    const turnChunks = buildChunks(
      [VARCHAR, INTEGER],
      turns,
      [
        ['dup', 0],
        ['dup', 1],
      ],
      pool,
    );
    const sessionChunks = buildChunks([VARCHAR], sessions, [['dup']], pool);
    await connection.run('BEGIN TRANSACTION');
    await expect(
      appenders.appendTables([
        [sessions, sessionChunks],
        [turns, turnChunks],
      ]),
    ).rejects.toThrow(/Duplicate key/);
    await connection.run('ROLLBACK');
    appenders.reset();
    // The turns never reached an appender: their chunk is already reset and back in the pool.
    expect(turnChunks[0]?.rowCount).toBe(0);
    expect(pool.take('turns', [VARCHAR, INTEGER])).toBe(turnChunks[0]);
    const [row] = (await connection.runAndReadAll('SELECT count(*) FROM turns')).getRowsJS();
    expect(Number(row?.[0])).toBe(0);
    connection.closeSync();
  });

  it('writes a table whose rows span several data chunks (over 2,048 rows) whole and in order', async () => {
    const w = await DuckDbWarehouse.open(join(dir, 'chunks.duckdb'));
    await w.migrate();
    // 300 sessions × 8 turns = 2,400 turn rows: a full chunk of 2,048 and a second of 352.
    const batch = Array.from({ length: 300 }, (_, i) => {
      const s = scoredSample(`sess_chunk_${String(i).padStart(3, '0')}`, { turns: 8 });
      s.payload.turns.forEach((t, k) => {
        t.llm_prompt_tokens = i * 100 + k;
        t.interrupted = (i + k) % 3 === 0;
        if (k === 7) t.started_at = null;
      });
      return s;
    });
    await w.upsertSessions(batch);
    const [agg] = await w.query(
      `SELECT count(*) AS n, sum(llm_prompt_tokens) AS tokens, count(started_at) AS timed,
        sum(CASE WHEN interrupted THEN 1 ELSE 0 END) AS interrupted FROM turns`,
    );
    let interrupted = 0;
    for (let i = 0; i < 300; i++) for (let k = 0; k < 8; k++) if ((i + k) % 3 === 0) interrupted++;
    expect(agg).toEqual({
      n: 2400,
      tokens: 8 * 100 * ((299 * 300) / 2) + 300 * 28,
      timed: 2100,
      interrupted,
    });
    const last = await w.query(
      'SELECT turn_index, llm_prompt_tokens, turn_id FROM turns WHERE session_id = $1 ORDER BY turn_index',
      ['sess_chunk_299'],
    );
    expect(last.map((r) => r.llm_prompt_tokens)).toEqual([
      29900, 29901, 29902, 29903, 29904, 29905, 29906, 29907,
    ]);
    expect(last[7]).toEqual({ turn_index: 7, llm_prompt_tokens: 29907, turn_id: 'SP_turn7' });
    await w.close();
  });

  it('refuses to write a table whose column types are not the ones its rows are built for', () => {
    const spec = {
      name: 'turns',
      key: [],
      columns: [
        ['turn_index', 'int'],
        ['started_at', 'ts'],
      ],
    } as const;
    expect(() => checkColumnTypes(spec, [INTEGER, VARCHAR])).toThrow(
      'turns.started_at: written as ts, but the table has VARCHAR',
    );
    expect(() => checkColumnTypes(spec, [INTEGER])).toThrow('turns: the table has 1 columns, the writer 2');
    expect(() => checkColumnTypes(spec, [INTEGER, TIMESTAMPTZ])).not.toThrow();
  });

  it('migrations 2, 3 and 5 keep the rows a version-1 database holds, whole payloads included', async () => {
    // Rows as the worker wrote them at version 1: a current database's, less migration 3's
    // columns, with the whole payload in sessions.payload.
    const sample = scoredSample('sess_v1');
    const currentPath = join(dir, 'current.duckdb');
    const current = await DuckDbWarehouse.open(currentPath);
    await current.migrate();
    await current.upsertSessions([sample]);
    await current.close();
    const path = join(dir, 'v1.duckdb');
    const instance = await DuckDBInstance.create(path);
    const c = await instance.connect();
    await c.run(SCHEMA_MIGRATIONS_DDL);
    for (const sql of MIGRATIONS[0]?.statements ?? []) await c.run(renderStatement(sql, 'duckdb'));
    await c.run("INSERT INTO schema_migrations VALUES (1, 'initial warehouse schema', now())");
    await c.run(`ATTACH '${currentPath}' AS cur (READ_ONLY)`);
    // Less migration 3's, 4's, 5's and 8's columns too.
    await c.run(
      'INSERT INTO turns SELECT * EXCLUDE (payload_index, user_text, agent_text, perceived_latency_ms, stt_audio_duration_ms, user_speech_ms, agent_speech_ms) FROM cur.turns',
    );
    await c.run(
      'INSERT INTO sessions SELECT * EXCLUDE (latency_perceived_p50_ms, latency_perceived_p95_ms, tabled_extras) FROM cur.sessions',
    );
    await c.run('INSERT INTO signals SELECT * EXCLUDE (confidence, alternatives) FROM cur.signals');
    for (const t of ['tool_calls', 'leads']) await c.run(`INSERT INTO ${t} SELECT * FROM cur.${t}`);
    await c.run('UPDATE sessions SET payload = $1', [JSON.stringify(sample.payload)]);
    await c.run('DETACH cur');
    c.closeSync();
    instance.closeSync();

    const w = await DuckDbWarehouse.open(path);
    // An existing file keeps the block size it was made with; a new one gets the smaller blocks.
    const blockSize = async (wh: Warehouse) =>
      Number(
        (await wh.query("SELECT block_size FROM pragma_database_size() WHERE database_name = 'warehouse'"))[0]
          ?.block_size,
      );
    expect(await blockSize(w)).toBe(262_144);
    const fresh = await DuckDbWarehouse.open(join(dir, 'fresh.duckdb'));
    expect(await blockSize(fresh)).toBe(32_768);
    // What does not fit in memory spills beside the file, not into the working directory.
    const [temp] = await fresh.query("SELECT value FROM duckdb_settings() WHERE name = 'temp_directory'");
    expect(temp?.value).toBe(`${join(dir, 'fresh.duckdb')}.tmp`);
    await fresh.close();
    const before = await counts(w, 'sess_v1');
    expect(before).toMatchObject({ sessions: 1, leads: 1, turns: 6, tool_calls: 2, signals: 5 });
    // Every migration after 1 (2 and 3 rewrite these rows; later ones add tables).
    expect((await w.migrate()).applied).toEqual(MIGRATIONS.map((m) => m.version).filter((v) => v > 1));
    expect(await counts(w, 'sess_v1')).toEqual(before);
    // A payload stored whole before migration 3 reads back as it was.
    expect((await getSession(w, 'sess_v1'))?.payload).toEqual(sample.payload);
    // Child rows are still replaced, never doubled, without their keys.
    await w.upsertSessions([sample]);
    expect(await counts(w, 'sess_v1')).toEqual(before);
    const [keys] = await w.query<{ n: number }>(
      "SELECT count(*) AS n FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' AND table_name IN ('turns', 'tool_calls', 'signals')",
    );
    expect(Number(keys?.n)).toBe(0);
    // Written again, the session keeps its payload once (a slim row) and still reads back whole.
    const [row] = await w.query('SELECT payload FROM sessions WHERE session_id = $1', ['sess_v1']);
    expect(Object.keys(row?.payload as object)).not.toContain('turns');
    expect((await getSession(w, 'sess_v1'))?.payload?.turns).toHaveLength(6);
    await w.close();
  });
});
