import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { type RunningApiServer, startApiServer } from '../../src/api/index.js';
import { loadConversations } from '../../src/demo/conversations.js';
import { type DemoRun, runDemo } from '../../src/demo/run_demo.js';
import { launchChromium } from './chromium.js';

const TOKEN = 'dashboard-test-token-0123456789';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RESULTS = join(ROOT, 'test-results');

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
    // Every chart drew something.
    for (const id of [
      'chart-tiers',
      'chart-funnel',
      'chart-outcomes',
      'chart-latency',
      'chart-cost',
      'chart-coverage',
    ]) {
      const box = await page.locator(`#${id}`).boundingBox();
      expect(box?.height, id).toBeGreaterThan(100);
    }
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

    await page.click('#back');
    await page.waitForSelector('#overview:not([hidden])');
    expect(errors).toEqual([]);
    await context.close();
  });
});
