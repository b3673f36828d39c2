/** The messages sent to the analysis model: instructions, then the call with numbered prospect lines. */
import type { SessionPayload } from '../../../src/schema/index.js';
import type { ProspectMessage } from '../analysis/prospect_messages.js';
import type { AnalysisConfig } from './analysis_config.js';

/** Bump when the wording below changes: it is part of the cache key. */
export const PROMPT_REVISION = 'p1';

export function analysisMessages(
  payload: SessionPayload,
  prospect: readonly ProspectMessage[],
  config: AnalysisConfig,
): Array<{ role: 'system' | 'user'; content: string }> {
  const lines: string[] = [];
  if (payload.transcript && payload.transcript.length > 0) {
    let i = 0;
    for (const l of payload.transcript) {
      lines.push(l.role === 'user' ? `PROSPECT [${i++}]: ${l.text}` : `AGENT: ${l.text}`);
    }
  } else {
    for (const m of prospect) lines.push(`PROSPECT [${m.message_index}]: ${m.text}`);
  }
  const objectives = config.objectives.map((o) => `- ${o.id}: ${o.description}`).join('\n');
  const system = [
    config.instructions,
    objectives
      ? `Success objectives (answer met true/false for each, with quotes when met):\n${objectives}`
      : '',
    `Keep the summary under ${config.summary_max_chars} characters. Answer with the JSON object only.`,
  ]
    .filter(Boolean)
    .join('\n\n');
  const user = [
    `Call outcome recorded by the agent: ${payload.outcome}; stage reached: ${payload.stage.reached}.`,
    'Transcript:',
    ...lines,
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}
