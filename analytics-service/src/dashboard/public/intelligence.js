// Post-call intelligence in the dashboard: prospect sentiment beside the turn timeline, the LLM
// analysis (summary, custom fields with the prospect's quotes, success, detector-vs-LLM signals,
// scorecard points) in the session view, and the window's aggregates in the overview.
// Mounted by app.js; builds its own cards; text goes into the DOM through textContent only.

import { h } from './dom.js';

let sentimentChart = null;

const signed = (v) => (v === null || v === undefined ? '—' : `${v > 0 ? '+' : ''}${Number(v).toFixed(2)}`);
const label = (s) => String(s ?? '').replaceAll('_', ' ');
const valueText = (v) =>
  v === null || v === undefined
    ? '—'
    : Array.isArray(v)
      ? v.join(', ')
      : typeof v === 'boolean'
        ? v
          ? 'yes'
          : 'no'
        : String(v);
const kpi = (name, value, cls) =>
  h('div', { class: 'kpi' }, h('b', { class: cls }, value), h('span', {}, name));
const tone = (v) => (v === null || v === undefined ? undefined : v <= -0.05 ? 'breach' : undefined);

/** Creates the cards (once): one after the turn timeline, one in the overview. */
export function mountIntelligence() {
  if (document.getElementById('intelligence')) return;
  const timeline = document.getElementById('timeline')?.closest('.card');
  const card = h(
    'div',
    { class: 'card', id: 'intelligence' },
    h('h3', {}, 'Post-call intelligence ', h('small', {}, 'prospect sentiment per turn · LLM analysis')),
    h('div', { id: 'intel-sentiment', class: 'kpis' }),
    h('div', { class: 'chart' }, h('canvas', { id: 'chart-sentiment' })),
    h('div', { id: 'intel-analysis' }),
  );
  timeline?.after(card);
  const sessions = document.getElementById('sessions')?.closest('.card');
  const overview = h(
    'section',
    { class: 'card', id: 'intelligence-overview' },
    h('h2', {}, 'Post-call intelligence ', h('small', {}, 'sentiment and LLM analysis in the window')),
    h('div', { id: 'intel-kpis', class: 'kpis' }),
    h('div', { id: 'intel-fields' }),
  );
  sessions?.before(overview);
}

function sentimentSection(d) {
  const s = d.intelligence?.sentiment ?? null;
  const box = document.getElementById('intel-sentiment');
  if (!s) {
    box.replaceChildren(
      h('div', { class: 'empty' }, 'No sentiment: the transcript policy kept no prospect text.'),
    );
    if (sentimentChart) {
      sentimentChart.destroy();
      sentimentChart = null;
    }
    return;
  }
  box.replaceChildren(
    kpi('sentiment at start', signed(s.start), tone(s.start)),
    kpi('at end', signed(s.end), tone(s.end)),
    kpi('lowest', signed(s.lowest), tone(s.lowest)),
    kpi('trend', `${label(s.trend_label)} (${signed(s.trend)})`),
    kpi('mean', signed(s.mean), tone(s.mean)),
  );
  const turns = d.turns ?? [];
  const data = {
    labels: turns.map((t) => `turn ${t.turn_index + 1}`),
    datasets: [
      {
        label: 'prospect sentiment (VADER compound)',
        data: turns.map((t) => t.prospect_sentiment ?? null),
        borderColor: '#3056d3',
        backgroundColor: '#3056d3',
        spanGaps: true,
      },
    ],
  };
  const options = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { display: false } },
    scales: { y: { min: -1, max: 1 } },
  };
  if (sentimentChart) {
    sentimentChart.data = data;
    sentimentChart.update('none');
  } else if (typeof Chart !== 'undefined') {
    sentimentChart = new Chart(document.getElementById('chart-sentiment'), { type: 'line', data, options });
  }
}

function quoteLines(quotes) {
  return (quotes ?? []).map((q) => h('div', { class: 'ev' }, `“${q}”`));
}

