import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { llm, voice } from '@livekit/agents';

/** Monday 2026-11-23 12:00 UTC: every test runs at this instant. */
export const NOW = new Date('2026-11-23T12:00:00Z');
export const fixedNow = () => NOW;

export async function tempDir(
  prefix = 'signalroom-agent-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Output text of every function call output in a run, by tool name. */
export function toolOutputs(result: voice.testing.RunResult<unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const ev of result.events) {
    if (ev.type === 'function_call_output') {
      const item = ev.item as llm.FunctionCallOutput;
      const list = out[item.name] ?? [];
      list.push(decodeOutput(item.output));
      out[item.name] = list;
    }
  }
  return out;
}

export function assistantTexts(result: voice.testing.RunResult<unknown>): string[] {
  return result.events
    .filter(
      (ev: voice.testing.RunEvent) =>
        ev.type === 'message' && (ev.item as llm.ChatMessage).role === 'assistant',
    )
    .map((ev: voice.testing.RunEvent) => (ev.item as llm.ChatMessage).textContent ?? '');
}

/** Tool outputs are JSON-encoded by agents-js (`"text"`); decode them back to the text. */
export function decodeOutput(output: string): string {
  try {
    const v = JSON.parse(output) as unknown;
    return typeof v === 'string' ? v : output;
  } catch {
    return output;
  }
}
