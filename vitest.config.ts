import { defineConfig } from 'vitest/config';
import { sourceAliases } from './scripts/sourceEntries.mjs';

/**
 * Two projects share one run and one private PostgreSQL (test/setup/postgres.global.ts):
 * `default`, every unit and integration test (storage contract on memory, SQLite and PostgreSQL);
 * `postgres`, the engine and flow integration suites again with their harness on PostgreSQL.
 * Run one with `--project default`.
 */
const shared = {
  environment: 'node',
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: 'forks',
} as const;

export default defineConfig({
  // `stepwise-workflows` and its subpaths run from core/ sources: tests never need a dist build.
  resolve: { alias: sourceAliases() },
  test: {
    globalSetup: ['./test/setup/postgres.global.ts'],
    reporters: ['default', './test/summaryReporter.ts'],
    projects: [
      { test: { ...shared, name: 'default', include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'] } },
      {
        test: {
          ...shared,
          name: 'postgres',
          include: ['test/integration/{engine,debugger,ops}.*.test.ts'],
          // These open SQLite files or run the CLI on their own: nothing for PostgreSQL to add.
          exclude: ['test/integration/engine.crash.test.ts', 'test/integration/ops.cli.test.ts'],
          env: { STEPWISE_TEST_STORAGE: 'postgres' },
        },
      },
    ],
  },
});
