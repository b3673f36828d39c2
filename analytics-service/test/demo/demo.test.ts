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
  summary: string | null;
  sentiment: { start: number; end: number; lowest: number; mean: number; trend: string } | null;
  custom_fields: Record<string, unknown>;
}

async function demo(dataDir: string): Promise<{ stdout: string; stderr: string }> {
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
  return { stdout, stderr };
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
        'custom_fields',
        'outcome',
        'score',
        'sentiment',
        'session_id',
        'signals',
        'summary',
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

  it('carries a summary and custom fields on at least 80% of sessions and sentiment on all, and says the analysis is replayed', () => {
    const withSummary = lines.filter((l) => typeof l.summary === 'string' && l.summary.length > 20);
    const withFields = lines.filter((l) => Object.keys(l.custom_fields).length > 0);
    expect(withSummary.length / lines.length).toBeGreaterThanOrEqual(0.8);
    expect(withFields.length / lines.length).toBeGreaterThanOrEqual(0.8);
    for (const l of lines) {
      expect(l.sentiment, l.session_id).not.toBeNull();
      expect(l.sentiment!.lowest).toBeLessThanOrEqual(l.sentiment!.mean);
    }
    const legal = lines.find((l) => l.session_id === 'demo-01-legal-urgent-booking');
    expect(legal?.custom_fields).toMatchObject({ buying_stage: 'ready_to_buy', timeline: 'immediately' });
    // Paraphrased on purpose in the recorded answer: the worker discards it.
    const county = lines.find((l) => l.session_id === 'demo-10-county-knowledge-completed');
    expect(county?.custom_fields.current_process).toBeUndefined();
    // Cut off on purpose: no summary, the call is still scored and delivered.
    expect(lines.find((l) => l.session_id === 'demo-13-freight-disconnect')?.summary).toBeNull();
    expect(first.stderr).toMatch(/post-call analysis .* is REPLAYED too/);
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

  // Its duration is bounded by the run's timeout above; speed is a benchmark's business, not a test's.
  it('is deterministic across runs', () => {
    expect(second.stdout).toBe(first.stdout);
  });
});
