// Shared by the dashboard's modules: element building (text through textContent only) and the
// API's JSON GETs (a 401 reloads the page, which leads to the login form).

/** `h('td', {class: 'num'}, 'text', child)`; `on<event>` attributes become listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Plain same-origin GETs (no extra headers), so the first ones take the page's preloaded responses. */
export async function getJson(path) {
  const res = await fetch(path, { credentials: 'same-origin' });
  if (res.status === 401) {
    location.reload();
    throw new Error('unauthorized');
  }
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}
