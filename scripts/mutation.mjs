/**
 * Mutation testing of the modules where a silent bug costs most, one module at a time, each with
 * only its own test files (Stryker + its vitest runner, incremental: a re-run only tries mutants
 * of changed code or tests). Not part of `npm test` or CI.
 *
 *   npm run test:mutation                 every module, then a table of scores
 *   npm run test:mutation -- webhook spool   only these modules
 *
 * Reports: reports/mutation/<module>.html and .json; incremental state beside them.
 * Tests that run the product in a child process (durability.test.ts under strace, the journal's
 * SIGKILL test) cannot see Stryker's active mutant, so they are not listed here: the mutants they
 * catch are shown by hand (docs/testing.md).
 */
import { mkdir } from 'node:fs/promises';
import { Stryker } from '@stryker-mutator/core';

export const MODULES = {
  spool: {
    mutate: ['src/queue/spool.ts'],
    tests: ['test/queue/spool.test.ts', 'test/queue/local_driver.test.ts'],
  },
  session_publisher: {
    mutate: ['src/queue/session_publisher.ts', 'src/queue/outbox_drainer.ts'],
    tests: ['test/queue/session_publisher.test.ts', 'test/queue/spool.test.ts'],
  },
  session_handler: {
    mutate: ['analytics-service/src/pipeline/session_handler.ts'],
    tests: [
      'analytics-service/test/pipeline/worker.test.ts',
      'analytics-service/test/pipeline/session_handler.test.ts',
    ],
  },
  webhook: {
    mutate: ['analytics-service/src/destinations/webhook.ts'],
    tests: ['analytics-service/test/destinations/webhook.test.ts'],
  },
  signals: {
    mutate: [
      'src/analytics/signals/*.ts',
      '!src/analytics/signals/index.ts',
      '!src/analytics/signals/types.ts',
    ],
    tests: ['test/analytics/signals.test.ts'],
  },
  scoring: {
    mutate: ['analytics-service/src/scoring/score_lead.ts', 'analytics-service/src/scoring/rules_table.ts'],
    tests: ['analytics-service/test/scoring/score_lead.test.ts'],
  },
  pricing: {
    mutate: ['analytics-service/src/pricing/price_session.ts', 'analytics-service/src/pricing/price_book.ts'],
    tests: ['analytics-service/test/pricing/price_session.test.ts'],
  },
};

/** Mutation score as Stryker defines it: detected / (detected + undetected), in percent. */
export function score(results) {
  const count = (...states) => results.filter((r) => states.includes(r.status)).length;
  const detected = count('Killed', 'Timeout');
  const undetected = count('Survived', 'NoCoverage');
  const total = detected + undetected;
  return {
    detected,
    survived: count('Survived'),
    noCoverage: count('NoCoverage'),
    errors: count('CompileError', 'RuntimeError'),
    ignored: count('Ignored'),
    score: total === 0 ? null : (100 * detected) / total,
  };
}

async function runModule(name, { mutate, tests }) {
  process.env.MUTATION_TESTS = tests.join(',');
  const stryker = new Stryker({
    mutate,
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner'],
    vitest: { configFile: 'vitest.mutation.config.ts', related: false },
    coverageAnalysis: 'perTest',
    concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 1),
    incremental: true,
    incrementalFile: `reports/mutation/${name}.incremental.json`,
    reporters: ['clear-text', 'html', 'json', 'progress-append-only'],
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
    timeoutMS: 15_000,
    // Mutants of module-level constants run every test; MUTATION_IGNORE_STATIC=1 skips them (faster).
    ignoreStatic: process.env.MUTATION_IGNORE_STATIC === '1',
    logLevel: 'warn',
    fileLogLevel: 'off',
    thresholds: { high: 90, low: 80, break: null },
  });
  return stryker.runMutationTest();
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((m) => !(m in MODULES));
if (unknown.length > 0) {
  console.error(`unknown module(s): ${unknown.join(', ')}; known: ${Object.keys(MODULES).join(', ')}`);
  process.exit(2);
}
await mkdir('reports/mutation', { recursive: true });
const rows = [];
for (const name of wanted.length > 0 ? wanted : Object.keys(MODULES)) {
  console.log(`\n=== mutation testing: ${name} (${MODULES[name].mutate.join(' ')}) ===`);
  const results = await runModule(name, MODULES[name]);
  rows.push({ module: name, ...score(results) });
}
console.log('\nmodule             score  detected  survived  no-coverage  errors');
for (const r of rows) {
  const pct = r.score === null ? '   n/a' : `${r.score.toFixed(1).padStart(5)}%`;
  console.log(
    `${r.module.padEnd(18)} ${pct} ${String(r.detected).padStart(9)} ${String(r.survived).padStart(9)} ${String(r.noCoverage).padStart(12)} ${String(r.errors).padStart(7)}`,
  );
}
