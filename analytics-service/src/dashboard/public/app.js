// SignalRoom dashboard: polls the API, draws with Chart.js (global `Chart`, served from
// node_modules). All data goes into the DOM through textContent, never innerHTML.
// Auth: the page is reached with a cookie set by `/dashboard?token=…` (or no auth on loopback);
// fetches send it back (same origin). A 401 reloads the page, which shows the login form.

import { getJson, h } from './dom.js';
import { loadIntelligenceOverview, mountIntelligence, renderSessionIntelligence } from './intelligence.js';
import { signalConfidence } from './signal_confidence.js';
import { renderVoicePanel } from './voice.js';

const POLL_MS = 10_000;
const TIER_COLORS = {
  A1: '#05603a',
  A2: '#12805c',
  A3: '#32d583',
  B1: '#2d31a6',
  B2: '#3056d3',
  B3: '#84adff',
  C1: '#475467',
  C2: '#98a2b3',
  C3: '#d0d5dd',
};
const OUTCOME_COLORS = {
  meeting_booked: '#12805c',
  callback_requested: '#3056d3',
  not_interested: '#d92d20',
  completed: '#98a2b3',
  disconnected: '#f79009',
  error: '#7a271a',
};
const COMPONENT_COLORS = { llm: '#3056d3', stt: '#12805c', tts: '#f79009', livekit: '#7a5af8' };
const charts = new Map();
const params = new URLSearchParams(location.search);
let hours = Number(params.get('hours')) || 24;

const api = getJson;

const fmt = {
  usd: (v) => (v === null || v === undefined ? '—' : `$${Number(v).toFixed(v < 1 ? 4 : 2)}`),
  ms: (v) => (v === null || v === undefined ? '—' : `${Math.round(v)} ms`),
  pct: (v) => (v === null || v === undefined ? '—' : `${Math.round(v * 100)}%`),
  num: (v, d = 0) => (v === null || v === undefined ? '—' : Number(v).toFixed(d)),
  time: (v) => (v ? new Date(v).toLocaleString() : '—'),
  label: (s) => String(s ?? '').replaceAll('_', ' '),
};

function chart(id, config) {
  const existing = charts.get(id);
  if (existing) {
    existing.data = config.data;
    existing.options = config.options;
    existing.update('none');
    return existing;
  }
  const canvas = document.getElementById(id);
  const c = new Chart(canvas, config);
  charts.set(id, c);
  return c;
}

const baseOptions = (extra = {}) => ({
  responsive: true,
  maintainAspectRatio: false,
  animation: false,
  plugins: { legend: { display: false } },
  ...extra,
});

function kpi(label, value, cls) {
  return h('div', { class: 'kpi' }, h('b', { class: cls }, value), h('span', {}, label));
}

function renderKpis(a) {
  const booked = a.outcomes.meeting_booked ?? 0;
  const breaches = a.latency.filter((l) => l.breached).map((l) => l.component);
  document
    .getElementById('kpis')
    .replaceChildren(
      kpi(`sessions · last ${hours} h`, a.sessions),
      kpi('meetings booked', booked),
      kpi('callbacks', a.outcomes.callback_requested ?? 0),
      kpi('avg score', fmt.num(a.avg_score, 1)),
      kpi('cost / session', fmt.usd(a.cost.per_session_usd)),
      kpi('signal coverage', fmt.pct(a.signal_coverage.avg_ratio)),
      kpi(
        'SLA breaches (p95)',
        breaches.length ? breaches.join(', ') : 'none',
        breaches.length ? 'breach' : undefined,
      ),
    );
}

