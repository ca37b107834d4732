import { defineConfig } from 'vitest/config';
import { sourceAliases } from './scripts/sourceEntries.mjs';

/**
 * Two projects share one run and one private PostgreSQL (test/setup/postgres.global.ts, set on the
 * root only: a project inheriting it would start a server of its own):
 * `default`, every unit and integration test (storage contract on memory, SQLite and PostgreSQL);
 * `postgres`, the engine, debugger and ops integration suites again with their harness on
 * PostgreSQL. Run one with `--project default`.
 */
const shared = {
  environment: 'node',
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: 'forks',
} as const;
// `stepwise-workflows` and its subpaths run from core/ sources: tests never need a dist build.
const resolve = { alias: sourceAliases() };

export default defineConfig({
  resolve,
  test: {
    globalSetup: ['./test/setup/postgres.global.ts'],
    reporters: ['default', './test/summaryReporter.ts'],
    projects: [
      { resolve, test: { ...shared, name: 'default', include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'] } },
      {
        resolve,
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
