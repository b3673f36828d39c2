import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type OpenAICompatibleServer,
  startOpenAICompatibleServer,
} from '../../../src/testing/openai_compatible_server.js';
import { DEFAULT_SLAS } from '../../src/analysis/index.js';
import { CallAnalyser } from '../../src/intelligence/analyse_call.js';
import { defaultAnalysisConfig } from '../../src/intelligence/analysis_config.js';
import { parseReanalyseArgs, reanalyse } from '../../src/intelligence/reanalyse.js';
import { warehouseAnalysisCache } from '../../src/intelligence/warehouse_cache.js';
import { defaultPriceBook } from '../../src/pricing/index.js';
import { defaultScoringConfig } from '../../src/scoring/scoring_config.js';
import type { ScoredSession } from '../../src/types.js';
import { DuckDbWarehouse } from '../../src/warehouse/duckdb_warehouse.js';
import { scoredFromPayload } from '../warehouse/scored_fixture.js';
import { analysedSession } from './analysed.js';
import { answerText } from './answers.js';
import { callWithTranscript } from './fixtures.js';

let dir: string;
let wh: DuckDbWarehouse;
let llm: OpenAICompatibleServer;
let first: ScoredSession;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-reanalyse-'));
  wh = await DuckDbWarehouse.open(join(dir, 'wh.duckdb'));
  await wh.migrate();
  first = await analysedSession();
  const other = scoredFromPayload({ ...callWithTranscript(['Hi', 'Bye now']), session_id: 'sess_other' });
  await wh.upsertSessions([first, other]);
  llm = await startOpenAICompatibleServer({ reply: [{ content: answerText() }] });
});
afterAll(async () => {
  await llm.close();
  await wh.close();
  await rm(dir, { recursive: true, force: true });
});

const deps = { priceBook: defaultPriceBook(), scoring: defaultScoringConfig(), slas: DEFAULT_SLAS };
const analyser = (version: string) =>
  new CallAnalyser({
    env: {
      baseUrl: llm.baseURL,
      model: 'gpt-4o-mini',
      apiKey: 'k',
      provider: 'openai',
      timeoutMs: 5000,
      maxAttempts: 1,
      configPath: undefined,
    },
    config: { ...defaultAnalysisConfig(), version },
    cache: warehouseAnalysisCache(wh),
  });
const stored = async (id: string) =>
  (
    await wh.query(
      'SELECT analysis_config_version, analysis_status FROM call_intelligence WHERE session_id = $1',
      [id],
    )
  )[0];

describe('npm run reanalyse', () => {
  it('re-runs the analysis of stored sessions after a config change, then reuses it on a second run', async () => {
    const v2 = analyser('analysis-v2');
    expect(v2.configVersion).not.toBe(first.intelligence?.config_version);
    const since = new Date('2026-01-01T00:00:00Z');
    const before = llm.chatRequests().length;
    const run1 = await reanalyse({
      warehouse: wh,
      analyser: v2,
      deps,
      since,
      sessionIds: [first.session_id],
    });
    expect(run1).toEqual({ sessions: 1, reused: 0, byStatus: { ok: 1 } });
    expect(llm.chatRequests().length - before).toBe(1);
    expect(await stored(first.session_id)).toEqual({
      analysis_config_version: v2.configVersion,
      analysis_status: 'ok',
    });
    // The other session was not asked for.
    expect((await stored('sess_other'))?.analysis_status).toBe('off');
    const run2 = await reanalyse({
      warehouse: wh,
      analyser: v2,
      deps,
      since,
      sessionIds: [first.session_id],
    });
    expect(run2).toEqual({ sessions: 1, reused: 1, byStatus: { ok: 1 } });
    expect(llm.chatRequests().length - before).toBe(1);
  });

  it('takes every session that ended since the time, and none after it', async () => {
    const seen: string[] = [];
    const r = await reanalyse({
      warehouse: wh,
      analyser: analyser('analysis-v2'),
      deps,
      since: new Date('2026-01-01T00:00:00Z'),
      onSession: (s) => seen.push(`${s.session_id}:${s.status}`),
    });
    expect(r.sessions).toBe(2);
    expect(seen).toEqual(expect.arrayContaining([`${first.session_id}:ok`, 'sess_other:ok']));
    const none = await reanalyse({
      warehouse: wh,
      analyser: analyser('analysis-v2'),
      deps,
      since: new Date('2030-01-01'),
    });
    expect(none.sessions).toBe(0);
  });

  it('names a bad or missing --since', () => {
    expect(parseReanalyseArgs([])).toMatchObject({
      ok: false,
      error: expect.stringContaining('--since is required'),
    });
    expect(parseReanalyseArgs(['--since', 'soon'])).toMatchObject({
      ok: false,
      error: expect.stringContaining('"soon" is not a date'),
    });
    expect(parseReanalyseArgs(['--since', '2026-11-01', '--session', 'a', '--session', 'b'])).toMatchObject({
      ok: true,
      sessions: ['a', 'b'],
    });
  });
});
