import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Outcome, SessionError, SessionPayload } from '../../../src/schema/index.js';
import { samplePayload } from '../../../src/schema/testing/index.js';
import {
  AlertEngine,
  type AlertNotifier,
  DeadLetterLog,
  parseAlertConfig,
  slackNotifier,
  webhookNotifier,
} from '../../src/alerts/index.js';
import { DEFAULT_SLAS } from '../../src/analysis/index.js';
import {
  createAlertWebhookReceiver,
  createSlackWebhookFake,
  SlackMessage,
} from '../../src/testing/alert_receivers.js';
import { DuckDbWarehouse } from '../../src/warehouse/duckdb_warehouse.js';
import { PostgresWarehouse } from '../../src/warehouse/postgres_warehouse.js';
import type { Warehouse } from '../../src/warehouse/types.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { scoredFromPayload } from '../warehouse/scored_fixture.js';

// A Wednesday, 12:00 UTC (inside the default no-session hours).
const T0 = Date.parse('2026-11-18T12:00:00.000Z');
const MIN = 60_000;

let seq = 0;
/** One session ending at `endedAt` with `turns` turns of this LLM TTFT, these errors, outcome and cost. */
function call(
  endedAt: number,
  o: { turns?: number; ttftMs?: number; errors?: SessionError[]; outcome?: Outcome; costUsd?: number } = {},
) {
  const base = samplePayload({ session_id: `s${++seq}` }, { turns: o.turns ?? 5 });
  const payload: SessionPayload = {
    ...base,
    started_at: new Date(endedAt - base.duration_ms).toISOString(),
    ended_at: new Date(endedAt).toISOString(),
    outcome: o.outcome ?? 'completed',
    turns: base.turns.map((t) => ({ ...t, llm_ttft_ms: o.ttftMs ?? 500 })),
    errors: o.errors ?? [],
  };
  const s = scoredFromPayload(payload);
  return { ...s, cost: { ...s.cost, total_usd: o.costUsd ?? 0.05 } };
}

const llmError = (at: number): SessionError => ({
  at: new Date(at).toISOString(),
  source: 'llm',
  message: 'upstream 503',
  recoverable: false,
  component: 'llm',
  type: 'APIStatusError',
  severity: 'error',
});

