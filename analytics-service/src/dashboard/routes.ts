/**
 * The dashboard: one static page (`public/`) that polls the API and draws with Chart.js. Chart.js
 * is served straight from `node_modules` (resolved through the package, never copied into the
 * repo). Files are read once per process, when the routes are first registered, and compressed then (brotli and
 * gzip, picked by `accept-encoding`), with a content-hash ETag so a reload revalidates with a 304.
 *
 * First load: the page's HTML names the two API calls it starts with as `<link rel="preload">`, so
 * the browser fetches them while it loads the CSS and scripts instead of after (the page's own
 * `fetch` then takes the preloaded response).
 *
 * Opening it in a browser: `http://<host>:<port>/dashboard?token=<ANALYTICS_API_TOKEN>` once; the
 * server swaps the token for an HttpOnly cookie and reloads without it (see `api/auth.ts`). Without
 * a token configured the server is loopback-only and the page opens directly.
 * Page parameters: `?hours=N` (aggregates window, default 24), `#session=<id>` (open a session).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public');

/** Path of Chart.js's UMD build inside the installed package. */
export function chartJsPath(): string {
  const require = createRequire(import.meta.url);
  // The package's `exports` map hides dist/chart.umd.js, so resolve the main entry and go beside it.
  return join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}

interface Asset {
  type: string;
  cacheControl: string;
  etag: string;
  /** Body per content coding: `identity`, `br`, `gzip` (the last two only when smaller). */
  bodies: Map<string, Buffer>;
}

function asset(body: Buffer, type: string, cacheControl: string): Asset {
  const bodies = new Map<string, Buffer>([['identity', body]]);
  if (body.length > 1024) {
    const br = brotliCompressSync(body, {
      params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length },
    });
    const gz = gzipSync(body, { level: 9 });
    if (br.length < body.length) bodies.set('br', br);
    if (gz.length < body.length) bodies.set('gzip', gz);
  }
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { type, cacheControl, etag, bodies };
}

/**
 * Static files are read and compressed once per process (brotli of Chart.js takes ~0.1 s), by the
 * first server that registers the dashboard, not at import.
 */
const fileAssets = new Map<string, Asset>();
function fileAsset(path: string, type: string, cacheControl: string): Asset {
  let a = fileAssets.get(path);
  if (!a) {
    a = asset(readFileSync(path), type, cacheControl);
    fileAssets.set(path, a);
  }
  return a;
}

/** The best coding the client accepts (`br` over `gzip`); identity when it names neither. */
function coding(req: FastifyRequest, a: Asset): string {
  const accepted = String(req.headers['accept-encoding'] ?? '')
    .split(',')
    .map((x) => x.trim().split(';'))
    .filter(([, q]) => q === undefined || !/^q=0(\.0*)?$/.test(q.trim()))
    .map(([name]) => name?.toLowerCase());
  for (const c of ['br', 'gzip']) if (accepted.includes(c) && a.bodies.has(c)) return c;
  return 'identity';
}

/** `?hours=` as the page reads it (a positive whole number, default 24), or null when invalid. */
function pageHours(req: FastifyRequest): number | null {
  const raw = (req.query as Record<string, unknown> | undefined)?.hours;
  if (raw === undefined) return 24;
  return typeof raw === 'string' && /^[1-9][0-9]{0,4}$/.test(raw) ? Number(raw) : null;
}

/** The page with preload hints for its first API calls (the same URLs `app.js` fetches). */
function pageWithPreloads(html: string, hours: number | null): string {
  const urls = [...(hours === null ? [] : [`/api/aggregates?hours=${hours}`]), '/api/sessions?limit=25'];
  const links = urls.map((u) => `<link rel="preload" href="${u}" as="fetch" crossorigin>`).join('\n  ');
  return html.replace('<!-- preload -->', links);
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

function send(req: FastifyRequest, reply: FastifyReply, a: Asset): FastifyReply {
  reply
    .type(a.type)
    .header('cache-control', a.cacheControl)
    .header('etag', a.etag)
    .header('vary', 'accept-encoding')
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
  if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
  const c = coding(req, a);
  if (c !== 'identity') reply.header('content-encoding', c);
  return reply.send(a.bodies.get(c));
}

export function registerDashboard(app: FastifyInstance): void {
  const html = readFileSync(join(PUBLIC_DIR, 'index.html'), 'utf8');
  const text = (type: string) => `${type}; charset=utf-8`;
  // The page varies with ?hours= (its preload hints): one variant per window, built on first use.
  const pages = new Map<number | null, Asset>();
  const page = (hours: number | null): Asset => {
    let a = pages.get(hours);
    if (!a) {
      a = asset(Buffer.from(pageWithPreloads(html, hours)), text('text/html'), 'no-cache');
      if (pages.size < 64) pages.set(hours, a);
    }
    return a;
  };
  const assets = new Map<string, Asset>([
    ['/dashboard/app.js', fileAsset(join(PUBLIC_DIR, 'app.js'), text('text/javascript'), 'no-cache')],
    [
      '/dashboard/intelligence.js',
      fileAsset(join(PUBLIC_DIR, 'intelligence.js'), text('text/javascript'), 'no-cache'),
    ],
    ['/dashboard/style.css', fileAsset(join(PUBLIC_DIR, 'style.css'), text('text/css'), 'no-cache')],
    ['/dashboard/alerts.js', fileAsset(join(PUBLIC_DIR, 'alerts.js'), text('text/javascript'), 'no-cache')],
    ['/dashboard/live.js', fileAsset(join(PUBLIC_DIR, 'live.js'), text('text/javascript'), 'no-cache')],
    [
      '/dashboard/signal_confidence.js',
      fileAsset(join(PUBLIC_DIR, 'signal_confidence.js'), text('text/javascript'), 'no-cache'),
    ],
    ['/dashboard/voice.js', fileAsset(join(PUBLIC_DIR, 'voice.js'), text('text/javascript'), 'no-cache')],
    ['/dashboard/dom.js', fileAsset(join(PUBLIC_DIR, 'dom.js'), text('text/javascript'), 'no-cache')],
    [
      '/dashboard/vendor/chart.umd.js',
      fileAsset(chartJsPath(), text('text/javascript'), 'private, max-age=86400'),
    ],
  ]);
  app.get('/dashboard', async (req, reply) => send(req, reply, page(pageHours(req))));
  for (const [path, a] of assets) app.get(path, async (req, reply) => send(req, reply, a));
  app.get('/dashboard/', async (_req, reply) => reply.redirect('/dashboard', 302));
  app.get('/', async (_req, reply) => reply.redirect('/dashboard', 302));
}
