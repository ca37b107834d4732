/**
 * Host memory with a big database: 100,000 finished tasks stored, then the task list read page
 * by page through the workbench protocol's `tasks` procedure (the router the host serves, called
 * in-process), in a fresh child process whose RSS is measured.
 * Run: `npx tsx bench/memory.bench.ts [--quick]`.
 *
 * The tasks are inserted directly with storage.commit in batches (a finished workflow task each:
 * the row the list reads), in a first child process, so the measured process starts clean.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEventBus } from '../core/events/bus.js';
import { followEvents } from '../core/events/log.js';
import { systemClock } from '../core/model/clock.js';
import { StepwiseError } from '../core/model/errors.js';
import type { TaskRecord } from '../core/model/runtime.js';
import { appRouter } from '../core/host/router.js';
import type { HostServices } from '../core/host/services.js';
import { createCallerFactory } from '../core/host/trpc.js';
import { openStorage } from '../core/storage/index.js';
import { loadWorkspace } from '../core/template/workspace.js';
import { task } from '../test/fixtures/storage/records.js';
import { parseArgs, runMain, tempDir } from './lib/cli.js';
import { round } from './lib/stats.js';

const MB = 1024 * 1024;
const PAGE = 200;
const BATCH = 1000;
const self = fileURLToPath(import.meta.url);

function finished(i: number): TaskRecord {
  const at = Date.UTC(2026, 0, 1) + i;
  return task(`task-${String(i).padStart(6, '0')}`, { status: 'complete', createdAt: at, updatedAt: at, finishedAt: at + 5, result: { ok: true, n: i }, input: { order_id: i } });
}

async function seed(file: string, count: number): Promise<void> {
  const storage = await openStorage({ kind: 'sqlite', file });
  for (let i = 0; i < count; i += BATCH) {
    await storage.commit({ insertTasks: Array.from({ length: Math.min(BATCH, count - i) }, (_, k) => finished(i + k)) });
  }
  await storage.close();
}

async function serve(file: string): Promise<object> {
  const rssStart = process.memoryUsage().rss;
  const storage = await openStorage({ kind: 'sqlite', file });
  const bus = createEventBus();
  const workspace = await loadWorkspace(fileURLToPath(new URL('../test/fixtures/host/workspace', import.meta.url)));
  const services: HostServices = {
    workspace: () => workspace,
    database: file,
    storage,
    clock: systemClock,
    startTask: async () => {
      throw new StepwiseError('INVALID_STATE', 'the memory benchmark starts no tasks');
    },
    followEvents: (from, onEvent) => followEvents(storage, bus, from, onEvent),
    onWorkspaceChanged: () => () => undefined,
    lastWorkspaceChange: () => null,
  };
  const caller = createCallerFactory(appRouter)({ services });
  const rssOpen = process.memoryUsage().rss;
  let cursor: string | undefined;
  let seen = 0;
  let pages = 0;
  const start = performance.now();
  do {
    const page = await caller.tasks({ limit: PAGE, ...(cursor ? { cursor } : {}) });
    seen += page.tasks.length;
    pages += 1;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const ms = performance.now() - start;
  const rssEnd = process.memoryUsage().rss;
  await storage.close();
  return { seen, pages, pageSize: PAGE, ms: round(ms), rssStartMB: round(rssStart / MB, 1), rssOpenMB: round(rssOpen / MB, 1), rssEndMB: round(rssEnd / MB, 1), maxRssMB: round(process.resourceUsage().maxRSS / 1024, 1) };
}

function child(mode: string, file: string, count: number): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', mode, file, String(count)], { encoding: 'utf8', maxBuffer: 16 * MB });
  if (r.status !== 0) throw new Error(`memory bench child (${mode}) failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

async function main() {
  const args = parseArgs();
  const count = args.quick ? 20_000 : 100_000;
  const file = join(tempDir('memory'), 'tasks.db');
  const t0 = performance.now();
  child('seed', file, count);
  const seedMs = performance.now() - t0;
  const served = child('serve', file, count);
  if (served.seen !== count) throw new Error(`paged ${String(served.seen)} tasks, stored ${count}`);
  return { bench: 'memory', tasks: count, seedMs: round(seedMs), ...served };
}

const at = process.argv.indexOf('--child');
if (at >= 0) {
  const [mode, file, count] = process.argv.slice(at + 1);
  const work = mode === 'seed' ? seed(file!, Number(count)).then(() => ({})) : serve(file!);
  runMain(() => work);
} else {
  runMain(main);
}
