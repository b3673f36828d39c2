import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('npm run demo (served): the operations API', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let base = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sr-demo-ops-'));
    child = spawn('npm', ['run', '--silent', 'demo', '--', '--text', '--port', '0', '--data-dir', dir], {
      cwd: ROOT,
      env: { ...process.env, ANALYTICS_API_TOKEN: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let stderr = '';
    base = await new Promise<string>((resolve, reject) => {
      child!.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /Ops:\s+(http:\/\/[^/\s]+)\/api\/alerts/.exec(stderr);
        if (m && stderr.includes('Serving until Ctrl-C.')) resolve(m[1] as string);
      });
      child!.once('exit', (code) => reject(new Error(`demo exited with ${code}: ${stderr}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      process.kill(-child.pid, 'SIGINT');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('answers /api/alerts, /api/errors and /api/live with JSON', async () => {
    const alerts = await fetch(`${base}/api/alerts`);
    expect(alerts.status).toBe(200);
    expect(alerts.headers.get('content-type')).toContain('application/json');
    const a = (await alerts.json()) as {
      enabled: boolean;
      alerts: Array<{ rule_id: string; state: string }>;
      rules: unknown[];
    };
    expect(a.enabled).toBe(true);
    expect(a.rules.length).toBeGreaterThan(5);
    expect(Array.isArray(a.alerts)).toBe(true);

    const live = await fetch(`${base}/api/live`);
    expect(live.status).toBe(200);
    // Every replayed call has ended (its final payload landed): nothing is in progress.
    expect(await live.json()).toMatchObject({ enabled: true, calls: [] });

    const errors = await fetch(`${base}/api/errors?hours=24`);
    expect(errors.status).toBe(200);
    const e = (await errors.json()) as { rates: Array<{ component: string }> };
    expect(e.rates.map((r) => r.component)).toEqual(['overall', 'stt', 'llm', 'tts', 'vad', 'tool']);
    expect((await fetch(`${base}/api/alerts?state=open`)).status).toBe(400);
  });
});
