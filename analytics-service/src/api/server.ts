/**
 * The worker's HTTP server: `/api/*` (JSON and CSV), `/dashboard` (one page, Chart.js),
 * `/metrics` (Prometheus text) and `/healthz` (open, no token).
 *
 * Auth: with a token configured every route but `/healthz` needs it (see `auth.ts`); without one
 * the server binds to 127.0.0.1 only, whatever host was asked for, and logs that it did.
 */
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { type Logger, silentLogger } from '../../../src/log.js';
import { DEFAULT_SLAS } from '../analysis/index.js';
import { registerDashboard } from '../dashboard/routes.js';
import type { ErrorThresholds } from '../errors/error_rates.js';
import type { Warehouse } from '../warehouse/types.js';
import type { SlaTable } from './aggregate_queries.js';
import { registerApiRoutes } from './api_routes.js';
import { authCookieHeader, checkAuth, safeEqual } from './auth.js';
import { loginPage } from './login_page.js';
import { type AlertsSource, type LiveSource, registerOpsRoutes } from './ops_routes.js';
import { type RetentionTimer, scheduleRetention } from './retention.js';

/** Where `/metrics` text comes from: the worker's prom-client registry (or anything shaped like it). */
export interface MetricsSource {
  /** The exposition text. */
  metrics(): Promise<string>;
  /** Its content type, e.g. `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
}

export interface ApiServerOptions {
  warehouse: Warehouse;
  /** `ANALYTICS_API_TOKEN`; undefined = no auth, loopback only. */
  token?: string | undefined;
  log?: Logger;
  metrics?: MetricsSource | undefined;
  /** p95 SLAs per latency component, shown beside the measured percentiles (default: the worker's). */
  slas?: SlaTable;
  /** Serve the dashboard (default true). */
  dashboard?: boolean;
  /** Scheduled retention; off when omitted. */
  retention?: { days: number; everyMs: number } | undefined;
  /** Clock for the aggregates window (tests pin it). */
  now?: () => Date;
  aggregatesCacheMs?: number;
  /** Error-rate targets by component for `/api/errors` (default: the brief's). */
  errorThresholds?: ErrorThresholds | undefined;
  /** The worker's alert engine and live calls, for `/api/alerts` and `/api/live`. */
  alerts?: AlertsSource | undefined;
  live?: LiveSource | undefined;
}

const OPEN_PATHS = new Set(['/healthz']);
const DASHBOARD_PAGES = new Set(['/', '/dashboard', '/dashboard/']);

function pathOf(req: FastifyRequest): string {
  const q = req.url.indexOf('?');
  return q < 0 ? req.url : req.url.slice(0, q);
}

function wantsHtml(req: FastifyRequest): boolean {
  const path = pathOf(req);
  return path === '/' || path.startsWith('/dashboard');
}

function refuse(req: FastifyRequest, reply: FastifyReply, why: 'missing' | 'invalid'): FastifyReply {
  reply.code(401).header('www-authenticate', 'Bearer realm="signalroom"');
  if (wantsHtml(req)) return reply.type('text/html; charset=utf-8').send(loginPage(why));
  const message =
    why === 'missing'
      ? 'missing credentials: send "Authorization: Bearer <ANALYTICS_API_TOKEN>"'
      : 'invalid token';
  return reply.send({ error: 'unauthorized', message });
}

