import { defineConfig } from 'vitest/config';
import { sourceAliases } from './scripts/sourceEntries.mjs';

/**
 * Two projects share one run and one private PostgreSQL (test/setup/postgres.global.ts, set on the
 * root only: a project inheriting it would start a server of its own):
 * `default`, every unit and integration test (storage contract on memory, SQLite and PostgreSQL);
 * `postgres`, the storage-agnostic integration suites (engine, debugger, ops, flows, the host
 * with an engine) again with their storage on PostgreSQL: test/fixtures/engine/harness.ts,
 * test/fixtures/storage/testStorage.ts and startExampleHost switch on STEPWISE_TEST_STORAGE, each
 * test on a database of its own. Run one with `--project default`.
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
          include: ['test/integration/{engine,debugger,ops,flow}.*.test.ts', 'test/integration/host.{debugger,taskList,protocol}.test.ts'],
          // Storage-specific, left on memory/SQLite: engine.crash, ops.cli, flow.cli, flow.runner
          // and flow.init run the CLI or kill a child over a SQLite file; engine.executors and
          // engine.open test executors and opening a workspace (memory, no storage behaviour);
          // engine.outcomeCommit, ops.interactionCommit, flow.commits and flow.settle count or
          // interfere with commits through a wrapper of MemoryStorage; flow.testState is the
          // public testing API, in memory by design.
          exclude: [
            'test/integration/engine.{crash,executors,open,outcomeCommit}.test.ts',
            'test/integration/ops.{cli,interactionCommit}.test.ts',
            'test/integration/flow.{cli,runner,init,commits,settle,testState}.test.ts',
          ],
          env: { STEPWISE_TEST_STORAGE: 'postgres' },
        },
      },
    ],
  },
});
