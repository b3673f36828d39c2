/**
 * The dashboard: one static page (`public/`) that polls the API and draws with Chart.js. Chart.js
 * is served straight from `node_modules` (resolved through the package, never copied into the
 * repo). Files are read once, when the routes are registered.
 *
 * Opening it in a browser: `http://<host>:<port>/dashboard?token=<ANALYTICS_API_TOKEN>` once; the
 * server swaps the token for an HttpOnly cookie and reloads without it (see `api/auth.ts`). Without
 * a token configured the server is loopback-only and the page opens directly.
 * Page parameters: `?hours=N` (aggregates window, default 24), `#session=<id>` (open a session).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public');

/** Path of Chart.js's UMD build inside the installed package. */
export function chartJsPath(): string {
  const require = createRequire(import.meta.url);
  // The package's `exports` map hides dist/chart.umd.js, so resolve the main entry and go beside it.
  return join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}

interface Asset {
  body: Buffer;
  type: string;
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export function registerDashboard(app: FastifyInstance): void {
  const assets = new Map<string, Asset>([
    ['/dashboard', { body: readFileSync(join(PUBLIC_DIR, 'index.html')), type: 'text/html; charset=utf-8' }],
    [
      '/dashboard/app.js',
      { body: readFileSync(join(PUBLIC_DIR, 'app.js')), type: 'text/javascript; charset=utf-8' },
    ],
    [
      '/dashboard/style.css',
      { body: readFileSync(join(PUBLIC_DIR, 'style.css')), type: 'text/css; charset=utf-8' },
    ],
    [
      '/dashboard/vendor/chart.umd.js',
      { body: readFileSync(chartJsPath()), type: 'text/javascript; charset=utf-8' },
    ],
  ]);
  for (const [path, asset] of assets) {
    app.get(path, async (_req, reply) =>
      reply
        .type(asset.type)
        .header('cache-control', path.includes('/vendor/') ? 'private, max-age=86400' : 'no-cache')
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .send(asset.body),
    );
  }
  app.get('/dashboard/', async (_req, reply) => reply.redirect('/dashboard', 302));
  app.get('/', async (_req, reply) => reply.redirect('/dashboard', 302));
}
