/**
 * The worker's operations side: the alert engine (rules from `ALERTS_CONFIG_PATH` or the bundled
 * `config/alerts.json`, notifying Slack and the signed webhook when configured), the live calls
 * fed by progress snapshots, and the dead-letter log the alerts read.
 */
import type { Logger } from '../../../src/log.js';
import type { MessageHandler } from '../../../src/queue/types.js';
import { type AlertConfig, errorThresholds, loadAlertConfig } from '../alerts/alert_config.js';
import { AlertEngine } from '../alerts/alert_engine.js';
import { DeadLetterLog } from '../alerts/dead_letter_log.js';
import { type AlertNotifier, slackNotifier, webhookNotifier } from '../alerts/notifiers.js';
import type { WorkerConfig } from '../config.js';
import { DEFAULT_ERROR_THRESHOLDS } from '../errors/components.js';
import type { ErrorThresholds } from '../errors/error_rates.js';
import { LiveCalls } from '../live/live_calls.js';
import type { Warehouse } from '../warehouse/types.js';
import { registerOpsGauges, type WorkerMetrics } from './metrics.js';
import { routeMessages } from './route_message.js';

export interface WorkerOps {
  readonly alerts: AlertEngine | undefined;
  readonly live: LiveCalls;
  readonly deadLetters: DeadLetterLog;
  readonly errorThresholds: ErrorThresholds;
  /** Wraps the session handler: progress snapshots to `live`, finals to it, dead letters counted. */
  route(sessions: MessageHandler): MessageHandler;
}

export async function openOps(
  config: WorkerConfig,
  warehouse: Warehouse,
  root: Logger,
  overrides: { alerts?: AlertConfig | false; alertNotifiers?: readonly AlertNotifier[] } = {},
  metrics?: WorkerMetrics,
): Promise<WorkerOps> {
  const live = new LiveCalls({ expireAfterMs: config.live.expireAfterMs });
  const deadLetters = new DeadLetterLog();
  let alertConfig: AlertConfig | undefined;
  if (overrides.alerts !== undefined) {
    alertConfig = overrides.alerts === false ? undefined : overrides.alerts;
  } else if (config.alerts.enabled) {
    const loaded = await loadAlertConfig(config.alerts.configPath);
    if (!loaded.ok) throw new Error(loaded.error);
    alertConfig = loaded.value;
  }
  let alerts: AlertEngine | undefined;
  if (alertConfig) {
    const log = root.child({ component: 'alerts' });
    const notifiers: AlertNotifier[] = overrides.alertNotifiers
      ? [...overrides.alertNotifiers]
      : [
          ...(config.alerts.slackWebhookUrl ? [slackNotifier(config.alerts.slackWebhookUrl, { log })] : []),
          ...(config.alerts.webhook && config.destinations.webhook
            ? [webhookNotifier(config.destinations.webhook, { log })]
            : []),
        ];
    alerts = await AlertEngine.open({
      warehouse,
      config: alertConfig,
      slas: config.slas,
      deadLetters,
      notifiers,
      log: root,
      ...(metrics && {
        onNotified: (notifier: string, event: string, ok: boolean) =>
          metrics.notifications.inc({ notifier, event, status: ok ? 'ok' : 'failed' }),
      }),
    });
  }
  if (metrics) {
    const engine = alerts;
    registerOpsGauges(metrics.registry, {
      firing: () => engine?.firing() ?? [],
      liveCalls: () => live.size,
    });
  }
  return {
    alerts,
    live,
    deadLetters,
    errorThresholds: alertConfig ? errorThresholds(alertConfig) : DEFAULT_ERROR_THRESHOLDS,
    route: (sessions) =>
      routeMessages({
        sessions,
        live,
        deadLetters,
        maxAttempts: config.queue.maxAttempts,
        ...(metrics && { onSnapshot: (status) => metrics.snapshots.inc({ status }) }),
      }),
  };
}
