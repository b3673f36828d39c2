// Session view: how sure the detector was of each signal, and the values it beat with why
// ("beat 40: past size, user turn 2"). Text via textContent only.

function line(cls, text) {
  const el = document.createElement('div');
  el.className = cls;
  el.textContent = text;
  return el;
}

function valueText(v) {
  return Array.isArray(v) ? v.join(', ') : String(v);
}

/** Nodes to append under a signal of `GET /api/sessions/:id` (`signals[]` rows); none when it has neither. */
export function signalConfidence(sig) {
  const out = [];
  if (typeof sig.confidence === 'number') {
    const low = sig.confidence < 0.7;
    out.push(
      line(
        `confidence${low ? ' low' : ''}`,
        `confidence ${sig.confidence.toFixed(2)}${low ? ' (low: the score gives it fewer points)' : ''}`,
      ),
    );
  }
  for (const a of Array.isArray(sig.alternatives) ? sig.alternatives : []) {
    out.push(
      line('ev alternative', `beat ${valueText(a.value)}: ${a.reason}, user turn ${a.turn_index + 1}`),
    );
  }
  return out;
}
