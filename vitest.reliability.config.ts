/**
 * The reliability harness (`npm run test:reliability`): crashes, races, bad input, hostile
 * clients, load. RELIABILITY_SCALE=small runs the reduced form CI uses (a few minutes); the
 * default is the full scale of issue 8. Files run one at a time: they load the machine.
 */
import { defineConfig } from 'vitest/config';
import { sourceAliases } from './scripts/sourceEntries.mjs';

export default defineConfig({
  // `stepwise-workflows` and its subpaths run from core/ sources: tests never need a dist build.
  resolve: { alias: sourceAliases() },
  test: {
    include: ['test/reliability/**/*.test.ts'],
    environment: 'node',
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default', './test/summaryReporter.ts'],
  },
});
