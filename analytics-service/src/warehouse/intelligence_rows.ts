/**
 * Rows of the post-call intelligence tables (migration 6): `call_intelligence`, one per session,
 * and `prospect_sentiment`, one per prospect message with text. A session scored without them
 * (older code, tests) still gets its `call_intelligence` row with status `off`.
 */
import type { ScoredSession } from '../types.js';
import type { TableRows, TableSpec } from './rows.js';

export const CALL_INTELLIGENCE: TableSpec = {
  name: 'call_intelligence',
  key: ['session_id'],
  columns: [
    ['session_id', 'text'],
    ['sentiment_mean', 'double'],
    ['sentiment_start', 'double'],
    ['sentiment_end', 'double'],
    ['sentiment_lowest', 'double'],
    ['sentiment_trend', 'double'],
    ['sentiment_trend_label', 'text'],
    ['analysis_status', 'text'],
    ['analysis_reason', 'text'],
    ['analysis_config_version', 'text'],
    ['analysis_model', 'text'],
    ['analysis_attempts', 'int'],
    ['summary', 'text'],
    ['success', 'bool'],
    ['custom_fields', 'json'],
    ['intelligence', 'json'],
    ['signal_opinions', 'json'],
    ['discarded_quotes', 'int'],
    ['signal_disagreements', 'int'],
    ['cost_analysis_usd', 'double'],
    ['analysed_at', 'ts'],
  ],
};

export const PROSPECT_SENTIMENT: TableSpec = {
  name: 'prospect_sentiment',
  key: ['session_id', 'message_index'],
  columns: [
    ['session_id', 'text'],
    ['message_index', 'int'],
    ['turn_index', 'int'],
    ['compound', 'double'],
    ['positive', 'double'],
    ['negative', 'double'],
    ['neutral', 'double'],
  ],
};

export function intelligenceRows(s: ScoredSession, out: TableRows): void {
  const id = s.session_id;
  const sent = s.sentiment ?? null;
  const intel = s.intelligence ?? null;
  const opinions = s.signal_opinions ?? [];
  const customFields = intel
    ? Object.fromEntries(Object.entries(intel.custom_fields).map(([k, v]) => [k, v?.value ?? null]))
    : null;
  out.call_intelligence.push([
    id,
    sent?.mean ?? null,
    sent?.start ?? null,
    sent?.end ?? null,
    sent?.lowest ?? null,
    sent?.trend ?? null,
    sent?.trend_label ?? null,
    intel?.status ?? 'off',
    intel?.reason ?? null,
    intel?.config_version ?? null,
    intel?.model ?? null,
    intel?.attempts ?? 0,
    intel?.summary ?? null,
    intel?.success ? intel.success.achieved : null,
    intel?.status === 'ok' ? customFields : null,
    intel ?? { status: 'off' },
    opinions,
    intel?.discarded.length ?? 0,
    opinions.filter((o) => o.detector !== null && o.llm !== null && !o.agree).length,
    s.cost.by_component.analysis ?? 0,
    intel?.analysed_at ?? null,
  ]);
  for (const m of sent?.messages ?? []) {
    out.prospect_sentiment.push([
      id,
      m.message_index,
      m.turn_index,
      m.compound,
      m.positive,
      m.negative,
      m.neutral,
    ]);
  }
}
