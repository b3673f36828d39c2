import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LabelledInputError, parseLabelled, score } from '../../src/analytics/signals/evaluate.js';
import { runSignalsEval } from '../../src/analytics/signals_eval_cli.js';
import { loadExamples } from '../support/signals_scoring.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KNOWN = fileURLToPath(new URL('../fixtures/signals-eval-known.jsonl', import.meta.url));
const BAD = fileURLToPath(new URL('../fixtures/signals-eval-bad.jsonl', import.meta.url));

function runNpm(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'signals:eval', '--', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('signals evaluation (signals:eval)', () => {
  // k-1 right, k-2 wrong size (1 FP + 1 FN), k-3 urgency not labelled (1 FP),
  // k-4 two of three tools (2 TP + 1 FN), k-5 nothing either way.
  it('counts TP/FP/FN per (signal, value) pair on a file with known counts', () => {
    const s = score(loadExamples(KNOWN));
    expect(s.size).toBe(5);
    expect(s.micro).toMatchObject({ tp: 3, fp: 2, fn: 2 });
    expect(s.micro.f1).toBeCloseTo(0.6, 6);
    expect(s.fields.team_size).toMatchObject({ tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5 });
    expect(s.fields.integration_needs).toMatchObject({ tp: 2, fp: 0, fn: 1, precision: 1 });
    expect(s.fields.integration_needs.recall).toBeCloseTo(2 / 3, 6);
    expect(s.fields.urgency).toMatchObject({ tp: 0, fp: 1, fn: 0, precision: 0 });
    expect(s.misses.map((m) => m.id)).toEqual(['k-2', 'k-3', 'k-4']);
    expect(s.misses[0]).toEqual({
      id: 'k-2',
      text: 'We have 120 employees across two offices.',
      expected: { team_size: 100 },
      got: { team_size: 120 },
    });
  });

  it('reads each message with its context unless told not to', () => {
    const ex = parseLabelled(
      '{"id": "c", "text": "About forty, give or take.", "context": [{"role": "agent", "text": "How many people are on your team today?"}], "signals": {"team_size": 40}}',
    );
    expect(score(ex).micro).toMatchObject({ tp: 1, fp: 0, fn: 0 });
    expect(score(ex, { useContext: false }).micro).toMatchObject({ tp: 0, fp: 0, fn: 1 });
  });

  it('the npm command prints micro and per-field P/R/F1 with counts, and each miss with --misses', async () => {
    const r = await runNpm([KNOWN, '--misses']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(5 messages)');
    expect(r.stdout).toMatch(/micro\s+P 0\.600 {2}R 0\.600 {2}F1 0\.600 {2}\(tp 3, fp 2, fn 2\)/);
    expect(r.stdout).toMatch(/team_size\s+P 0\.500 {2}R 0\.500 {2}F1 0\.500 {2}\(tp 1, fp 1, fn 1\)/);
    expect(r.stdout).toMatch(/integration_needs\s+P 1\.000 {2}R 0\.667 {2}F1 0\.800 {2}\(tp 2, fp 0, fn 1\)/);
    expect(r.stdout).toContain(
      'miss k-2: expected {"team_size":100} got {"team_size":120} | We have 120 employees across two offices.',
    );
    expect(r.stdout).toContain('miss k-3: expected {} got {"urgency":"low"}');
    expect(r.stdout).not.toContain('miss k-1');
  });

  it('several files: one table each and one for all of them', async () => {
    const r = await runNpm([KNOWN, KNOWN]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('signals all 2 files (10 messages)');
    expect(r.stdout).toMatch(/all 2 files[^\n]*\n\s+micro\s+P 0\.600[^\n]*\(tp 6, fp 4, fn 4\)/);
  });

  it('a malformed line stops the run with the file and line named, and nothing scored', async () => {
    const r = await runNpm([KNOWN, BAD]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${BAD}:2: signals.urgency:`);
  });

  it('names the line and the problem for each kind of bad input', () => {
    const bad = (jsonl: string) => {
      try {
        parseLabelled(jsonl, 'f.jsonl');
      } catch (err) {
        expect(err).toBeInstanceOf(LabelledInputError);
        return (err as Error).message;
      }
      return 'no error';
    };
    const ok = '{"id": "a", "text": "x", "signals": {}}';
    expect(bad(`${ok}\n{"id": "b", "text": "x", "signals": {}`)).toMatch(/^f\.jsonl:2: invalid JSON/);
    expect(bad(`${ok}\n\n{"id": "b", "signals": {}}`)).toMatch(/^f\.jsonl:3: text: /);
    expect(bad('{"id": "a", "text": "x"}')).toMatch(/^f\.jsonl:1: signals: /);
    expect(bad('{"id": "a", "text": "x", "signals": {"team_size": 1.5}}')).toMatch(
      /^f\.jsonl:1: signals\.team_size: /,
    );
    expect(bad('{"id": "a", "text": "x", "signals": {"teamsize": 4}}')).toMatch(
      /^f\.jsonl:1: signals: .*teamsize/,
    );
    expect(bad('{"id": "a", "text": "x", "signals": {"integration_needs": ["gmail"]}}')).toMatch(
      /^f\.jsonl:1: signals\.integration_needs\.0: /,
    );
    expect(
      bad('{"id": "a", "text": "x", "context": [{"role": "bot", "text": "hi"}], "signals": {}}'),
    ).toMatch(/^f\.jsonl:1: context\.0\.role: /);
    expect(bad(`${ok}\n${ok}`)).toBe('f.jsonl:2: duplicate id "a" (first on line 1)');
  });

  it('usage errors exit 2 with the usage line', () => {
    const err: string[] = [];
    expect(
      runSignalsEval(
        [],
        () => {},
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err.join('')).toContain('usage: npm run --silent signals:eval');
    expect(
      runSignalsEval(
        ['--bogus', KNOWN],
        () => {},
        () => {},
      ),
    ).toBe(2);
    expect(
      runSignalsEval(
        ['/no/such/file.jsonl'],
        () => {},
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err.join('')).toContain('cannot read /no/such/file.jsonl: ENOENT');
  });
});
