/** One executed tool call as the payload records it (pure). */
import type { llm } from '@livekit/agents';
import type { PiiMode, ToolCall } from '../schema/session_payload.js';
import { type ContactHash, redactArguments, redactText } from './pii.js';

export const OUTPUT_SUMMARY_CHARS = 200;

export function parseArguments(raw: string): Record<string, unknown> {
  if (!raw || raw.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(raw);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    return { _value: v };
  } catch {
    return { _unparsed: true };
  }
}

/** Tool outputs arrive JSON-encoded; a plain string result is shown without its quotes. */
function unquote(text: string): string {
  if (text.length < 2 || text[0] !== '"') return text;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'string' ? v : text;
  } catch {
    return text;
  }
}

export function summarise(text: string, pii: PiiMode): string {
  const oneLine = redactText(pii, unquote(text)).replace(/\s+/g, ' ').trim();
  return oneLine.length <= OUTPUT_SUMMARY_CHARS ? oneLine : `${oneLine.slice(0, OUTPUT_SUMMARY_CHARS - 1)}…`;
}

export function toolCallRecord(
  call: Pick<llm.FunctionCall, 'callId' | 'name' | 'args' | 'createdAt'>,
  output: Pick<llm.FunctionCallOutput, 'output' | 'isError' | 'createdAt'> | undefined,
  opts: { pii: PiiMode; turnId: string | null; hash?: ContactHash },
): ToolCall {
  const started = typeof call.createdAt === 'number' && call.createdAt > 0 ? call.createdAt : null;
  const finished = output && typeof output.createdAt === 'number' ? output.createdAt : null;
  const summary = output ? summarise(output.output ?? '', opts.pii) : '';
  const failed = !output || output.isError;
  const rec: ToolCall = {
    call_id: call.callId,
    name: call.name,
    arguments: redactArguments(opts.pii, parseArguments(call.args), opts.hash),
    status: failed ? 'error' : 'ok',
    output_summary: summary,
    started_at: started === null ? null : new Date(started).toISOString(),
    duration_ms: started !== null && finished !== null && finished >= started ? finished - started : null,
    turn_id: opts.turnId,
  };
  if (failed) rec.error = output ? summary || 'tool failed' : 'no output';
  return rec;
}
