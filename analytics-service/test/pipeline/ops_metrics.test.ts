import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { ATTR_KIND, ATTR_SESSION_ID, KIND_PROGRESS } from '../../../src/queue/encoding.js';
import { DeadLetter, type QueueMessage } from '../../../src/queue/types.js';
import { type AlertNotifier, parseAlertConfig } from '../../src/alerts/index.js';
import { loadWorkerConfig } from '../../src/config.js';
import { createWorkerMetrics } from '../../src/pipeline/metrics.js';
import { openOps } from '../../src/pipeline/ops.js';
import { DuckDbWarehouse } from '../../src/warehouse/duckdb_warehouse.js';
import { progressSnapshot } from '../live/snapshot_fixture.js';
import { erroredSession } from '../warehouse/scored_fixture.js';

const MIN = 60_000;

function snapshotMessage(sessionId: string, seq: number): QueueMessage {
  const now = Date.now();
  const s = progressSnapshot(sessionId, seq, {
    at: new Date(now).toISOString(),
    started_at: new Date(now - 30_000).toISOString(),
  });
  return {
    id: `${sessionId}-${seq}`,
    body: JSON.stringify(s),
    attributes: { [ATTR_KIND]: KIND_PROGRESS },
    attempt: 1,
  };
}

const line = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(name));

describe('operations metrics on /metrics: alerts firing, notifications, snapshots, live calls', () => {
  let dir: string;
  let wh: DuckDbWarehouse;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sr-ops-metrics-'));
    wh = await DuckDbWarehouse.open(join(dir, 'ops.duckdb'));
    await wh.migrate();
    const now = Date.now();
    // 4 LLM errors in 30 turns: 13% against the 3% target.
    await wh.upsertSessions([
      erroredSession('s-1', now - 3 * MIN, 3),
      erroredSession('s-2', now - 2 * MIN, 1),
      erroredSession('s-3', now - MIN, 0),
    ]);
  });

  afterAll(async () => {
    await wh?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('counts what a dashboard of the worker needs', async () => {
    const config = loadWorkerConfig({ WAREHOUSE_PII_MODE: 'none' });
    const rules = parseAlertConfig({
      rules: [
        { id: 'errors-llm', kind: 'error_rate', component: 'llm', window_minutes: 15, min_requests: 10 },
        { id: 'errors-tts', kind: 'error_rate', component: 'tts', window_minutes: 15, min_requests: 10 },
      ],
    });
    if (!rules.ok) throw new Error(rules.error);
    const notifiers: AlertNotifier[] = [
      { name: 'slack', notify: async () => ({ ok: true }) },
      { name: 'webhook', notify: async () => ({ ok: false, error: 'HTTP 500' }) },
    ];
    const metrics = createWorkerMetrics();
    const ops = await openOps(
      config,
      wh,
      silentLogger,
      { alerts: rules.value, alertNotifiers: notifiers },
      metrics,
    );
    await ops.alerts?.evaluate();

    const route = ops.route(async () => undefined);
    const ctx = { attempt: 1 } as Parameters<typeof route>[1];
    await route(snapshotMessage('call-a', 1), ctx);
    await route(snapshotMessage('call-a', 2), ctx);
    await route(snapshotMessage('call-a', 2), ctx); // a redelivery: older than the one kept
    await route(snapshotMessage('call-b', 1), ctx);
    await expect(
      route(
        { id: 'bad', body: '{"kind":"progress"}', attributes: { [ATTR_KIND]: KIND_PROGRESS }, attempt: 1 },
        ctx,
      ),
    ).rejects.toBeInstanceOf(DeadLetter);

    const text = await metrics.registry.metrics();
    expect(line(text, 'signalroom_alerts_firing{')).toEqual([
      'signalroom_alerts_firing{rule="errors-llm"} 1',
    ]);
    expect(line(text, 'signalroom_alert_notifications_total{').sort()).toEqual([
      'signalroom_alert_notifications_total{notifier="slack",event="fired",status="ok"} 1',
      'signalroom_alert_notifications_total{notifier="webhook",event="fired",status="failed"} 1',
    ]);
    expect(line(text, 'signalroom_worker_progress_snapshots_total{').sort()).toEqual([
      'signalroom_worker_progress_snapshots_total{status="applied"} 3',
      'signalroom_worker_progress_snapshots_total{status="ignored"} 1',
      'signalroom_worker_progress_snapshots_total{status="invalid"} 1',
    ]);
    expect(line(text, 'signalroom_live_calls ')).toEqual(['signalroom_live_calls 2']);

    // call-a's final payload lands: it leaves the live gauge at the next scrape.
    await route({ id: 'final', body: '{}', attributes: { [ATTR_SESSION_ID]: 'call-a' }, attempt: 1 }, ctx);
    expect(line(await metrics.registry.metrics(), 'signalroom_live_calls ')).toEqual([
      'signalroom_live_calls 1',
    ]);
  });
});