export function buildApiServer(opts: ApiServerOptions): FastifyInstance {
  const log = (opts.log ?? silentLogger).child({ component: 'api' });
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
    // A path that does not decode (bad percent-escapes, escaped lone surrogates) is the caller's
    // error: answered in the API's own 400 shape, naming the path parameter when there is one.
    frameworkErrors: (err, req, res) => {
      const reply = res as unknown as FastifyReply;
      const status = err.statusCode ?? 500;
      if (status !== 400) {
        return reply.code(status).send({
          error: status >= 500 ? 'internal' : 'bad_request',
          message: status >= 500 ? 'internal error' : err.message,
        });
      }
      const parameter = pathOf(req).startsWith('/api/sessions/') ? 'id' : '(path)';
      return reply.code(400).send({
        error: 'bad_request',
        parameter,
        message: `invalid parameter "${parameter}": the URL does not decode as UTF-8`,
      });
    },
  });
  const token = opts.token;

  app.addHook('onRequest', async (req, reply) => {
    const path = pathOf(req);
    if (token === undefined || OPEN_PATHS.has(path)) return;
    const query = req.query as Record<string, unknown> | undefined;
    const fromUrl = query?.token;
    if (typeof fromUrl === 'string' && req.method === 'GET' && DASHBOARD_PAGES.has(path)) {
      if (!safeEqual(fromUrl, token)) return refuse(req, reply, 'invalid');
      // Keep the token out of the address bar and history: store a cookie and reload without it.
      const params = new URLSearchParams(req.url.slice(req.url.indexOf('?') + 1));
      params.delete('token');
      const rest = params.toString();
      return reply
        .code(303)
        .header('set-cookie', authCookieHeader(token, req.protocol === 'https'))
        .header('location', `/dashboard${rest ? `?${rest}` : ''}`)
        .send();
    }
    const verdict = checkAuth(token, {
      authorization: req.headers.authorization,
      cookie: req.headers.cookie,
      method: req.method,
    });
    if (verdict !== 'ok') return refuse(req, reply, verdict);
  });

  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${pathOf(req)}` }),
  );
  app.setErrorHandler((err: { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err, route: pathOf(req) }, 'request failed');
    return reply.code(status).send({
      error: status === 500 ? 'internal' : 'bad_request',
      message: status === 500 ? 'internal error' : String((err as Error).message),
    });
  });

  app.get('/healthz', async (_req, reply) => {
    try {
      await opts.warehouse.query('SELECT 1 AS ok');
      return { status: 'ok' };
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });

  app.get('/metrics', async (_req, reply) => {
    if (!opts.metrics) return reply.type('text/plain; version=0.0.4; charset=utf-8').send('');
    return reply.type(opts.metrics.contentType).send(await opts.metrics.metrics());
  });

  registerApiRoutes(app, {
    warehouse: opts.warehouse,
    slas: opts.slas ?? DEFAULT_SLAS,
    now: opts.now ?? (() => new Date()),
    aggregatesCacheMs: opts.aggregatesCacheMs ?? 2000,
  });
  registerOpsRoutes(app, {
    warehouse: opts.warehouse,
    now: opts.now ?? (() => new Date()),
    errorThresholds: opts.errorThresholds,
    alerts: opts.alerts,
    live: opts.live,
  });
  if (opts.dashboard !== false) registerDashboard(app);

  let timer: RetentionTimer | null = null;
  if (opts.retention) {
    const retention = opts.retention;
    app.addHook('onReady', async () => {
      timer = scheduleRetention(opts.warehouse, { ...retention, log });
    });
    app.addHook('onClose', async () => timer?.stop());
  }
  return app;
}

export interface RunningApiServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** False when no token is configured (and the server is loopback-only). */
  readonly authRequired: boolean;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

export const LOOPBACK = '127.0.0.1';

/** Builds and starts the server; without a token it binds to 127.0.0.1 whatever `host` says. */
export async function startApiServer(
  opts: ApiServerOptions & { host?: string; port?: number },
): Promise<RunningApiServer> {
  const log = (opts.log ?? silentLogger).child({ component: 'api' });
  const authRequired = opts.token !== undefined;
  const host = authRequired ? (opts.host ?? '0.0.0.0') : LOOPBACK;
  if (!authRequired) {
    log.warn(
      { host, requestedHost: opts.host ?? null },
      'ANALYTICS_API_TOKEN not set: API and dashboard are unauthenticated and bound to 127.0.0.1 only',
    );
  }
  const app = buildApiServer(opts);
  await app.listen({ host, port: opts.port ?? 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 0);
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  log.info({ host, port, authRequired }, 'api listening');
  return { url: `http://${shown}:${port}`, host, port, authRequired, app, close: () => app.close() };
}
