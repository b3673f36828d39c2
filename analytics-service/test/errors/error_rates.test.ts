import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionError, SessionPayload } from '../../../src/schema/index.js';
import { samplePayload } from '../../../src/schema/testing/index.js';
import { buildApiServer } from '../../src/api/index.js';
import { errorRateSeries, errorRates } from '../../src/errors/error_rates.js';
import { DuckDbWarehouse } from '../../src/warehouse/duckdb_warehouse.js';
import { PostgresWarehouse } from '../../src/warehouse/postgres_warehouse.js';
import type { Warehouse } from '../../src/warehouse/types.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { scoredFromPayload } from '../warehouse/scored_fixture.js';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const H = 3_600_000;

function err(component: SessionError['component'], extra: Partial<SessionError> = {}): SessionError {
  return {
    at: new Date(NOW.getTime() - H).toISOString(),
    source: component === 'tool' ? 'tool:book_sales_meeting' : String(component),
    message: 'boom',
    recoverable: false,
    component,
    type: component === 'tool' ? 'tool_error' : 'APIStatusError',
    severity: 'error',
    recovered: false,
    ...extra,
  };
}

/** A session of `turns` turns ending `hoursAgo` before NOW with these errors. */
function session(id: string, hoursAgo: number, turns: number, errors: SessionError[], toolCalls = 0) {
  const base = samplePayload({ session_id: id }, { turns });
  const ended = NOW.getTime() - hoursAgo * H;
  const tool = base.tool_calls[0];
  const payload: SessionPayload = {
    ...base,
    started_at: new Date(ended - base.duration_ms).toISOString(),
    ended_at: new Date(ended).toISOString(),
    tool_calls: tool ? Array.from({ length: toolCalls }, (_, i) => ({ ...tool, call_id: `c${i}` })) : [],
    errors,
  };
  return scoredFromPayload(payload);
}

// Last 24 h: 3 sessions, 10 + 10 + 20 = 40 turns, 5 tool calls.
// LLM 2 errors (1 recovered), STT 1, TTS 1, tool 1, plugin handler error 1 (not in overall).
const DATA = [
  session('s1', 1.5, 10, [
    err('llm', { severity: 'warning', recoverable: true, recovered: true, attempt: 1 }),
    err('llm', { attempt: 2 }),
  ]),
  session('s2', 2.5, 10, [err('stt'), err('tool', { severity: 'warning', recoverable: true })], 5),
  session('s3', 5.5, 20, [
    err('tts'),
    { at: NOW.toISOString(), source: 'analytics', message: 'handler failed: x', recoverable: true },
  ]),
  // Outside the window.
  session('old', 30, 10, [err('llm'), err('llm'), err('llm')]),
  // An older plugin's payload: no component, read from `source`.
  session('legacy', 3.5, 0, [{ at: NOW.toISOString(), source: 'tts', message: 'x', recoverable: true }]),
];

let dir: string;
let pgServer: TestPostgres | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-errors-'));
});
afterAll(async () => {
  await pgServer?.stop();
  await rm(dir, { recursive: true, force: true });
});

