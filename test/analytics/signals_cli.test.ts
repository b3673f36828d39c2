import { spawn } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { processLine, runSignalsCli } from '../../src/analytics/signals_cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/signals-cli.jsonl', import.meta.url));

const EXPECTED = [
  {
    id: 'c-1',
    signals: {
      team_size: 12,
      monthly_volume: 217,
      integration_needs: ['docusign'],
      urgency: 'high',
      industry: 'legal',
    },
  },
  { id: 'c-2', signals: {} },
  { id: 'c-3', error: expect.stringContaining('invalid JSON') },
  { id: 'c-4', error: expect.stringContaining('"text"') },
  { id: 'c-5', error: expect.stringContaining('"text"') },
  { id: null, error: expect.stringContaining('invalid JSON') },
  { id: 'c-6', signals: { team_size: 1200, urgency: 'low', industry: 'nonprofit' } },
  // The agent's question gives the bare answer its meaning.
  { id: 'c-7', signals: { team_size: 40 } },
  { id: 'c-8', error: 'field "context" is a string, not a list of turns' },
  { id: 'c-9', error: 'context[0].role is "assistant", not "agent" or "user"' },
  { id: 'c-10', signals: {} },
  { id: 'c-11', signals: { urgency: 'medium' } },
];

function runNpm(inputPath: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'signals'], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    createReadStream(inputPath).pipe(child.stdin);
  });
}

describe('signals_cli', () => {
  it('`npm run --silent signals < file` writes one line per non-blank input line, in order, errors included', async () => {
    const { code, stdout } = await runNpm(FIXTURE);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(EXPECTED);
    // Key order of the spec: id first.
    expect(lines[0]?.startsWith('{"id":"c-1","signals":')).toBe(true);
  });

  it('streams: the in-process runner gives the same lines as the command', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.setEncoding('utf8').on('data', (d: string) => {
      text += d;
    });
    const done = runSignalsCli(input, output);
    input.end(readFileSync(FIXTURE, 'utf8'));
    await done;
    expect(
      text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(EXPECTED);
  });

  it('names the problem of a bad line', () => {
    expect(processLine('   ')).toBeUndefined();
    expect(JSON.parse(processLine('{"id":"x","text":null}') ?? '')).toEqual({
      id: 'x',
      error: 'field "text" is null, not a string',
    });
    expect(JSON.parse(processLine('[1,2]') ?? '')).toEqual({ id: null, error: 'line is not a JSON object' });
    expect(JSON.parse(processLine('{"id": "y", "text": "ok"') ?? '').id).toBe('y');
    expect(JSON.parse(processLine('{"id":"z","text":"ok","context":[{"role":"agent"}]}') ?? '')).toEqual({
      id: 'z',
      error: 'context[0].text is missing, not a string',
    });
    expect(JSON.parse(processLine('{"id":"w","text":"About 40.","context":[]}') ?? '')).toEqual({
      id: 'w',
      signals: {},
    });
  });
});