function renderCharts(agg) {
  const a = agg.overall;
  const tiers = Object.keys(a.tiers);
  chart('chart-tiers', {
    type: 'bar',
    data: {
      labels: tiers,
      datasets: [
        { data: tiers.map((t) => a.tiers[t]), backgroundColor: tiers.map((t) => TIER_COLORS[t] ?? '#888') },
      ],
    },
    options: baseOptions({ scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }),
  });
  chart('chart-funnel', {
    type: 'bar',
    data: {
      labels: a.funnel.map((f) => f.stage),
      datasets: [{ data: a.funnel.map((f) => f.sessions), backgroundColor: '#3056d3' }],
    },
    options: baseOptions({
      indexAxis: 'y',
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: { label: (c) => `${c.raw} sessions (${fmt.pct(a.funnel[c.dataIndex]?.ratio)})` },
        },
      },
    }),
  });
  const outcomes = Object.keys(a.outcomes).filter((o) => a.outcomes[o] > 0);
  chart('chart-outcomes', {
    type: 'doughnut',
    data: {
      labels: outcomes.map(fmt.label),
      datasets: [
        {
          data: outcomes.map((o) => a.outcomes[o]),
          backgroundColor: outcomes.map((o) => OUTCOME_COLORS[o] ?? '#888'),
        },
      ],
    },
    options: baseOptions({ plugins: { legend: { display: true, position: 'right' } } }),
  });
  const lat = a.latency;
  chart('chart-latency', {
    type: 'bar',
    data: {
      labels: lat.map((l) => l.component.toUpperCase()),
      datasets: [
        { label: 'p50', data: lat.map((l) => l.p50_ms), backgroundColor: '#84adff' },
        {
          label: 'p95',
          data: lat.map((l) => l.p95_ms),
          backgroundColor: lat.map((l) => (l.breached ? '#d92d20' : '#3056d3')),
        },
        {
          type: 'line',
          label: 'SLA p95',
          data: lat.map((l) => l.sla_p95_ms),
          showLine: false,
          pointStyle: 'line',
          pointRadius: 18,
          pointBorderWidth: 3,
          borderColor: '#b42318',
          backgroundColor: '#b42318',
        },
      ],
    },
    options: baseOptions({
      plugins: { legend: { display: true, position: 'bottom' } },
      scales: { y: { beginAtZero: true } },
    }),
  });
  const versions = Object.keys(agg.by_prompt_version);
  const groups = [['all', a], ...versions.map((v) => [v, agg.by_prompt_version[v]])];
  chart('chart-cost', {
    type: 'bar',
    data: {
      labels: groups.map(([v]) => v),
      datasets: Object.keys(COMPONENT_COLORS).map((k) => ({
        label: k,
        data: groups.map(([, g]) => (g.sessions > 0 ? g.cost.by_component_usd[k] / g.sessions : 0)),
        backgroundColor: COMPONENT_COLORS[k],
      })),
    },
    options: baseOptions({
      plugins: { legend: { display: true, position: 'bottom' } },
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
    }),
  });
  const signals = Object.keys(a.signal_coverage.by_signal);
  chart('chart-coverage', {
    type: 'bar',
    data: {
      labels: signals.map(fmt.label),
      datasets: [
        { data: signals.map((s) => a.signal_coverage.by_signal[s] * 100), backgroundColor: '#12805c' },
      ],
    },
    options: baseOptions({
      indexAxis: 'y',
      scales: { x: { min: 0, max: 100, ticks: { callback: (v) => `${v}%` } } },
    }),
  });
}

function tierBadge(tier) {
  return h('span', { class: `tier ${String(tier).slice(0, 1)}` }, tier);
}

function renderSessions(page) {
  const body = document.querySelector('#sessions tbody');
  if (page.items.length === 0) {
    body.replaceChildren(h('tr', {}, h('td', { colspan: 10, class: 'empty' }, 'No sessions yet.')));
    return;
  }
  body.replaceChildren(
    ...page.items.map((s) =>
      h(
        'tr',
        { 'data-session': s.session_id, onclick: () => openSession(s.session_id) },
        h('td', {}, fmt.time(s.ended_at)),
        h('td', { class: 'mono' }, s.session_id),
        h('td', {}, fmt.label(s.industry ?? '—')),
        h('td', {}, s.team_size ?? '—'),
        h('td', {}, tierBadge(s.tier)),
        h('td', { class: 'num' }, fmt.num(s.score)),
        h('td', {}, h('span', { class: `pill ${s.outcome}` }, fmt.label(s.outcome))),
        h('td', {}, `${s.signals_present.length}/5`),
        h('td', { class: 'num' }, fmt.usd(s.cost_usd)),
        h('td', { class: 'num' }, fmt.ms(s.latency_e2e_p95_ms)),
      ),
    ),
  );
}

