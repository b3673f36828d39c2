import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTCOMES } from '../../../src/schema/index.js';
import { TIERS } from '../../src/api/params.js';
import { loadConversations } from '../../src/demo/conversations.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Line {
  session_id: string;
  score: number;
  tier: string;
  signals: Record<string, unknown>;
  outcome: string;
  cost_usd: number;
}

async function demo(dataDir: string): Promise<{ stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const { stdout, stderr } = await run(
    'npm',
    // The text path: deterministic, so two runs can be compared (the voice path is tested in test/voice).
    ['run', '--silent', 'demo', '--', '--text', '--no-serve', '--json', '--data-dir', dataDir],
    {
      cwd: ROOT,
      maxBuffer: 10 * 1024 * 1024,
      timeout: 90_000,
      env: { ...process.env, ANALYTICS_API_TOKEN: '' },
    },
  );
  return { stdout, stderr, ms: Date.now() - started };
}

describe('npm run demo -- --text --no-serve --json', () => {
  let dir: string;
  let first: Awaited<ReturnType<typeof demo>>;
  let second: Awaited<ReturnType<typeof demo>>;
  let lines: Line[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sr-demo-'));
    first = await demo(join(dir, 'a'));
    second = await demo(join(dir, 'b'));
    lines = first.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
  }, 200_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints one JSON object per scored session on stdout and its progress on stderr', () => {
    expect(lines.length).toBeGreaterThanOrEqual(20);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual([
        'cost_usd',
        'cost_usd_by_component',
        'outcome',
        'score',
        'session_id',
        'signals',
        'tier',
      ]);
      expect(l.score).toBeGreaterThanOrEqual(0);
      expect(l.score).toBeLessThanOrEqual(100);
      expect(TIERS).toContain(l.tier);
      expect(OUTCOMES).toContain(l.outcome);
      expect(l.cost_usd).toBeGreaterThan(0);
      expect(l.cost_usd).toBeLessThan(1);
    }
    expect(first.stderr).toContain('REPLAYED');
    expect(first.stderr).toMatch(/\[22\/22\] replayed/);
  });

  it('ends every scripted conversation with its expected outcome', async () => {
    const conversations = await loadConversations(join(ROOT, 'analytics-service/demo/conversations'));
    const byId = new Map(lines.map((l) => [l.session_id, l]));
    for (const c of conversations) {
      expect(byId.get(`demo-${c.id}`)?.outcome, c.id).toBe(c.expect.outcome);
    }
    expect(new Set(lines.map((l) => l.outcome))).toEqual(
      new Set(['meeting_booked', 'callback_requested', 'not_interested', 'completed', 'disconnected']),
    );
  });

  it('scores plausibly: every booked meeting above every refusal, signals from what the prospect said', () => {
    const booked = lines.filter((l) => l.outcome === 'meeting_booked').map((l) => l.score);
    const refused = lines.filter((l) => l.outcome === 'not_interested').map((l) => l.score);
    expect(Math.min(...booked)).toBeGreaterThan(Math.max(...refused));
    const legal = lines.find((l) => l.session_id === 'demo-01-legal-urgent-booking');
    expect(legal?.signals).toEqual({
      industry: 'legal',
      integration_needs: ['docusign', 'hubspot'],
      monthly_volume: 200,
      team_size: 12,
      urgency: 'high',
    });
    expect(legal?.tier).toBe('A1');
    expect(lines.find((l) => l.session_id === 'demo-22-manufacturer-refusal')?.tier).toMatch(/3$/);
  });

  it('is deterministic across runs and finishes in under 60 s', () => {
    expect(second.stdout).toBe(first.stdout);
    expect(first.ms).toBeLessThan(60_000);
    expect(second.ms).toBeLessThan(60_000);
  });
});
