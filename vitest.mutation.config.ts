/**
 * The vitest configuration `npm run test:mutation` gives Stryker: only the test files of the
 * module under mutation (`MUTATION_TESTS`, comma-separated, set by scripts/mutation.mjs), one
 * worker (the machine is shared).
 */
import { defineConfig } from 'vitest/config';

const include = (process.env.MUTATION_TESTS ?? '').split(',').filter(Boolean);

export default defineConfig({
  test: {
    include: include.length > 0 ? include : ['no-mutation-tests-selected'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
