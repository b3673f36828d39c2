// Voice panel of the session view: for calls with audio, the silence the caller heard before each
// reply (perceived latency, from the session's own events) beside agents-js's e2e estimate
// (EOU + LLM TTFT + TTS TTFB), and how far apart they are; talk time and STT joined to turns.
// Text only through textContent.

const ms = (v) =>
  v === null || v === undefined || Number.isNaN(Number(v)) ? '—' : `${Math.round(Number(v))} ms`;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

/** Renders the voice panel for a session detail (`GET /api/sessions/:id`) into `container`. */
export function renderVoicePanel(detail, container) {
  if (!container) return;
  const turns = detail.turns ?? [];
  const voice = detail.payload?.voice;
  const heard = turns.filter((t) => t.perceived_latency_ms !== null && t.perceived_latency_ms !== undefined);
  if (!voice && heard.length === 0) {
    container.hidden = true;
    container.replaceChildren();
    return;
  }
  container.hidden = false;
  const title = el('h3', 'Voice ');
  title.append(el('small', 'perceived latency (the silence heard) vs e2e estimate (EOU + TTFT + TTFB)'));
  const kpis = el('div', undefined, 'kpis');
  const kpi = (label, value) => {
    const k = el('div', undefined, 'kpi');
    k.append(el('div', value, 'v'), el('div', label, 'l'));
    return k;
  };
  kpis.append(
    kpi('perceived p50', ms(voice?.perceived_latency_p50_ms)),
    kpi('perceived p95', ms(voice?.perceived_latency_p95_ms)),
    kpi('e2e p50 (estimate)', ms(detail.session?.latency_e2e_p50_ms)),
    kpi(
      'talk ratio (agent)',
      voice?.talk_ratio === null || voice?.talk_ratio === undefined
        ? '—'
        : `${Math.round(voice.talk_ratio * 100)}%`,
    ),
    kpi(
      'STT reports unattributed',
      voice
        ? `${voice.stt_metrics_unattributed} of ${voice.stt_metrics_attributed + voice.stt_metrics_unattributed}`
        : '—',
    ),
  );
  const table = el('table', undefined, 'voice-turns');
  const head = el('tr');
  for (const c of [
    'turn',
    'perceived',
    'e2e estimate',
    'difference',
    'user spoke',
    'agent spoke',
    'STT audio',
    '',
  ]) {
    head.append(el('th', c));
  }
  const thead = el('thead');
  thead.append(head);
  const tbody = el('tbody');
  for (const t of turns) {
    const tr = el('tr');
    const p = t.perceived_latency_ms;
    const e = t.e2e_latency_ms;
    const diff = p !== null && p !== undefined && e !== null && e !== undefined ? p - e : null;
    tr.append(
      el('td', `turn ${Number(t.turn_index) + 1}`),
      el('td', ms(p), 'num'),
      el('td', ms(e), 'num'),
      el('td', diff === null ? '—' : `${diff >= 0 ? '+' : ''}${Math.round(diff)} ms`, 'num'),
      el('td', ms(t.user_speech_ms), 'num'),
      el('td', ms(t.agent_speech_ms), 'num'),
      el('td', ms(t.stt_audio_duration_ms), 'num'),
      el('td', t.interrupted ? 'interrupted' : ''),
    );
    tbody.append(tr);
  }
  table.append(thead, tbody);
  container.replaceChildren(title, kpis, table);
}
