/**
 * The `/api/*` routes. Each parses its parameters with zod first (a bad one is a 400 naming it),
 * then reads the warehouse through the query modules.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Warehouse } from '../warehouse/types.js';
import { type AggregatesResult, aggregates, type SlaTable } from './aggregate_queries.js';
import { exportCsv } from './export_csv.js';
import { registerIntelligenceRoutes } from './intelligence_queries.js';
import {
  AggregatesQuery,
  ExportQuery,
  LeadsQuery,
  NoQuery,
  type ParamError,
  parseParams,
  RetentionQuery,
  SessionIdParam,
  SessionsQuery,
} from './params.js';
import { applyRetention } from './retention.js';
import { decodeCursor, getSession, listLeads, listSessions } from './session_queries.js';

export interface ApiRouteOptions {
  warehouse: Warehouse;
  slas: SlaTable;
  now: () => Date;
  /**
   * Aggregates are cached this long (the dashboard polls; several tabs share one result); the
   * answer says so (`cache-control`, `age`, `generated_at`). 0 turns the cache off.
   */
  aggregatesCacheMs: number;
}

export function badRequest(reply: FastifyReply, e: ParamError): FastifyReply {
  return reply.code(400).send({ error: 'bad_request', parameter: e.parameter, message: e.message });
}

export function registerApiRoutes(app: FastifyInstance, opts: ApiRouteOptions): void {
  const wh = opts.warehouse;
  const cache = new Map<number, { at: number; value: Promise<AggregatesResult> }>();

  app.get('/api/sessions', async (req, reply) => {
    const q = parseParams(SessionsQuery, req.query);
    if (!q.ok) return badRequest(reply, q.error);
    const { cursor, ...f } = q.value;
    if (cursor !== undefined && f.offset > 0) {
      return badRequest(reply, { parameter: 'cursor', message: 'use either "cursor" or "offset", not both' });
    }
    const decoded = cursor === undefined ? undefined : decodeCursor(cursor);
    if (decoded === null) {
      return badRequest(reply, {
        parameter: 'cursor',
        message: 'invalid parameter "cursor": not a next_cursor value',
      });
    }
    return listSessions(wh, { ...f, ...(decoded ? { cursor: decoded } : {}) });
  });

  app.get('/api/sessions/:id', async (req, reply) => {
    const p = parseParams(SessionIdParam, req.params);
    if (!p.ok) return badRequest(reply, p.error);
    const q = parseParams(NoQuery, req.query);
    if (!q.ok) return badRequest(reply, q.error);
    const detail = await getSession(wh, p.value.id);
    if (!detail) {
      return reply
        .code(404)
        .send({ error: 'not_found', message: `no session with id "${p.value.id}" in the warehouse` });
    }
    return detail;
  });

  app.get('/api/leads', async (req, reply) => {
    const q = parseParams(LeadsQuery, req.query);
    if (!q.ok) return badRequest(reply, q.error);
    const { min_score, ...f } = q.value;
    return listLeads(wh, { ...f, minScore: min_score });
  });

  app.get('/api/aggregates', async (req, reply) => {
    const q = parseParams(AggregatesQuery, req.query);
    if (!q.ok) return badRequest(reply, q.error);
    const now = opts.now();
    // Say how fresh the numbers are: `generated_at` in the body, `age` on a cached answer, and
    // a max-age no longer than the cache keeps them.
    const maxAgeS = Math.floor(opts.aggregatesCacheMs / 1000);
    reply.header('cache-control', maxAgeS > 0 ? `private, max-age=${maxAgeS}` : 'no-store');
    const hit = cache.get(q.value.hours);
    if (hit && now.getTime() - hit.at < opts.aggregatesCacheMs) {
      reply.header('age', String(Math.floor((now.getTime() - hit.at) / 1000)));
      return hit.value;
    }
    const value = aggregates(wh, { hours: q.value.hours, now, slas: opts.slas });
    cache.set(q.value.hours, { at: now.getTime(), value });
    value.catch(() => cache.delete(q.value.hours));
    return value;
  });

  registerIntelligenceRoutes(app, { warehouse: wh, now: opts.now });

  app.get('/api/export.csv', async (req, reply) => {
    const q = parseParams(ExportQuery, req.query);
    if (!q.ok) return badRequest(reply, q.error);
    const stamp = opts.now().toISOString().slice(0, 10);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="signalroom-${q.value.kind}-${stamp}.csv"`)
      .send(Readable.from(exportCsv(wh, q.value)));
  });

  app.post('/api/retention', async (req, reply) => {
    const body = req.body !== null && typeof req.body === 'object' ? req.body : {};
    const q = parseParams(RetentionQuery, { ...body, ...(req.query as object) });
    if (!q.ok) return badRequest(reply, q.error);
    cache.clear();
    return applyRetention(wh, q.value.days, opts.now());
  });
}