// Both requests start at once; each part is drawn as soon as its own answer arrives.
async function loadOverview() {
  await Promise.all([
    api(`/api/aggregates?hours=${hours}`).then((agg) => {
      renderKpis(agg.overall);
      renderCharts(agg);
    }),
    api('/api/sessions?limit=25').then(renderSessions),
    loadIntelligenceOverview(api, hours),
  ]);
}

function evidenceText(e) {
  const where = `user turn ${e.turn_index + 1}, chars ${e.span[0]}–${e.span[1]}, rule ${e.rule}`;
  return e.excerpt ? `“${e.excerpt}” — ${where}` : where;
}

// When the transcript was kept, the prospect lines before each agent reply belong to that turn.
function promptsByTurn(transcript, turnCount) {
  const out = Array.from({ length: turnCount }, () => []);
  if (!Array.isArray(transcript)) return out;
  let turn = 0;
  let pending = [];
  for (const line of transcript) {
    if (line.role === 'user') pending.push(line.text);
    else if (turn < turnCount) {
      out[turn] = pending;
      pending = [];
      turn++;
    }
  }
  return out;
}

function renderSession(d) {
  const s = d.session;
  document.getElementById('session-title').textContent = `Session ${s.session_id}`;
  document
    .getElementById('session-summary')
    .replaceChildren(
      kpi('tier', tierBadge(s.tier)),
      kpi('score', fmt.num(s.score)),
      kpi('outcome', fmt.label(s.outcome)),
      kpi('stage reached', s.stage_reached),
      kpi('duration', `${Math.round((s.duration_ms ?? 0) / 1000)} s`),
      kpi('cost', fmt.usd(d.cost.total_usd)),
      kpi('prompt', s.prompt_version),
    );
  const reasons = d.score?.reasons ?? [];
  document
    .getElementById('reasons')
    .replaceChildren(
      ...(reasons.length
        ? reasons.map((r) =>
            h(
              'li',
              { class: 'reason' },
              h(
                'span',
                { class: `pts ${r.points >= 0 ? 'pos' : 'neg'}` },
                `${r.points >= 0 ? '+' : ''}${r.points}`,
              ),
              h('span', {}, r.detail),
              h('div', { class: 'ev mono' }, r.rule),
              ...r.evidence.map((e) => h('div', { class: 'ev' }, evidenceText(e))),
            ),
          )
        : [h('li', { class: 'empty' }, 'No score reasons recorded.')]),
    );
  document
    .getElementById('signals')
    .replaceChildren(
      ...(d.signals.length
        ? d.signals.map((sig) =>
            h(
              'li',
              {},
              h('b', {}, fmt.label(sig.name)),
              ': ',
              Array.isArray(sig.value) ? sig.value.join(', ') : String(sig.value),
              ...(sig.evidence ?? []).map((e) => h('div', { class: 'ev' }, evidenceText(e))),
              ...signalConfidence(sig),
            ),
          )
        : [h('li', { class: 'empty' }, 'The prospect stated no qualification signals.')]),
    );
  const turns = d.turns;
  renderVoicePanel(d, document.getElementById('voice-panel'));
  chart('chart-turns', {
    type: 'bar',
    data: {
      labels: turns.map((t) => `turn ${t.turn_index + 1}`),
      datasets: [
        { label: 'EOU', data: turns.map((t) => t.eou_delay_ms), backgroundColor: '#98a2b3' },
        { label: 'LLM TTFT', data: turns.map((t) => t.llm_ttft_ms), backgroundColor: '#3056d3' },
        { label: 'TTS TTFB', data: turns.map((t) => t.tts_ttfb_ms), backgroundColor: '#f79009' },
      ],
    },
    options: baseOptions({
      indexAxis: 'y',
      plugins: { legend: { display: true, position: 'bottom' } },
      scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } },
    }),
  });
  const userLines = promptsByTurn(d.payload?.transcript, turns.length);
  const toolsByTurn = new Map();
  for (const t of d.tool_calls) {
    const list = toolsByTurn.get(t.turn_id) ?? [];
    list.push(t);
    toolsByTurn.set(t.turn_id, list);
  }
  document
    .getElementById('timeline')
    .replaceChildren(
      ...turns.map((t) =>
        h(
          'li',
          {},
          h('span', { class: 'who' }, `turn ${t.turn_index + 1}`),
          h(
            'div',
            {},
            ...(t.user_text ? [t.user_text] : (userLines[t.turn_index] ?? [])).map((line) =>
              h('div', {}, h('span', { class: 'who' }, 'prospect: '), line),
            ),
            t.agent_text ? h('div', {}, h('span', { class: 'who' }, 'agent: '), t.agent_text) : null,
            ...(toolsByTurn.get(t.turn_id) ?? []).map((c) =>
              h('div', { class: 'tool' }, `⚙ ${c.name} → ${c.status}: ${c.output_summary}`),
            ),
            h(
              'div',
              { class: 'who' },
              `e2e ${fmt.ms(t.e2e_latency_ms)} · EOU ${fmt.ms(t.eou_delay_ms)} · LLM ${fmt.ms(t.llm_ttft_ms)} · TTS ${fmt.ms(t.tts_ttfb_ms)}${t.interrupted ? ' · interrupted' : ''}`,
            ),
          ),
        ),
      ),
    );
  document
    .querySelector('#tools tbody')
    .replaceChildren(
      ...(d.tool_calls.length
        ? d.tool_calls.map((c) =>
            h(
              'tr',
              {},
              h('td', {}, c.ordinal + 1),
              h('td', { class: 'mono' }, c.name),
              h('td', {}, c.status),
              h('td', { class: 'num' }, fmt.num(c.duration_ms)),
              h('td', {}, c.error ?? c.output_summary),
            ),
          )
        : [h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No tool calls.'))]),
    );
  document
    .querySelector('#deliveries tbody')
    .replaceChildren(
      ...(d.deliveries.length
        ? d.deliveries.map((x) =>
            h(
              'tr',
              {},
              h('td', {}, x.destination),
              h('td', {}, x.status),
              h('td', { class: 'num' }, x.attempts),
              h('td', {}, x.last_error ?? ''),
            ),
          )
        : [h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'No delivery rows.'))]),
    );
  renderSessionIntelligence(d);
}

