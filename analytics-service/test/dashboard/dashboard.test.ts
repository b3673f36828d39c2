/// <reference lib="dom" />
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { type RunningApiServer, startApiServer } from '../../src/api/index.js';
import { loadConversations } from '../../src/demo/conversations.js';
import { type DemoRun, runDemo } from '../../src/demo/run_demo.js';
import { launchChromium } from './chromium.js';

const TOKEN = 'dashboard-test-token-0123456789';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RESULTS = join(ROOT, 'test-results');

/** What the tests read of a Chart.js instance. */
type ChartInstance = {
  data: {
    labels?: unknown[];
    datasets: { data: unknown[]; backgroundColor?: unknown; borderColor?: unknown }[];
  };
};
type ChartGlobal = { Chart: { getChart(el: unknown): ChartInstance | undefined } };

const OVERVIEW_CHARTS = [
  'chart-tiers',
  'chart-funnel',
  'chart-outcomes',
  'chart-latency',
  'chart-cost',
  'chart-coverage',
];

/** The data a Chart.js instance on `#id` holds (labels, one number array per dataset). */
function chartData(page: Page, id: string): Promise<{ labels: string[]; values: number[][] }> {
  return page.evaluate((id) => {
    const c = (window as unknown as ChartGlobal).Chart.getChart(document.getElementById(id));
    if (!c) throw new Error(`no chart on #${id}`);
    return {
      labels: (c.data.labels ?? []).map(String),
      values: c.data.datasets.map((d) => d.data.map(Number)),
    };
  }, id);
}

/** Pixels of `#id`'s canvas: how many differ from a blank canvas, and how many have a dataset colour. */
function chartPixels(
  page: Page,
  id: string,
): Promise<{ total: number; differing: number; dataColoured: number; colours: number }> {
  return page.evaluate((id) => {
    const canvas = document.getElementById(id) as HTMLCanvasElement;
    const { width, height } = canvas;
    const drawn = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(
      0,
      0,
      width,
      height,
    ).data;
    const blankCanvas = document.createElement('canvas');
    blankCanvas.width = width;
    blankCanvas.height = height;
    const blank = (blankCanvas.getContext('2d') as CanvasRenderingContext2D).getImageData(
      0,
      0,
      width,
      height,
    ).data;
    // The colours the datasets are drawn in, as RGB (a 1×1 canvas parses any CSS colour).
    const chart = (window as unknown as ChartGlobal).Chart.getChart(canvas);
    const css = new Set<string>();
    for (const d of chart?.data.datasets ?? [])
      for (const c of [d.backgroundColor, d.borderColor].flat()) if (typeof c === 'string') css.add(c);
    const probe = document
      .createElement('canvas')
      .getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
    const rgbs = [...css].map((c) => {
      probe.clearRect(0, 0, 1, 1);
      probe.fillStyle = c;
      probe.fillRect(0, 0, 1, 1);
      return [...probe.getImageData(0, 0, 1, 1).data.slice(0, 3)];
    });
    let differing = 0;
    let dataColoured = 0;
    for (let i = 0; i < drawn.length; i += 4) {
      if (
        drawn[i] !== blank[i] ||
        drawn[i + 1] !== blank[i + 1] ||
        drawn[i + 2] !== blank[i + 2] ||
        drawn[i + 3] !== blank[i + 3]
      )
        differing += 1;
      if (
        (drawn[i + 3] as number) > 200 &&
        rgbs.some((c) => c.every((v, k) => Math.abs(v - (drawn[i + k] as number)) <= 6))
      )
        dataColoured += 1;
    }
    return { total: width * height, differing, dataColoured, colours: rgbs.length };
  }, id);
}

/** The chart on `#id` holds non-zero data and drew it: a user sees bars/slices, not an empty frame. */
async function expectChartDrawn(page: Page, id: string): Promise<void> {
  const data = await chartData(page, id);
  expect(data.labels.length, `${id} labels`).toBeGreaterThan(0);
  expect(
    data.values.flat().some((v) => Number.isFinite(v) && v > 0),
    `${id} has non-zero data`,
  ).toBe(true);
  const px = await chartPixels(page, id);
  expect(px.total, `${id} canvas size`).toBeGreaterThan(10_000);
  expect(px.colours, `${id} dataset colours`).toBeGreaterThan(0);
  // Axes and labels alone differ from blank too; the data's own colours must cover a visible area.
  expect(px.differing / px.total, `${id} pixels differing from a blank canvas`).toBeGreaterThan(0.02);
  expect(px.dataColoured / px.total, `${id} pixels in the data's colours`).toBeGreaterThan(0.005);
}