function config(rules: unknown[], extra: Record<string, unknown> = {}) {
  const r = parseAlertConfig({ cooldown_minutes: 30, rules, ...extra });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

class RecordingNotifier implements AlertNotifier {
  readonly name = 'recording';
  readonly events: Array<{ event: string; alert_id: string; figure: number | null }> = [];
  async notify(event: 'fired' | 'resolved', alert: { alert_id: string; figure: number | null }) {
    this.events.push({ event, alert_id: alert.alert_id, figure: alert.figure });
    return { ok: true };
  }
}

let dir: string;
let pg: TestPostgres | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sr-alerts-'));
});
afterAll(async () => {
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

function suite(name: string, open: (db: string) => Promise<Warehouse>) {
  describe(`alert rules (${name})`, () => {
    let wh: Warehouse;
    let now: number;
    let notifier: RecordingNotifier;
    let deadLetters: DeadLetterLog;
    let n = 0;
    beforeEach(async () => {
      wh = await open(`alerts_${++n}`);
      await wh.migrate();
      now = T0;
      notifier = new RecordingNotifier();
      deadLetters = new DeadLetterLog();
    });
    const engine = (rules: unknown[], extra: Record<string, unknown> = {}) =>
      AlertEngine.open({
        warehouse: wh,
        config: config(rules, extra),
        slas: DEFAULT_SLAS,
        deadLetters,
        notifiers: [notifier],
        now: () => new Date(now),
      });
    const afterEach_ = async () => wh.close();

    it('latency p95: fires over the SLA, holds between resolve level and SLA, resolves below it; quiet under it', async () => {
      const e = await engine([
        { id: 'llm-p95', kind: 'latency_p95', component: 'llm', window_minutes: 10, min_samples: 10 },
      ]);
      await wh.upsertSessions([call(T0 - 5 * MIN, { turns: 10, ttftMs: 400 })]);
      expect((await e.evaluate()).fired).toEqual([]);
      await wh.upsertSessions([call(T0 - 4 * MIN, { turns: 10, ttftMs: 2600 })]);
      now = T0 + MIN;
      const r = await e.evaluate();
      expect(r.fired).toHaveLength(1);
      const [alert] = e.firing();
      expect(alert).toMatchObject({ rule_id: 'llm-p95', subject: 'llm', threshold: 2000, state: 'firing' });
      expect(alert?.figure).toBeGreaterThan(2000);
      expect(alert?.evidence.fired_with.window).toEqual({
        from: new Date(T0 - 9 * MIN).toISOString(),
        to: new Date(T0 + MIN).toISOString(),
      });
      // 1800 ms: under the SLA but above 80% of it → still firing (hysteresis).
      now = T0 + 20 * MIN;
      await wh.upsertSessions([call(now - MIN, { turns: 10, ttftMs: 1800 })]);
      expect((await e.evaluate()).resolved).toEqual([]);
      expect(e.firing()).toHaveLength(1);
      now = T0 + 40 * MIN;
      await wh.upsertSessions([call(now - MIN, { turns: 10, ttftMs: 600 })]);
      expect((await e.evaluate()).resolved).toEqual([alert?.alert_id]);
      expect(notifier.events.map((x) => x.event)).toEqual(['fired', 'resolved']);
      const [stored] = await e.list({ state: 'resolved', limit: 10 });
      expect(stored).toMatchObject({ state: 'resolved', resolved_at: new Date(now).toISOString() });
      await afterEach_();
    });

    it('error rate: fires at the component threshold, resolves when errors stop; quiet under it', async () => {
      const e = await engine([
        { id: 'llm-errors', kind: 'error_rate', component: 'llm', window_minutes: 10, min_requests: 20 },
      ]);
      // 1 error in 40 turns = 2.5% < 3%.
      await wh.upsertSessions([
        call(T0 - 2 * MIN, { turns: 20, errors: [llmError(T0)] }),
        call(T0 - MIN, { turns: 20 }),
      ]);
      expect((await e.evaluate()).fired).toEqual([]);
      // 2 more in 20 turns: 3 / 60 = 5% ≥ 3%.
      await wh.upsertSessions([call(T0 - MIN / 2, { turns: 20, errors: [llmError(T0), llmError(T0)] })]);
      const r = await e.evaluate();
      expect(r.fired).toHaveLength(1);
      expect(e.firing()[0]).toMatchObject({ figure: 0.05, threshold: 0.03 });
      expect(e.firing()[0]?.evidence).toMatchObject({ errors: 3, requests: 60, per: 'turn' });
      now = T0 + 15 * MIN;
      await wh.upsertSessions([call(now - MIN, { turns: 30 })]);
      expect((await e.evaluate()).resolved).toHaveLength(1);
      await afterEach_();
    });

    it('booking rate: fires when it falls below its trailing baseline, resolves when it recovers', async () => {
      const e = await engine([
        {
          id: 'booking',
          kind: 'booking_rate_drop',
          window_minutes: 60,
          baseline_days: 1,
          drop_ratio: 0.5,
          min_sessions: 4,
        },
      ]);
      // Baseline: 4 of 8 booked over the previous day.
      const baseline = Array.from({ length: 8 }, (_, i) =>
        call(T0 - 120 * MIN - i * 60 * MIN, { outcome: i % 2 === 0 ? 'meeting_booked' : 'completed' }),
      );
      // Window: 2 of 4 booked = baseline → quiet.
      const fine = Array.from({ length: 4 }, (_, i) =>
        call(T0 - 10 * MIN - i * MIN, { outcome: i < 2 ? 'meeting_booked' : 'not_interested' }),
      );
      await wh.upsertSessions([...baseline, ...fine]);
      expect((await e.evaluate()).fired).toEqual([]);
      // 6 more, none booked: 2 / 10 = 20% < 25%.
      await wh.upsertSessions(
        Array.from({ length: 6 }, (_, i) => call(T0 - 5 * MIN + i * 1000, { outcome: 'not_interested' })),
      );
      const r = await e.evaluate();
      expect(r.fired).toHaveLength(1);
      expect(e.firing()[0]).toMatchObject({ figure: 0.2, threshold: 0.25 });
      expect(e.firing()[0]?.evidence).toMatchObject({ baseline_rate: 0.5, baseline_sessions: 8 });
      now = T0 + 90 * MIN;
      await wh.upsertSessions(
        Array.from({ length: 4 }, (_, i) =>
          call(now - 5 * MIN - i * MIN, { outcome: i < 2 ? 'meeting_booked' : 'completed' }),
        ),
      );
      expect((await e.evaluate()).resolved).toHaveLength(1);
      await afterEach_();
    });

    it('cost per call: fires on a spike over factor × baseline, resolves when it falls back', async () => {
      const e = await engine([
        {
          id: 'cost',
          kind: 'cost_per_call_spike',
          window_minutes: 60,
          baseline_days: 1,
          factor: 2,
          min_sessions: 3,
        },
      ]);
      await wh.upsertSessions([
        ...Array.from({ length: 5 }, (_, i) => call(T0 - 3 * 60 * MIN - i * MIN, { costUsd: 0.1 })),
        ...Array.from({ length: 3 }, (_, i) => call(T0 - 10 * MIN - i * MIN, { costUsd: 0.15 })),
      ]);
      expect((await e.evaluate()).fired).toEqual([]);
      await wh.upsertSessions(
        Array.from({ length: 3 }, (_, i) => call(T0 - 5 * MIN - i * 1000, { costUsd: 0.45 })),
      );
      expect((await e.evaluate()).fired).toHaveLength(1);
      expect(e.firing()[0]?.figure).toBeCloseTo(0.3, 9);
      expect(e.firing()[0]?.threshold).toBeCloseTo(0.2, 9);
      now = T0 + 2 * 60 * MIN;
      await wh.upsertSessions(
        Array.from({ length: 3 }, (_, i) => call(now - 5 * MIN - i * MIN, { costUsd: 0.1 })),
      );
      expect((await e.evaluate()).resolved).toHaveLength(1);
      await afterEach_();
    });

    it('dead letters and parked deliveries: fire on growth in the window, resolve once the window is clean', async () => {
      const e = await engine([
        { id: 'dlq', kind: 'dead_letter_growth', window_minutes: 10, max_new: 1 },
        { id: 'parked', kind: 'parked_deliveries', window_minutes: 10, max_parked: 0 },
      ]);
      now = Date.now(); // deliveries.updated_at is the real write time
      deadLetters.record(now - MIN);
      expect((await e.evaluate()).fired).toEqual([]);
      deadLetters.record(now - MIN / 2);
      await wh.upsertSessions([call(T0 - MIN)]);
      await wh.recordDeliveries([
        {
          session_id: `s${seq}`,
          destination: 'hubspot',
          status: 'parked',
          attempts: 5,
          last_error: 'HTTP 400',
        },
      ]);
      now = Date.now();
      const fired = await e.evaluate();
      expect(fired.fired.map((id) => id.split(':')[0]).sort()).toEqual(['dlq', 'parked']);
      expect(e.firing().find((a) => a.rule_id === 'parked')?.evidence).toMatchObject({
        by_destination: { hubspot: 1 },
      });
      now += 11 * MIN;
      const resolved = await e.evaluate();
      expect(resolved.resolved).toHaveLength(2);
      await afterEach_();
    });

    it('no sessions: fires after N quiet minutes within the hours, resolves on the next session; quiet outside the hours', async () => {
      const e = await engine([
        {
          id: 'silence',
          kind: 'no_sessions',
          minutes: 30,
          hours: { time_zone: 'Europe/Berlin', days: ['wed'], from: '09:00', to: '17:00' },
        },
      ]);
      await wh.upsertSessions([call(T0 - 20 * MIN)]);
      expect((await e.evaluate()).fired).toEqual([]); // 20 min (13:00 Berlin)
      now = T0 + 20 * MIN;
      expect((await e.evaluate()).fired).toHaveLength(1); // 40 min
      await wh.upsertSessions([call(now - MIN)]);
      now += MIN;
      expect((await e.evaluate()).resolved).toHaveLength(1);
      // 20:00 Berlin: outside the hours, hours of silence stay quiet.
      now = Date.parse('2026-11-18T19:00:00.000Z');
      expect((await e.evaluate()).fired).toEqual([]);
      await afterEach_();
    });

    it('deduplicates a firing alert and reopens it within the cooldown without notifying again', async () => {
      const e = await engine(
        [{ id: 'dlq', kind: 'dead_letter_growth', window_minutes: 5, max_new: 0, resolve_ratio: 1 }],
        {
          cooldown_minutes: 30,
        },
      );
      deadLetters.record(T0 - 1000);
      await e.evaluate();
      now += MIN;
      deadLetters.record(now - 1000);
      await e.evaluate(); // still firing: deduplicated
      now += 10 * MIN;
      await e.evaluate(); // resolved
      now += MIN;
      deadLetters.record(now - 1000);
      const again = await e.evaluate(); // within 30 min of resolving
      expect(again.reopened).toHaveLength(1);
      expect(e.firing()[0]?.flaps).toBe(1);
      expect(notifier.events.map((x) => x.event)).toEqual(['fired', 'resolved']);
      now += 10 * MIN;
      await e.evaluate(); // resolved again
      now += 40 * MIN;
      deadLetters.record(now - 1000);
      const fresh = await e.evaluate(); // past the cooldown: a new alert, notified
      expect(fresh.fired).toHaveLength(1);
      expect(notifier.events.map((x) => x.event)).toEqual(['fired', 'resolved', 'fired']);
      expect(await e.list({ state: 'all', limit: 10 })).toHaveLength(2);
      await afterEach_();
    });

    it('keeps open alerts across a restart: not notified again, resolved by the new engine', async () => {
      const rules = [{ id: 'dlq', kind: 'dead_letter_growth', window_minutes: 5, max_new: 0 }];
      const first = await engine(rules);
      deadLetters.record(T0 - 1000);
      await first.evaluate();
      const [firing] = first.firing();
      await first.stop();
      // A new process: fresh dead-letter log, same warehouse.
      deadLetters = new DeadLetterLog();
      deadLetters.record(T0);
      now += MIN;
      const second = await engine(rules);
      expect(second.firing().map((a) => a.alert_id)).toEqual([firing?.alert_id]);
      expect((await second.evaluate()).fired).toEqual([]);
      expect(notifier.events.map((x) => x.event)).toEqual(['fired']);
      now += 10 * MIN;
      expect((await second.evaluate()).resolved).toEqual([firing?.alert_id]);
      expect(notifier.events.map((x) => x.event)).toEqual(['fired', 'resolved']);
      await afterEach_();
    });
  });
}

suite('duckdb', (db) => DuckDbWarehouse.open(join(dir, `${db}.duckdb`)));
suite('postgres', async (db) => {
  pg ??= await startPostgres();
  return PostgresWarehouse.open(await pg.createDatabase(db));
});

describe('alert notifications', () => {
  const alert = {
    alert_id: 'errors-llm:llm:1763467200000',
    rule_id: 'errors-llm',
    rule_kind: 'error_rate',
    subject: 'llm',
    severity: 'warning' as const,
    state: 'firing' as const,
    fired_at: new Date(T0).toISOString(),
    resolved_at: null,
    updated_at: new Date(T0).toISOString(),
    notified_at: null,
    flaps: 0,
    figure: 0.05,
    threshold: 0.03,
    window_from: new Date(T0 - 15 * MIN).toISOString(),
    window_to: new Date(T0).toISOString(),
    evidence: {
      unit: 'ratio' as const,
      summary: 'llm error rate 5.0% (3 errors / 60 turns) vs 3.0% over 15 min <script>&',
      resolve_at: 0.024,
      fired_with: { figure: 0.05, threshold: 0.03, window: { from: '', to: '' } },
    },
    message: 'llm error rate 5.0% (3 errors / 60 turns) vs 3.0% over 15 min <script>&',
  };

  it('posts a Slack incoming-webhook body Slack accepts: text fallback and Block Kit blocks, mrkdwn escaped', async () => {
    const slack = await createSlackWebhookFake().start();
    try {
      const n = slackNotifier(`${slack.url}/services/T000/B000/XXXX`);
      expect(await n.notify('fired', alert)).toEqual({ ok: true });
      expect(slack.accepted).toHaveLength(1);
      const body = JSON.parse(slack.accepted[0]?.body ?? '{}');
      expect(SlackMessage.safeParse(body).success).toBe(true);
      expect(body.text).toContain('[FIRING (warning)] errors-llm · llm');
      expect(body.text).toContain('figure 5.0%, threshold 3.0%');
      expect(body.text).toContain('&lt;script&gt;&amp;');
      expect(body.blocks.map((b: { type: string }) => b.type)).toEqual(['header', 'section', 'context']);
      expect(slack.accepted[0]?.headers['content-type']).toBe('application/json');
      // The fake refuses what Slack refuses.
      const bad = await fetch(`${slack.url}/services/T000/B000/XXXX`, {
        method: 'POST',
        body: '{"blocks":[{"type":"header","text":{"type":"mrkdwn","text":"x"}}]}',
      });
      expect([bad.status, await bad.text()]).toEqual([400, 'invalid_blocks']);
      const none = await fetch(`${slack.url}/services/T000/B000/XXXX`, { method: 'POST', body: '{}' });
      expect([none.status, await none.text()]).toEqual([400, 'no_text']);
    } finally {
      await slack.stop();
    }
  });

  it('retries a Slack 429 and gives up on a 4xx', async () => {
    const slack = await createSlackWebhookFake().start();
    try {
      slack.script({ status: 429, headers: { 'retry-after': '0' }, body: 'rate_limited' });
      const n = slackNotifier(`${slack.url}/services/T000/B000/XXXX`, { baseDelayMs: 1 });
      expect(await n.notify('fired', alert)).toEqual({ ok: true });
      expect(slack.requests.map((r) => r.replied)).toEqual([429, 200]);
      const wrong = slackNotifier(`${slack.url}/services/T000/B000/WRONG`, { baseDelayMs: 1 });
      expect((await wrong.notify('fired', alert)).ok).toBe(false);
      expect(slack.requests.map((r) => r.replied)).toEqual([429, 200, 404]);
    } finally {
      await slack.stop();
    }
  });

  it('signs the webhook event like scored sessions, with an idempotency key per alert state', async () => {
    const secret = 'alert-secret-0123456789';
    const receiver = await createAlertWebhookReceiver({ secret }).start();
    try {
      const n = webhookNotifier({ url: `${receiver.url}/hooks/alerts`, secret, timeoutMs: 2000 });
      expect(await n.notify('fired', alert)).toEqual({ ok: true });
      expect(
        await n.notify('resolved', {
          ...alert,
          state: 'resolved',
          resolved_at: new Date(T0 + MIN).toISOString(),
        }),
      ).toEqual({ ok: true });
      expect([...receiver.records.keys()]).toEqual([
        `${alert.alert_id}:firing:0`,
        `${alert.alert_id}:resolved:0`,
      ]);
      const fired = receiver.records.get(`${alert.alert_id}:firing:0`)?.value as {
        type: string;
        alert: { figure: number };
      };
      expect(fired.type).toBe('alert.fired');
      expect(fired.alert.figure).toBe(0.05);
      const forged = webhookNotifier({
        url: `${receiver.url}/hooks/alerts`,
        secret: 'another-secret-0123456',
        timeoutMs: 2000,
      });
      expect((await forged.notify('fired', alert)).ok).toBe(false);
    } finally {
      await receiver.stop();
    }
  });
});
