/** Reads the demo's scored sessions back from the warehouse, in the order of `ids`. */
import { type ReasonView, reasons, topReasons } from '../api/session_queries.js';
import { num } from '../api/sql.js';
import type { Warehouse } from '../warehouse/types.js';

export interface DemoLead {
  session_id: string;
  score: number;
  tier: string;
  signals: Record<string, unknown>;
  outcome: string;
  cost_usd: number;
  cost_usd_by_component: { llm: number; stt: number; tts: number; livekit: number };
  top_reasons: ReasonView[];
  /** Post-call intelligence (`call_intelligence`): the LLM summary, VADER sentiment, custom fields with a value. */
  summary: string | null;
  sentiment: { start: number; end: number; lowest: number; mean: number; trend: string } | null;
  custom_fields: Record<string, unknown>;
}

export async function readDemoLeads(wh: Warehouse, ids: readonly string[]): Promise<DemoLead[]> {
  if (ids.length === 0) return [];
  const list = ids.map((_, i) => `$${i + 1}`).join(', ');
  // One after the other: a session row seen by the first query has its signal rows (written in the
  // same transaction) visible to the second. Side by side, a transaction committing between them
  // gave a scored lead with no signals (seen once in the demo's determinism test).
  const rows = await wh.query(
    `SELECT s.session_id, s.score, s.tier, s.outcome, s.cost_usd, s.cost_llm_usd, s.cost_stt_usd,
              s.cost_tts_usd, s.cost_livekit_usd, l.reasons, ci.summary, ci.custom_fields,
              ci.sentiment_start, ci.sentiment_end, ci.sentiment_lowest, ci.sentiment_mean, ci.sentiment_trend_label
       FROM sessions s JOIN leads l ON l.session_id = s.session_id
       LEFT JOIN call_intelligence ci ON ci.session_id = s.session_id WHERE s.session_id IN (${list})`,
    ids,
  );
  const signals = await wh.query(
    `SELECT session_id, name, value FROM signals WHERE session_id IN (${list}) ORDER BY name`,
    ids,
  );
  const bySession = new Map<string, Record<string, unknown>>();
  for (const s of signals) {
    const id = String(s.session_id);
    const m = bySession.get(id) ?? {};
    m[String(s.name)] = s.value;
    bySession.set(id, m);
  }
  const byId = new Map(rows.map((r) => [String(r.session_id), r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    return [
      {
        session_id: id,
        score: num(r.score) ?? 0,
        tier: String(r.tier),
        signals: bySession.get(id) ?? {},
        outcome: String(r.outcome),
        // Micro-dollar precision: the same on every run.
        cost_usd: micro(r.cost_usd),
        cost_usd_by_component: {
          llm: micro(r.cost_llm_usd),
          stt: micro(r.cost_stt_usd),
          tts: micro(r.cost_tts_usd),
          livekit: micro(r.cost_livekit_usd),
        },
        top_reasons: topReasons(reasons(r.reasons)),
        summary: typeof r.summary === 'string' ? r.summary : null,
        sentiment:
          num(r.sentiment_mean) === null
            ? null
            : {
                start: num(r.sentiment_start) ?? 0,
                end: num(r.sentiment_end) ?? 0,
                lowest: num(r.sentiment_lowest) ?? 0,
                mean: num(r.sentiment_mean) ?? 0,
                trend: String(r.sentiment_trend_label),
              },
        custom_fields: Object.fromEntries(
          Object.entries((r.custom_fields as Record<string, unknown> | null) ?? {}).filter(
            ([, v]) => v !== null,
          ),
        ),
      },
    ];
  });
}

const micro = (v: unknown): number => Math.round((num(v) ?? 0) * 1e6) / 1e6;
