// SignalRoom dashboard: the alerts panel and error rates by component (GET /api/alerts,
// GET /api/errors). Mounts itself into #alerts-panel and #errors-panel; polls every 10 s.
// Text goes into the DOM through textContent only.

import { getJson, h } from './dom.js';

const POLL_MS = 10_000;

export function formatFigure(v, unit) {
  if (v === null || v === undefined) return 'n/a';
  switch (unit) {
    case 'ratio':
      return `${(v * 100).toFixed(1)}%`;
    case 'ms':
      return `${Math.round(v)} ms`;
    case 'usd':
      return `$${Number(v).toFixed(4)}`;
    case 'minutes':
      return `${Math.round(v)} min`;
    default:
      return String(Math.round(v * 100) / 100);
  }
}

const time = (v) => (v ? new Date(v).toLocaleString() : '—');

function alertItem(a) {
  const unit = a.evidence?.unit;
  const firing = a.state === 'firing';
  return h(
    'li',
    {
      class: `alert ${firing ? `firing ${a.severity}` : 'resolved'}`,
      'data-alert': a.alert_id,
      'data-state': a.state,
    },
    h('span', { class: 'alert-state' }, firing ? `FIRING · ${a.severity}` : 'resolved'),
    h(
      'strong',
      { class: 'alert-rule' },
      a.subject && a.subject !== 'all' ? `${a.rule_id} · ${a.subject}` : a.rule_id,
    ),
    h('span', { class: 'alert-message' }, a.message),
    h(
      'span',
      { class: 'alert-evidence' },
      `figure ${formatFigure(a.figure, unit)} · threshold ${formatFigure(a.threshold, unit)} · window ${time(a.window_from)} → ${time(a.window_to)}`,
    ),
    h(
      'small',
      { class: 'alert-times' },
      `fired ${time(a.fired_at)}${a.resolved_at ? ` · resolved ${time(a.resolved_at)}` : ''}${a.flaps ? ` · refired ${a.flaps}× within cooldown` : ''}`,
    ),
  );
}

function renderAlerts(root, data) {
  const firing = data.alerts.filter((a) => a.state === 'firing');
  const title = root.querySelector('h2');
  title.textContent = data.enabled ? `Alerts — ${firing.length} firing` : 'Alerts — off';
  const list = root.querySelector('ul');
  if (!data.enabled) {
    list.replaceChildren(h('li', { class: 'empty' }, 'Alert evaluation is off for this server.'));
    return;
  }
  list.replaceChildren(
    ...(data.alerts.length === 0
      ? [h('li', { class: 'empty' }, `No alerts. ${data.rules.length} rules evaluated.`)]
      : data.alerts.slice(0, 20).map(alertItem)),
  );
}

function renderErrors(root, data) {
  root.querySelector('h2 small').textContent =
    `last ${data.hours} h · ${data.turns} turns · ${data.tool_calls} tool calls · errors per turn (tools: per tool call)`;
  const body = root.querySelector('tbody');
  body.replaceChildren(
    ...data.rates.map((r) =>
      h(
        'tr',
        { 'data-component': r.component, class: r.breached ? 'over' : '' },
        h('td', {}, r.component),
        h('td', { class: 'num' }, r.errors),
        h('td', { class: 'num' }, r.unrecovered),
        h('td', { class: 'num' }, `${r.requests} ${r.per === 'tool_call' ? 'tool calls' : 'turns'}`),
        h('td', { class: 'num' }, r.rate === null ? '—' : `${(r.rate * 100).toFixed(2)}%`),
        h('td', { class: 'num' }, `< ${(r.threshold * 100).toFixed(1)}%`),
        h('td', {}, r.rate === null ? 'no data' : r.breached ? 'over target' : 'ok'),
      ),
    ),
  );
  drawTrend(root.querySelector('canvas'), data.series);
  const types = root.querySelector('ul');
  types.replaceChildren(
    ...data.by_type
      .slice(0, 8)
      .map((t) =>
        h('li', {}, `${t.component} · ${t.type} · ${t.severity}: ${t.count} (${t.recovered} recovered)`),
      ),
  );
}

const TREND_COLORS = {
  overall: '#1c2333',
  stt: '#12805c',
  llm: '#3056d3',
  tts: '#f79009',
  vad: '#7a5af8',
  tool: '#b42318',
};
let trend;

/** Error rate per component per bucket (%), one line each; buckets without requests are gaps. */
function drawTrend(canvas, series) {
  if (typeof Chart === 'undefined' || !canvas) return;
  const data = {
    labels: series.map((p) =>
      new Date(p.from).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
    ),
    datasets: Object.entries(TREND_COLORS).map(([c, color]) => ({
      label: c,
      data: series.map((p) => (p.rates[c] === null || p.rates[c] === undefined ? null : p.rates[c] * 100)),
      borderColor: color,
      backgroundColor: color,
      spanGaps: false,
      pointRadius: 2,
    })),
  };
  if (trend) {
    trend.data = data;
    trend.update('none');
    return;
  }
  trend = new Chart(canvas, {
    type: 'line',
    data,
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { beginAtZero: true, title: { display: true, text: '% errors' } } },
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 10 } } },
    },
  });
}

function mount() {
  const alerts = document.getElementById('alerts-panel');
  const errors = document.getElementById('errors-panel');
  if (!alerts || !errors) return;
  alerts.replaceChildren(h('h2', {}, 'Alerts'), h('ul', { class: 'alerts' }));
  errors.replaceChildren(
    h('h2', {}, 'Error rates by component ', h('small', {})),
    h(
      'table',
      { id: 'error-rates' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Component'),
          h('th', { class: 'num' }, 'Errors'),
          h('th', { class: 'num' }, 'Unrecovered'),
          h('th', { class: 'num' }, 'Requests'),
          h('th', { class: 'num' }, 'Rate'),
          h('th', { class: 'num' }, 'Target'),
          h('th', {}, 'Status'),
        ),
      ),
      h('tbody', {}),
    ),
    h('div', { class: 'chart' }, h('canvas', { id: 'chart-error-rates' })),
    h('ul', { class: 'error-types' }),
  );
  const hours = () => Number(document.getElementById('hours')?.value) || 24;
  const refresh = async () => {
    try {
      const [a, e] = await Promise.all([
        getJson('/api/alerts?limit=50'),
        getJson(`/api/errors?hours=${hours()}&bucket_minutes=${Math.max(1, Math.ceil((hours() * 60) / 48))}`),
      ]);
      renderAlerts(alerts, a);
      renderErrors(errors, e);
      alerts.dataset.loaded = 'true';
    } catch (err) {
      alerts.querySelector('h2').textContent = `Alerts — refresh failed: ${err.message}`;
    }
  };
  document.getElementById('hours')?.addEventListener('change', refresh);
  refresh();
  setInterval(() => {
    if (!document.hidden) refresh();
  }, POLL_MS);
}

mount();
