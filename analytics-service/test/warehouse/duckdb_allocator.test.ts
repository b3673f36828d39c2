/**
 * The README's balanced and low-memory settings include `DUCKDB_JE_MALLOC_CONF`, read by the
 * jemalloc built into DuckDB's library (its own prefix, so it never touches Node's malloc). This
 * checks that the library in node_modules still reads it: a DuckDB upgrade that dropped jemalloc,
 * or renamed the variable, would otherwise leave the setting silently without effect.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** jemalloc's options, as it prints them at exit with `stats_print`, for a process using DuckDB. */
function allocatorOptions(conf: string | undefined): string {
  const script = `import { DuckDBInstance } from '@duckdb/node-api';
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run('CREATE TABLE t AS SELECT range AS x FROM range(100000)');`;
  const env = {
    ...process.env,
    DUCKDB_JE_MALLOC_CONF: conf ? `${conf},stats_print:true` : 'stats_print:true',
  };
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stderr + r.stdout;
}

describe("DuckDB's allocator settings", () => {
  it('returns freed pages at once with the low-memory setting, and after a second without it', () => {
    const tuned = allocatorOptions('dirty_decay_ms:0,muzzy_decay_ms:0');
    expect(tuned).toMatch(/opt\.dirty_decay_ms: 0\b/);
    expect(tuned).toMatch(/opt\.muzzy_decay_ms: 0\b/);
    const plain = allocatorOptions(undefined);
    expect(plain).toMatch(/opt\.dirty_decay_ms: 1000\b/);
  });

  it('turns off the per-thread caches with the balanced setting, which are on without it', () => {
    expect(allocatorOptions('tcache:false')).toMatch(/opt\.tcache: false\b/);
    expect(allocatorOptions(undefined)).toMatch(/opt\.tcache: true\b/);
  });
});