function currentSession() {
  const m = /^#session=(.+)$/.exec(location.hash);
  return m ? decodeURIComponent(m[1]) : null;
}

function openSession(id) {
  location.hash = `session=${encodeURIComponent(id)}`;
}

async function route() {
  const id = currentSession();
  document.getElementById('overview').hidden = id !== null;
  document.getElementById('session-view').hidden = id === null;
  if (id !== null) {
    renderSession(await api(`/api/sessions/${encodeURIComponent(id)}`));
    window.scrollTo(0, 0);
  } else {
    await loadOverview();
  }
}

async function refresh() {
  const status = document.getElementById('status');
  try {
    await route();
    status.textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (err) {
    status.textContent = `refresh failed: ${err.message}`;
  }
}

function start() {
  mountIntelligence();
  const select = document.getElementById('hours');
  if (![...select.options].some((o) => Number(o.value) === hours)) {
    select.append(h('option', { value: hours }, `${hours} hours`));
  }
  select.value = String(hours);
  select.addEventListener('change', () => {
    hours = Number(select.value);
    refresh();
  });
  document.getElementById('back').addEventListener('click', () => {
    location.hash = '';
  });
  window.addEventListener('hashchange', refresh);
  refresh();
  setInterval(() => {
    if (!document.hidden) refresh();
  }, POLL_MS);
}

// Chart.js is a deferred classic script; module scripts run after it, so `Chart` exists here.
start();
