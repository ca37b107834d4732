/**
 * The package test (`npm run test:package`, run by CI after `npm test`): packs the package and
 * uses it as a user would, from a fresh folder outside the repository. Minutes, not seconds: it
 * installs the tarball twice (a consumer and a workspace made by `stepwise init`).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 900_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default', './test/summaryReporter.ts'],
  },
});