function analysisSection(d) {
  const i = d.intelligence;
  const box = document.getElementById('intel-analysis');
  if (!i) {
    box.replaceChildren(h('p', { class: 'empty' }, 'Not analysed (written before post-call intelligence).'));
    return;
  }
  const detail = i.detail ?? {};
  const parts = [];
  const status =
    i.status === 'ok'
      ? `analysed by ${i.model ?? 'the analysis model'}${i.discarded_quotes ? ` · ${i.discarded_quotes} value(s) discarded: quote not found in the prospect's words` : ''}`
      : i.status === 'off'
        ? 'LLM analysis is off (no analysis model configured).'
        : `LLM analysis ${label(i.status)}${i.reason ? `: ${i.reason}` : ''}`;
  parts.push(h('p', { class: 'intel-status' }, status));
  if (i.summary) parts.push(h('h4', {}, 'Summary'), h('p', { class: 'intel-summary' }, i.summary));
  const fields = Object.entries(detail.custom_fields ?? {});
  if (fields.length) {
    parts.push(
      h('h4', {}, 'Custom fields'),
      h(
        'table',
        { class: 'intel-fields' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', {}, 'Field'), h('th', {}, 'Value'), h('th', {}, "Prospect's words")),
        ),
        h(
          'tbody',
          {},
          fields.map(([name, v]) =>
            h(
              'tr',
              {},
              h('td', { class: 'mono' }, name),
              h('td', {}, valueText(v?.value)),
              h('td', {}, quoteLines(v?.quotes)),
            ),
          ),
        ),
      ),
    );
  }
  if (detail.success) {
    parts.push(
      h('h4', {}, `Success: ${detail.success.achieved ? 'achieved' : 'not achieved'}`),
      h(
        'ul',
        { class: 'signals' },
        detail.success.objectives.map((o) =>
          h(
            'li',
            {},
            h('b', {}, o.met === null ? '? ' : o.met ? '✓ ' : '✗ '),
            o.description,
            quoteLines(o.quotes),
          ),
        ),
      ),
    );
  }
  const opinions = i.signal_opinions ?? [];
  if (opinions.length) {
    parts.push(
      h('h4', {}, 'Signals: detector and LLM'),
      h(
        'table',
        { class: 'intel-opinions' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'Signal'),
            h('th', {}, 'Detector'),
            h('th', {}, 'LLM'),
            h('th', {}, 'Scored from'),
          ),
        ),
        h(
          'tbody',
          {},
          opinions.map((o) =>
            h(
              'tr',
              { class: o.agree ? '' : 'disagree' },
              h('td', {}, label(o.name)),
              h('td', {}, valueText(o.detector?.value)),
              h('td', {}, valueText(o.llm?.value), quoteLines(o.llm?.quotes)),
              h('td', {}, o.used ?? '—'),
            ),
          ),
        ),
      ),
    );
  }
  const scorecard = (d.score?.reasons ?? []).filter((r) => r.rule.startsWith('scorecard.'));
  if (scorecard.length) {
    parts.push(
      h('h4', {}, 'Scorecard'),
      h(
        'ul',
        { class: 'reasons' },
        scorecard.map((r) => h('li', {}, h('b', {}, `${r.points >= 0 ? '+' : ''}${r.points} `), r.detail)),
      ),
    );
  }
  box.replaceChildren(...parts);
}

export function renderSessionIntelligence(d) {
  mountIntelligence();
  sentimentSection(d);
  analysisSection(d);
}

export function renderIntelligenceOverview(a) {
  mountIntelligence();
  const s = a.sentiment;
  const ok = a.analysis.by_status.ok ?? 0;
  document
    .getElementById('intel-kpis')
    .replaceChildren(
      kpi('avg sentiment', signed(s.avg_mean), tone(s.avg_mean)),
      kpi('start → end', `${signed(s.avg_start)} → ${signed(s.avg_end)}`),
      kpi(
        'improving / steady / declining',
        `${s.trend.improving} / ${s.trend.steady} / ${s.trend.declining}`,
      ),
      kpi('analysed by LLM', `${ok} of ${a.sessions}`),
      kpi('with summary', a.analysis.with_summary),
      kpi(
        'success',
        a.analysis.success.evaluated
          ? `${a.analysis.success.achieved} of ${a.analysis.success.evaluated}`
          : '—',
      ),
      kpi('quotes discarded', a.analysis.discarded_quotes),
      kpi('analysis cost', `$${a.analysis.cost_usd.toFixed(4)}`),
    );
  const fields = Object.entries(a.custom_fields);
  document
    .getElementById('intel-fields')
    .replaceChildren(
      fields.length
        ? h(
            'p',
            { class: 'intel-fill' },
            `Custom fields filled: ${fields.map(([k, n]) => `${k} ${n}/${a.sessions}`).join(' · ')}`,
          )
        : h('p', { class: 'empty' }, 'No custom fields extracted in this window.'),
    );
}

export async function loadIntelligenceOverview(api, hours) {
  renderIntelligenceOverview(await api(`/api/intelligence?hours=${hours}`));
}
