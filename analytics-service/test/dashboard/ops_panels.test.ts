import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProgressSnapshot } from '../../../src/schema/index.js';
import { AlertEngine, DeadLetterLog, parseAlertConfig } from '../../src/alerts/index.js';
import { DEFAULT_SLAS } from '../../src/analysis/index.js';
import { type RunningApiServer, startApiServer } from '../../src/api/index.js';
import { LiveCalls } from '../../src/live/live_calls.js';
import { DuckDbWarehouse } from '../../src/warehouse/duckdb_warehouse.js';
import type { Warehouse } from '../../src/warehouse/types.js';
import { progressSnapshot } from '../live/snapshot_fixture.js';
import { erroredSession } from '../warehouse/scored_fixture.js';
import { launchChromium } from './chromium.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RESULTS = join(ROOT, 'test-results');
const MIN = 60_000;

function snap(id: string, seq: number, stage: ProgressSnapshot['stage']): ProgressSnapshot {
  const now = Date.now();
  return progressSnapshot(id, seq, {
    at: new Date(now).toISOString(),
    reason: 'interval',
    started_at: new Date(now - 95_000).toISOString(),
    agent: { name: 'sales', version: '1', prompt_version: 'sales-v3' },
    stage,
    turns: 4 + seq,
    user_messages: 4,
    signals: ['team_size', 'industry'],
    tool_calls: 1,
    latency: { e2e_last_ms: 1240, e2e_p50_ms: 1100, llm_ttft_last_ms: 520 },
    errors: { total: 1, by_component: { tts: 1 } },
  });
}

describe('dashboard alerts, error-rate and live panels (headless chromium)', () => {
  let dir: string;
  let wh: Warehouse;
  let server: RunningApiServer | undefined;
  let browser: Browser | undefined;
  const live = new LiveCalls({ expireAfterMs: 60_000 });

  beforeAll(async () => {
    browser = await launchChromium();
    dir = await mkdtemp(join(tmpdir(), 'sr-ops-dash-'));
    await mkdir(RESULTS, { recursive: true });
    wh = await DuckDbWarehouse.open(join(dir, 'ops.duckdb'));
    await wh.migrate();
    const now = Date.now();
    // 4 LLM errors in 30 turns: 13% against a 3% target.
    await wh.upsertSessions([
      erroredSession('s-1', now - 3 * MIN, 3),
      erroredSession('s-2', now - 2 * MIN, 1),
      erroredSession('s-3', now - MIN, 0),
    ]);
    const config = parseAlertConfig({
      rules: [
        { id: 'errors-llm', kind: 'error_rate', component: 'llm', window_minutes: 15, min_requests: 10 },
        { id: 'errors-tts', kind: 'error_rate', component: 'tts', window_minutes: 15, min_requests: 10 },
      ],
    });
    if (!config.ok) throw new Error(config.error);
    const alerts = await AlertEngine.open({
      warehouse: wh,
      config: config.value,
      slas: DEFAULT_SLAS,
      deadLetters: new DeadLetterLog(),
    });
    await alerts.evaluate();
    live.update(snap('call-live-a', 3, 'qualification'));
    live.update(snap('call-live-b', 1, 'discovery'));
    server = await startApiServer({ warehouse: wh, host: '127.0.0.1', port: 0, alerts, live });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await wh?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the firing alert with its evidence, error rates against targets, and live calls that come and go without a reload', async () => {
    const page = await browser!.newPage({ viewport: { width: 1440, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${server!.url}/dashboard?hours=24`);
    await page.waitForSelector('#alerts-panel li[data-state="firing"]');
    const alert = page.locator('#alerts-panel li[data-state="firing"]');
    await expect(alert.count()).resolves.toBe(1);
    const text = (await alert.textContent()) ?? '';
    expect(text).toContain('errors-llm · llm');
    expect(text).toContain('figure 13.3%');
    expect(text).toContain('threshold 3.0%');
    await expect(page.locator('#alerts-panel h2').textContent()).resolves.toBe('Alerts — 1 firing');

    await page.waitForSelector('#error-rates tbody tr[data-component="llm"]');
    await expect(page.locator('#error-rates tr[data-component="llm"]').getAttribute('class')).resolves.toBe(
      'over',
    );
    await expect(page.locator('#error-rates tr[data-component="llm"] td').nth(4).textContent()).resolves.toBe(
      '13.33%',
    );
    await expect(page.locator('#error-rates tr[data-component="tts"]').getAttribute('class')).resolves.toBe(
      '',
    );
    // The trend chart drew the LLM line with the rate of the bucket holding the errors.
    const llmTrend = await page.evaluate(() => {
      const g = globalThis as unknown as {
        Chart: {
          getChart(id: string): { data: { datasets: Array<{ label: string; data: Array<number | null> }> } };
        };
      };
      return g.Chart.getChart('chart-error-rates')?.data.datasets.find((d) => d.label === 'llm')?.data;
    });
    expect(llmTrend?.some((v) => v !== null && v > 3)).toBe(true);

    await page.waitForSelector('#live-calls tr[data-live]');
    const liveIds = () =>
      page
        .locator('#live-calls tr[data-live]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-live')));
    expect((await liveIds()).sort()).toEqual(['call-live-a', 'call-live-b']);
    const rowA = (await page.locator('#live-calls tr[data-live="call-live-a"]').textContent()) ?? '';
    expect(rowA).toContain('qualification');
    expect(rowA).toContain('team size, industry');
    expect(rowA).toContain('1240 ms');
    expect(rowA).toContain('1:35');
    await page.screenshot({ path: join(RESULTS, 'dashboard-ops-panels.png'), fullPage: true });

    // Without a reload: one call's final payload lands, another call starts.
    await page.evaluate(() => {
      (globalThis as unknown as { marker: number }).marker = 42;
    });
    live.end('call-live-a');
    live.update(snap('call-live-c', 1, 'greeting'));
    // The panel polls every 1.5 s: the next poll shows the change.
    await page.waitForSelector('#live-calls tr[data-live="call-live-c"]', { timeout: 5000 });
    await page.waitForSelector('#live-calls tr[data-live="call-live-a"]', {
      state: 'detached',
      timeout: 5000,
    });
    expect((await liveIds()).sort()).toEqual(['call-live-b', 'call-live-c']);
    await expect(page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).resolves.toBe(
      42,
    );
    await expect(page.locator('#live-panel h2').textContent()).resolves.toBe('Live now — 2 calls');
    expect(errors).toEqual([]);
    await page.close();
  });
});
