import type { ProgressSnapshot } from '../../../src/schema/index.js';

/** A valid progress snapshot of call `sessionId`, number `seq`, 5 s apart from 2026-11-18 12:00 UTC; `over` replaces fields. */
export function progressSnapshot(
  sessionId: string,
  seq: number,
  over: Partial<ProgressSnapshot> = {},
): ProgressSnapshot {
  return {
    kind: 'progress',
    version: 1,
    session_id: sessionId,
    seq,
    at: new Date(Date.parse('2026-11-18T12:00:00Z') + seq * 5000).toISOString(),
    reason: seq === 1 ? 'start' : 'interval',
    started_at: '2026-11-18T12:00:00.000Z',
    agent: { name: 'sales', version: '1', prompt_version: 'p1' },
    stage: 'discovery',
    turns: seq,
    user_messages: seq,
    signals: ['team_size'],
    tool_calls: 0,
    latency: { e2e_last_ms: 900, e2e_p50_ms: 850, llm_ttft_last_ms: 400 },
    errors: { total: 0, by_component: {} },
    ...over,
  };
}