function suite(name: string, open: () => Promise<Warehouse>) {
  describe(`error rates by component (${name})`, () => {
    let wh: Warehouse;
    beforeAll(async () => {
      wh = await open();
      await wh.migrate();
      await wh.upsertSessions(DATA);
    });
    afterAll(async () => wh?.close());

    it('divides each component’s errors by the window’s turns (tool: by tool calls) and flags thresholds', async () => {
      const r = await errorRates(wh, { from: new Date(NOW.getTime() - 24 * H), to: NOW });
      expect({ sessions: r.sessions, turns: r.turns, tool_calls: r.tool_calls }).toEqual({
        sessions: 4,
        turns: 40,
        tool_calls: 5,
      });
      const by = Object.fromEntries(r.rates.map((x) => [x.component, x]));
      expect(by.llm).toMatchObject({
        errors: 2,
        unrecovered: 1,
        requests: 40,
        rate: 0.05,
        threshold: 0.03,
        breached: true,
      });
      expect(by.stt).toMatchObject({ errors: 1, rate: 0.025, threshold: 0.02, breached: true });
      // TTS: s3's error and the legacy payload's (source `tts`) = 2 / 40.
      expect(by.tts).toMatchObject({ errors: 2, rate: 0.05, threshold: 0.01, breached: true });
      expect(by.vad).toMatchObject({ errors: 0, rate: 0, breached: false });
      expect(by.tool).toMatchObject({ per: 'tool_call', errors: 1, requests: 5, rate: 0.2 });
      // Overall leaves out the plugin's own handler error: (2 + 1 + 2 + 1) / 40.
      expect(by.overall).toMatchObject({ errors: 6, rate: 0.15, threshold: 0.05, breached: true });
      expect(r.by_type.find((t) => t.component === 'llm' && t.severity === 'error')).toMatchObject({
        type: 'APIStatusError',
        count: 1,
        recovered: 0,
      });
      expect(r.by_type.find((t) => t.component === 'llm' && t.severity === 'warning')).toMatchObject({
        count: 1,
        recovered: 1,
      });
    });

    it('stays under the thresholds on a clean window, and gives null (not 0) without turns', async () => {
      const quiet = await errorRates(wh, { from: new Date(NOW.getTime() - 1 * H), to: NOW });
      expect(quiet.rates.every((x) => x.rate === null && !x.breached)).toBe(true);
      const r = await errorRates(wh, {
        from: new Date(NOW.getTime() - 24 * H),
        to: NOW,
        thresholds: { overall: 0.5, stt: 0.5, llm: 0.5, tts: 0.5, vad: 0.5, tool: 0.5 },
      });
      expect(r.rates.some((x) => x.breached)).toBe(false);
    });

    it('buckets the same rates over time', async () => {
      const pts = await errorRateSeries(wh, {
        from: new Date(NOW.getTime() - 6 * H),
        to: NOW,
        bucketMinutes: 60,
      });
      expect(pts).toHaveLength(6);
      expect(pts[0]?.from).toBe(new Date(NOW.getTime() - 6 * H).toISOString());
      // s3 ended 5.5 h ago (bucket 0), s2 2.5 h ago (bucket 3), s1 1.5 h ago (bucket 4).
      expect(pts[0]).toMatchObject({ turns: 20, rates: { tts: 0.05, overall: 0.05 } });
      expect(pts[3]).toMatchObject({ turns: 10, tool_calls: 5, rates: { stt: 0.1, tool: 0.2 } });
      expect(pts[4]?.rates.llm).toBe(0.2);
      expect(pts[1]?.rates.overall).toBeNull();
    });
  });
}

suite('duckdb', () => DuckDbWarehouse.open(join(dir, 'errors.duckdb')));
suite('postgres', async () => {
  pgServer = await startPostgres();
  return PostgresWarehouse.open(await pgServer.createDatabase('errors_test'));
});

describe('GET /api/errors', () => {
  let wh: Warehouse;
  beforeAll(async () => {
    wh = await DuckDbWarehouse.open(join(dir, 'api.duckdb'));
    await wh.migrate();
    await wh.upsertSessions(DATA);
  });
  afterAll(async () => wh?.close());

  it('answers rates, thresholds and a series; 400 naming a bad parameter', async () => {
    const app = buildApiServer({
      warehouse: wh,
      now: () => NOW,
      dashboard: false,
      errorThresholds: { overall: 0.2, stt: 0.02, llm: 0.03, tts: 0.01, vad: 0.02, tool: 0.05 },
    });
    const ok = await app.inject({ url: '/api/errors?hours=6&bucket_minutes=30' });
    expect(ok.statusCode).toBe(200);
    const body = ok.json();
    expect(body.series).toHaveLength(12);
    expect(body.rates.find((r: { component: string }) => r.component === 'overall')).toMatchObject({
      threshold: 0.2,
      breached: false,
    });
    for (const [q, parameter] of [
      ['hours=0', 'hours'],
      ['hours=abc', 'hours'],
      ['hours=48&bucket_minutes=1', 'bucket_minutes'],
      ['window=3', 'window'],
    ] as const) {
      const bad = await app.inject({ url: `/api/errors?${q}` });
      expect(bad.statusCode, q).toBe(400);
      expect(bad.json().parameter, q).toBe(parameter);
    }
    await app.close();
  });
});
