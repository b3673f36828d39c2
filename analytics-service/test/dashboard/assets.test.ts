import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiServer } from '../../src/api/index.js';
import { DuckDbWarehouse } from '../../src/warehouse/duckdb_warehouse.js';

const TOKEN = 'assets-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('dashboard assets', () => {
  let wh: DuckDbWarehouse;
  let app: FastifyInstance;
  beforeAll(async () => {
    wh = await DuckDbWarehouse.open(':memory:');
    await wh.migrate();
    app = buildApiServer({ warehouse: wh, token: TOKEN });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await wh?.close();
  });
  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers: { ...auth, ...headers } });

  it('serves brotli or gzip when accepted, identity otherwise, the same bytes either way', async () => {
    const plain = await get('/dashboard/vendor/chart.umd.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('accept-encoding');
    const br = await get('/dashboard/vendor/chart.umd.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.rawPayload.length).toBeLessThan(plain.rawPayload.length / 2);
    expect(brotliDecompressSync(br.rawPayload).equals(plain.rawPayload)).toBe(true);
    const gz = await get('/dashboard/app.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).equals((await get('/dashboard/app.js')).rawPayload)).toBe(true);
    const refused = await get('/dashboard/app.js', { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('answers a matching If-None-Match with 304 and no body', async () => {
    const first = await get('/dashboard/style.css');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await get('/dashboard/style.css', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
  });

  it("names the page's first API calls as preloads, for the window in ?hours=", async () => {
    const page = (await get('/dashboard?hours=168')).body;
    expect(page).toContain('<link rel="preload" href="/api/aggregates?hours=168" as="fetch" crossorigin>');
    expect(page).toContain('<link rel="preload" href="/api/sessions?limit=25" as="fetch" crossorigin>');
    expect((await get('/dashboard')).body).toContain('href="/api/aggregates?hours=24"');
    const bad = (await get('/dashboard?hours=1.5%22%3E')).body;
    expect(bad).not.toContain('/api/aggregates');
    expect(bad).not.toContain('1.5"');
  });
});
