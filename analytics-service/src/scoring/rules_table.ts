/** Renders every rule of a scoring config as a markdown table (kept in `config/README.md`, checked by a test). */
import type { Band, ScoringConfig } from './scoring_config.js';

const band = (b: Band) => (b.max === undefined ? `${b.min}+` : `${b.min}–${b.max}`);

export function scoringRulesTable(c: ScoringConfig): string {
  const rows: [string, string, string][] = [];
  for (const [id, p] of Object.entries(c.fit.industry.points))
    rows.push([`fit.industry.${id}`, `industry is ${id}`, String(p)]);
  rows.push([
    'fit.industry.unlisted',
    'industry stated but not listed above',
    String(c.fit.industry.unlisted_points),
  ]);
  for (const b of c.fit.team_size.bands)
    rows.push([`fit.team_size.${b.id}`, `team size ${band(b)}`, String(b.points)]);
  for (const b of c.fit.monthly_volume.bands) {
    rows.push([`fit.monthly_volume.${b.id}`, `${band(b)} documents a month`, String(b.points)]);
  }
  for (const [id, p] of Object.entries(c.fit.integrations.points)) {
    rows.push([
      `fit.integration.${id}`,
      `needs ${id} (integrations capped at ${c.fit.integrations.cap} in total)`,
      String(p),
    ]);
  }
  rows.push(['fit.integration.unsupported', 'needs an integration not listed above', '0']);
  for (const u of ['high', 'medium', 'low'] as const) {
    rows.push([`engagement.urgency.${u}`, `urgency is ${u}`, String(c.engagement.urgency[u])]);
  }
  const e = c.engagement;
  rows.push([
    'engagement.meeting_booked',
    `outcome meeting_booked, or a successful ${e.meeting_booked.tool_names.join('/')} call`,
    String(e.meeting_booked.points),
  ]);
  rows.push([
    'engagement.callback_requested',
    `outcome callback_requested, or a successful ${e.callback_requested.tool_names.join('/')} call (not with a meeting)`,
    String(e.callback_requested.points),
  ]);
  rows.push(['engagement.not_interested', 'outcome not_interested', String(e.not_interested.points)]);
  rows.push([
    'engagement.knowledge_questions',
    `each ${e.knowledge_questions.tool_names.join('/')} call, capped at ${e.knowledge_questions.cap}`,
    `${e.knowledge_questions.points_each} each`,
  ]);
  for (const b of e.turns.bands)
    rows.push([`engagement.turns.${b.id}`, `${band(b)} conversation turns`, String(b.points)]);
  return [
    '| rule | fires when | points |',
    '|---|---|---|',
    ...rows.map((r) => `| \`${r[0]}\` | ${r[1]} | ${r[2]} |`),
  ].join('\n');
}
