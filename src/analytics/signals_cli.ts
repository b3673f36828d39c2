/**
 * `npm run --silent signals < messages.jsonl`: runs the signal detector over JSON Lines.
 * Each input line `{"id": "...", "text": "...", "context": [...]}` gives one output line, in order:
 * `{"id": "...", "signals": {...}}`, or `{"id": <id or null>, "error": "<reason>"}` for a line
 * that is not valid JSON, has no string `text`, or has a `context` that is not a list of
 * `{"role": "agent" | "user", "text": "..."}` turns. `context` (optional) is the conversation
 * before the message, oldest first. Blank lines are skipped. Streams line by line.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { detectSignals, type Turn, toSpecSignals } from './signals/index.js';

type Id = string | number | null;

/** The output line for one input line, or undefined for a blank line. */
export function processLine(line: string): string | undefined {
  if (line.trim() === '') return undefined;
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch (err) {
    return JSON.stringify({ id: idFromBrokenLine(line), error: `invalid JSON: ${(err as Error).message}` });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return JSON.stringify({ id: null, error: 'line is not a JSON object' });
  }
  const record = data as { id?: unknown; text?: unknown; context?: unknown };
  const id: Id = typeof record.id === 'string' || typeof record.id === 'number' ? record.id : null;
  if (typeof record.text !== 'string') {
    const reason =
      record.text === undefined
        ? 'missing field "text"'
        : `field "text" is ${typeOf(record.text)}, not a string`;
    return JSON.stringify({ id, error: reason });
  }
  const context = parseContext(record.context);
  if (typeof context === 'string') return JSON.stringify({ id, error: context });
  return JSON.stringify({ id, signals: toSpecSignals(detectSignals(record.text, context)) });
}

/** The optional `context` field as turns, or the reason it is not a list of turns. */
function parseContext(value: unknown): Turn[] | undefined | string {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return `field "context" is ${typeOf(value)}, not a list of turns`;
  for (let i = 0; i < value.length; i++) {
    const turn = value[i] as unknown;
    if (typeof turn !== 'object' || turn === null || Array.isArray(turn))
      return `context[${i}] is ${typeOf(turn)}, not a {"role", "text"} object`;
    const { role, text } = turn as { role?: unknown; text?: unknown };
    if (role !== 'agent' && role !== 'user')
      return `context[${i}].role is ${JSON.stringify(role) ?? 'missing'}, not "agent" or "user"`;
    if (typeof text !== 'string') return `context[${i}].text is ${typeOf(text)}, not a string`;
  }
  return value as Turn[];
}

function typeOf(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** Best effort: the string id of a line that is not valid JSON as a whole. */
function idFromBrokenLine(line: string): string | null {
  const m = /"id"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(line);
  if (m === null) return null;
  try {
    return JSON.parse(`"${m[1]}"`) as string;
  } catch {
    return null;
  }
}

/** Reads JSON Lines from `input` and writes one result line per non-blank line to `output`. */
export async function runSignalsCli(input: Readable, output: Writable): Promise<void> {
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    const out = processLine(line);
    if (out === undefined) continue;
    if (!output.write(`${out}\n`)) await once(output, 'drain');
  }
}

async function main(): Promise<void> {
  await runSignalsCli(process.stdin, process.stdout);
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
