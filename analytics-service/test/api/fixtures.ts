/**
 * Varied scored sessions for API tests, built with the real pricing, analysis and scoring so the
 * rows look like the worker's. Times are relative to `now`, so windows can be asserted exactly.
 */
import type { Outcome, SessionPayload, Stage } from '../../../src/schema/index.js';
import { samplePayload } from '../../../src/schema/testing/index.js';
import { DEFAULT_SLAS } from '../../src/analysis/index.js';
import { defaultPriceBook } from '../../src/pricing/index.js';
import { buildScoredSession, defaultScoringConfig } from '../../src/scoring/index.js';
import type { ScoredSession } from '../../src/types.js';
import type { DeliveryStatus } from '../../src/warehouse/types.js';

const OUTCOMES: Outcome[] = [
  'meeting_booked',
  'callback_requested',
  'not_interested',
  'completed',
  'disconnected',
];
const STAGE_FOR: Record<string, Stage> = {
  meeting_booked: 'closing',
  callback_requested: 'solution',
  not_interested: 'discovery',
  completed: 'qualification',
  disconnected: 'greeting',
};
const INDUSTRIES = ['legal', 'healthcare', 'finance', 'technology'] as const;

export const FIXTURE_COUNT = 12;
/** Sessions 0..9 end within the last 24 h; 10 and 11 ended 40 and 45 days ago. */
export const RECENT_COUNT = 10;

export function fixturePayload(i: number, now: Date): SessionPayload {
  const base = samplePayload({}, { turns: 3 + (i % 4) });
  const endedMs =
    i < RECENT_COUNT ? now.getTime() - (i + 1) * 3_600_000 : now.getTime() - (i * 5 - 10) * 86_400_000;
  const duration = base.duration_ms;
  const outcome = OUTCOMES[i % OUTCOMES.length] ?? 'completed';
  const reached = STAGE_FOR[outcome] ?? 'discovery';
  const signals: SessionPayload['signals'] = { ...base.signals };
  if (i % 3 === 2) {
    delete signals.monthly_volume;
    delete signals.integration_needs;
  }
  if (signals.industry)
    signals.industry = { ...signals.industry, value: INDUSTRIES[i % INDUSTRIES.length] ?? 'legal' };
  if (signals.team_size) signals.team_size = { ...signals.team_size, value: 5 + i * 7 };
  // Session 3's team size was read from the agent's question, over a past size it beat.
  if (signals.team_size && i === 3)
    signals.team_size = {
      ...signals.team_size,
      confidence: 0.6,
      alternatives: [{ value: 9, reason: 'past size', turn_index: 1, span: [4, 11] }],
    };
  return {
    ...base,
    session_id: `sess_api_${String(i).padStart(2, '0')}`,
    agent: { ...base.agent, prompt_version: i % 2 === 0 ? 'sales-v1' : 'sales-v2' },
    room: { name: i === 0 ? 'Room "A", east\nwing' : `room-${i}`, sid: null },
    participant: { identity: i === 1 ? '=HYPERLINK("x")' : `prospect-${i}`, kind: 'standard' },
    started_at: new Date(endedMs - duration).toISOString(),
    ended_at: new Date(endedMs).toISOString(),
    turns: base.turns.map((t, k) => ({
      ...t,
      started_at: new Date(endedMs - duration + k * 8000).toISOString(),
      llm_ttft_ms: 400 + 100 * ((i + k) % 5),
    })),
    signals,
    outcome,
    end_reason: outcome === 'disconnected' ? 'participant_disconnected' : 'agent_ended',
    stage: { reached, completed: [] },
    tool_calls: outcome === 'meeting_booked' ? base.tool_calls : base.tool_calls.slice(0, 1),
  };
}

export function fixtureSessions(now: Date): ScoredSession[] {
  const deps = {
    priceBook: defaultPriceBook(),
    scoring: defaultScoringConfig(),
    slas: DEFAULT_SLAS,
    now: () => now,
  };
  return Array.from({ length: FIXTURE_COUNT }, (_, i) => buildScoredSession(fixturePayload(i, now), deps));
}

export function fixtureDeliveries(sessions: readonly ScoredSession[]): DeliveryStatus[] {
  return sessions.flatMap((s, i) => [
    {
      session_id: s.session_id,
      destination: 'warehouse',
      status: 'ok' as const,
      attempts: 1,
      last_error: null,
    },
    {
      session_id: s.session_id,
      destination: 'hubspot',
      status: i === 3 ? ('parked' as const) : ('ok' as const),
      attempts: i === 3 ? 5 : 1,
      last_error: i === 3 ? 'HTTP 400: property "industry" unknown' : null,
    },
  ]);
}

/** RFC 4180 parser for assertions (quoted fields, doubled quotes, CRLF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
