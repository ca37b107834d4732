import { defineConfig } from 'vitest/config';
import { sourceAliases } from './scripts/sourceEntries.mjs';

export default defineConfig({
  // `stepwise-workflows` and its subpaths run from core/ sources: tests never need a dist build.
  resolve: { alias: sourceAliases() },
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default', './test/summaryReporter.ts'],
  },
});
