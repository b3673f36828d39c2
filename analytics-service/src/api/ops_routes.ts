/**
 * The operations routes: `GET /api/errors` (error rates by component against their thresholds),
 * `GET /api/alerts` (open and recent alerts with their evidence), `GET /api/live` (calls in
 * progress). Parameters are parsed with zod first; a bad one is a 400 naming it.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type ErrorThresholds, errorRateSeries, errorRates } from '../errors/error_rates.js';
import type { Warehouse } from '../warehouse/types.js';
import { badRequest } from './api_routes.js';
import { NoQuery, parseParams } from './params.js';

/** What `/api/alerts` lists (the alert engine implements it). */
export interface AlertsSource {
  list(opts: { state: 'firing' | 'resolved' | 'all'; limit: number }): Promise<unknown[]>;
  /** The rules being evaluated, for the dashboard's legend. */
  rules(): unknown[];
}

/** What `/api/live` lists (the worker's live-call registry implements it). */
export interface LiveSource {
  list(): unknown[];
}

export interface OpsRouteOptions {
  warehouse: Warehouse;
  now: () => Date;
  errorThresholds?: ErrorThresholds | undefined;
  alerts?: AlertsSource | undefined;
  live?: LiveSource | undefined;
}

export const ErrorsQuery = z
  .object({
    hours: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 366)
      .default(24),
    bucket_minutes: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(60),
  })
  .strict()
  .refine((q) => (q.hours * 60) / q.bucket_minutes <= 1000, {
    path: ['bucket_minutes'],
    message: 'too small for the window: at most 1000 buckets (hours × 60 ÷ bucket_minutes)',
  });

export const AlertsQuery = z
  .object({
    state: z.enum(['firing', 'resolved', 'all']).default('all'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export function registerOpsRoutes(app: FastifyInstance, opts: OpsRouteOptions): void {
  app.get('/api/errors', async (req, reply) => {
    const q = parseParams(ErrorsQuery, req.query);
    if (!q.ok) return badRequest(reply, q.error);
    const to = opts.now();
    const from = new Date(to.getTime() - q.value.hours * 3_600_000);
    const [summary, series] = await Promise.all([
      errorRates(opts.warehouse, {
        from,
        to,
        ...(opts.errorThresholds && { thresholds: opts.errorThresholds }),
      }),
      errorRateSeries(opts.warehouse, { from, to, bucketMinutes: q.value.bucket_minutes }),
    ]);
    reply.header('cache-control', 'no-store');
    return { generated_at: to.toISOString(), hours: q.value.hours, ...summary, series };
  });

  app.get('/api/alerts', async (req, reply) => {
    const q = parseParams(AlertsQuery, req.query);
    if (!q.ok) return badRequest(reply, q.error);
    reply.header('cache-control', 'no-store');
    if (!opts.alerts) return { enabled: false, alerts: [], rules: [] };
    const alerts = await opts.alerts.list(q.value);
    return { enabled: true, generated_at: opts.now().toISOString(), alerts, rules: opts.alerts.rules() };
  });

  app.get('/api/live', async (req, reply) => {
    const q = parseParams(NoQuery, req.query);
    if (!q.ok) return badRequest(reply, q.error);
    reply.header('cache-control', 'no-store');
    if (!opts.live) return { enabled: false, calls: [] };
    return { enabled: true, generated_at: opts.now().toISOString(), calls: opts.live.list() };
  });
}
