/**
 * `npm run --silent signals:eval -- labelled.jsonl [more.jsonl…] [--misses] [--no-context]`: scores
 * the signal detector on your own labelled messages (JSON Lines in the format of
 * `shared/data/signals-dev.jsonl`: `{id, text, context?, signals}`). Prints micro and per-field
 * precision/recall/F1 with TP/FP/FN for each file and, with several files, for all of them together;
 * `--misses` adds every message it got wrong (id, expected, got, text); `--no-context` ignores the
 * `context` field. A line that cannot be read stops the run with `file:line: reason` on stderr and
 * exit code 2; nothing is scored then.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  type Example,
  formatMiss,
  formatScore,
  LabelledInputError,
  parseLabelled,
  score,
} from './signals/evaluate.js';

const USAGE =
  'usage: npm run --silent signals:eval -- labelled.jsonl [more.jsonl…] [--misses] [--no-context]';

/** Runs the command; returns the exit code. `write`/`fail` receive stdout/stderr text. */
export function runSignalsEval(
  args: readonly string[],
  write: (s: string) => void,
  fail: (s: string) => void,
): number {
  const files: string[] = [];
  let showMisses = false;
  let useContext = true;
  for (const a of args) {
    if (a === '--misses') showMisses = true;
    else if (a === '--no-context') useContext = false;
    else if (a === '--help' || a === '-h') {
      write(`${USAGE}\n`);
      return 0;
    } else if (a.startsWith('--')) {
      fail(`signals:eval: unknown option ${a}\n${USAGE}\n`);
      return 2;
    } else files.push(a);
  }
  if (files.length === 0) {
    fail(`signals:eval: no labelled file given\n${USAGE}\n`);
    return 2;
  }
  const sets: [string, Example[]][] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      fail(
        `signals:eval: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`,
      );
      return 2;
    }
    try {
      sets.push([file, parseLabelled(text, file)]);
    } catch (err) {
      if (!(err instanceof LabelledInputError)) throw err;
      fail(`signals:eval: ${err.message}\n`);
      return 2;
    }
  }
  const blocks: string[] = [];
  for (const [file, examples] of sets) {
    const s = score(examples, { useContext });
    let block = formatScore(file, s);
    if (showMisses) block += s.misses.map((m) => `\n  miss ${formatMiss(m)}`).join('');
    blocks.push(block);
  }
  if (sets.length > 1) {
    const all = sets.flatMap(([, ex]) => ex);
    blocks.push(formatScore(`all ${sets.length} files`, score(all, { useContext })));
  }
  write(`${blocks.join('\n\n')}\n`);
  return 0;
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  process.exitCode = runSignalsEval(
    process.argv.slice(2),
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  );
}