describe('dashboard (headless chromium)', () => {
  let dir: string;
  let run: DemoRun | undefined;
  let server: RunningApiServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    // Fails here, with the install command, when chromium is missing.
    browser = await launchChromium();
    dir = await mkdtemp(join(tmpdir(), 'sr-dash-'));
    await mkdir(RESULTS, { recursive: true });
    run = await runDemo({
      conversations: await loadConversations(join(ROOT, 'analytics-service/demo/conversations')),
      dataDir: dir,
      log: silentLogger,
      startAtMs: Date.now(),
    });
    server = await startApiServer({
      warehouse: run.worker.warehouse,
      token: TOKEN,
      host: '127.0.0.1',
      port: 0,
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await run?.worker.stop({ deadlineMs: 2000 });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses the dashboard and the API without the token (401)', async () => {
    const url = server!.url;
    for (const path of ['/dashboard', '/dashboard/app.js', '/api/sessions', '/api/aggregates']) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(401);
    }
    const page = await browser!.newPage();
    const res = await page.goto(`${url}/dashboard`);
    expect(res?.status()).toBe(401);
    await expect(page.locator('input[name="token"]').count()).resolves.toBe(1);
    await page.close();
  });

  it("loads with ?token=, shows the demo's sessions, and a click opens the session view with reasons", async () => {
    const context = await browser!.newContext({ viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${server!.url}/dashboard?token=${TOKEN}&hours=24`);
    expect(page.url()).not.toContain(TOKEN);
    await page.waitForSelector('#sessions tbody tr[data-session]');
    const ids = await page
      .locator('#sessions tbody tr[data-session]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-session')));
    expect(ids).toHaveLength(22);
    expect(ids).toContain('demo-01-legal-urgent-booking');
    await expect(page.locator('#kpis').textContent()).resolves.toContain('22');
    // Every chart drew its data: the Chart.js instance holds the API's numbers, and the canvas
    // differs from a blank one of the same size, in the colours of the data.
    const agg = (await (
      await fetch(`${server!.url}/api/aggregates?hours=24`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as {
      overall: { sessions: number; tiers: Record<string, number>; outcomes: Record<string, number> };
    };
    expect(agg.overall.sessions).toBe(22);
    for (const id of OVERVIEW_CHARTS) await expectChartDrawn(page, id);
    const tiers = await chartData(page, 'chart-tiers');
    expect(tiers.labels).toEqual(Object.keys(agg.overall.tiers));
    expect(tiers.values[0]).toEqual(Object.values(agg.overall.tiers));
    expect(tiers.values[0]!.reduce((a, b) => a + b, 0)).toBe(22);
    const outcomes = await chartData(page, 'chart-outcomes');
    expect(outcomes.values[0]!.reduce((a, b) => a + b, 0)).toBe(22);
    await page.screenshot({ path: join(RESULTS, 'dashboard.png'), fullPage: true });

    await page.click('#sessions tbody tr[data-session="demo-01-legal-urgent-booking"]');
    await page.waitForSelector('#reasons li.reason');
    await expect(page.locator('#session-title').textContent()).resolves.toContain(
      'demo-01-legal-urgent-booking',
    );
    await expect(page.locator('#reasons').textContent()).resolves.toContain('sales meeting was booked');
    await expect(page.locator('#signals').textContent()).resolves.toContain('a dozen attorneys');
    // Each signal says how sure the detector was (signal_confidence.js).
    await expect(page.locator('#signals .confidence').first().textContent()).resolves.toMatch(
      /^confidence 0\.\d\d/,
    );
    await expect(page.locator('#timeline').textContent()).resolves.toContain('book_sales_meeting');
    await expect(page.locator('#timeline').textContent()).resolves.toContain("We're a law firm");
    await page.screenshot({ path: join(RESULTS, 'session.png'), fullPage: true });

    await expectChartDrawn(page, 'chart-turns');
    await page.click('#back');
    await page.waitForSelector('#overview:not([hidden])');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows post-call intelligence: window aggregates, and per session the summary, quotes, sentiment beside the timeline, scorecard', async () => {
    const context = await browser!.newContext({ viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server!.url}/dashboard?token=${TOKEN}&hours=24`);
    await page.waitForSelector('#intel-kpis .kpi');
    const overview = await page.locator('#intelligence-overview').textContent();
    expect(overview).toContain('21 of 22'); // analysed by the (replayed) LLM
    expect(overview).toMatch(/quotes discarded\s*2|2\s*quotes discarded/);
    expect(overview).toContain('buying_stage 21/22');

    await page.goto(`${server!.url}/dashboard#session=demo-01-legal-urgent-booking`);
    await page.waitForSelector('#intel-analysis .intel-summary');
    const intel = await page.locator('#intelligence').textContent();
    expect(intel).toContain('Law firm of about 12 attorneys');
    expect(intel).toContain('our engagement letters take forever'); // the quote behind pain_point
    expect(intel).toContain('sentiment at start');
    expect(intel).toContain('Scorecard');
    expect(intel).toContain('the prospect wants to move now');
    // The sentiment chart sits right after the turn timeline and drew something.
    const order = await page
      .locator('#timeline')
      .evaluate((el) => el.closest('.card')?.nextElementSibling?.getAttribute('id'));
    expect(order).toBe('intelligence');
    expect((await page.locator('#chart-sentiment').boundingBox())?.height).toBeGreaterThan(50);
    await page.screenshot({ path: join(RESULTS, 'session-intelligence.png'), fullPage: true });

    await page.goto(`${server!.url}/dashboard#session=demo-13-freight-disconnect`);
    await page.locator('#session-title', { hasText: 'demo-13-freight-disconnect' }).waitFor();
    // Its recorded answer is cut off on purpose: the view says so, the rest of the session is there.
    await page.locator('.intel-status', { hasText: 'LLM analysis invalid json' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
