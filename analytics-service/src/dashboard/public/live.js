// SignalRoom dashboard: "live now", the calls in progress (GET /api/live), polled every 1.5 s
// without a reload. A call leaves when its final payload lands or its snapshots stop (the
// worker expires it). Mounts itself into #live-panel. Text via textContent only.

import { h } from './dom.js';

const POLL_MS = 1500;

const ms = (v) => (v === null || v === undefined ? '—' : `${Math.round(v)} ms`);

function duration(call) {
  const s = Math.round(call.duration_ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function row(call) {
  const errors = call.errors.total
    ? `${call.errors.total} (${Object.entries(call.errors.by_component)
        .map(([c, n]) => `${c} ${n}`)
        .join(', ')})`
    : '0';
  return h(
    'tr',
    { 'data-live': call.session_id },
    h('td', {}, call.session_id),
    h('td', {}, `${call.agent.name} · ${call.agent.prompt_version}`),
    h('td', {}, h('span', { class: `stage stage-${call.stage}` }, call.stage)),
    h('td', { class: 'num' }, duration(call)),
    h('td', { class: 'num' }, call.turns),
    h('td', {}, call.signals.length ? call.signals.join(', ').replaceAll('_', ' ') : '—'),
    h('td', { class: 'num' }, ms(call.latency.e2e_last_ms)),
    h('td', { class: 'num' }, errors),
    h('td', {}, new Date(call.updated_at).toLocaleTimeString()),
  );
}

function mount() {
  const root = document.getElementById('live-panel');
  if (!root) return;
  const title = h('h2', {}, 'Live now');
  const body = h('tbody', {});
  root.replaceChildren(
    title,
    h(
      'table',
      { id: 'live-calls' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[
            'Session',
            'Agent',
            'Stage',
            'Duration',
            'Turns',
            'Signals so far',
            'Last e2e',
            'Errors',
            'Updated',
          ].map((t, i) => h('th', { class: [3, 4, 6, 7].includes(i) ? 'num' : undefined }, t)),
        ),
      ),
      body,
    ),
  );
  const refresh = async () => {
    try {
      const res = await fetch('/api/live', { credentials: 'same-origin' });
      if (res.status === 401) return location.reload();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const data = await res.json();
      title.textContent = data.enabled
        ? `Live now — ${data.calls.length} call${data.calls.length === 1 ? '' : 's'}`
        : 'Live now — off';
      body.replaceChildren(
        ...(data.calls.length === 0
          ? [h('tr', { class: 'empty' }, h('td', { colspan: 9 }, 'No calls in progress.'))]
          : data.calls.map(row)),
      );
      root.dataset.loaded = 'true';
    } catch (err) {
      title.textContent = `Live now — refresh failed: ${err.message}`;
    }
  };
  refresh();
  setInterval(() => {
    if (!document.hidden) refresh();
  }, POLL_MS);
}

mount();
