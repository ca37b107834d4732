import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { offsetClock } from '../../core/model/clock.js';
import { createEngine } from '../../core/engine/engine.js';
import { openStorage } from '../../core/storage/index.js';
import type { Storage } from '../../core/storage/storage.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';
import { crashHandlers, crashWorkflow } from '../fixtures/engine/crashWorkflow.js';

const child = fileURLToPath(new URL('../fixtures/engine/crashChild.ts', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('crash safety', () => {
  it('resumes a workflow after its process is SIGKILLed mid-run: nothing lost, nothing completed twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-crash-'));
    dirs.push(dir);
    const file = join(dir, 'crash.db');
    const proc = spawn(process.execPath, ['--import', 'tsx', child, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let watcher: Storage | null = null;
    let taskId = '';
    try {
      let out = '';
      let err = '';
      proc.stdout.on('data', (b) => (out += String(b)));
      proc.stderr.on('data', (b) => (err += String(b)));
      const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));

      await vi.waitFor(() => expect(out, err).toMatch(/^task \S+/), { timeout: 20_000, interval: 50 });
      taskId = /^task (\S+)/.exec(out)![1]!;

      // Watch through a second connection; kill once some steps are done and others are running.
      const watching = (watcher = await openStorage({ kind: 'sqlite', file }));
      await vi.waitFor(
        async () => {
          const steps = await watching.getSteps(taskId);
          const complete = steps.filter((s) => s.state === 'complete').length;
          const running = steps.filter((s) => s.state === 'running').length;
          expect(complete >= 3 && running >= 2).toBe(true);
        },
        { timeout: 20_000, interval: 5 },
      );
      proc.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      expect(out).not.toContain('finished');
    } finally {
      // Whatever failed above, the child never outlives the test (nor keeps the database open).
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await watcher?.close();
    }

    const storage = await openStorage({ kind: 'sqlite', file });
    const before = await storage.getSteps(taskId);
    const wasRunning = before.filter((s) => s.state === 'running').map((s) => s.name);
    expect(wasRunning.length).toBeGreaterThan(0);
    const completedBefore = before.filter((s) => s.state === 'complete').map((s) => s.name);

    // The resuming engine sees time after the dead child's leases expired.
    const engine = createEngine({
      storage,
      clock: offsetClock(10_000),
      templates: createTemplateRegistry([crashWorkflow]),
      handlers: createHandlerRegistry(new Map(Object.entries(crashHandlers(1)).map(([name, fn]) => [name, { name, fn, file: '' }]))),
      executor: 'pool',
      concurrency: 4,
      owner: 'survivor',
    });
    try {
      const run = await engine.runUntilIdle({ taskId });
      expect(run.task?.status).toBe('complete');
      expect(run.task?.result).toEqual({ join: { joined: 12 } });

      const transitions = await storage.listTransitions(taskId);
      const steps = await storage.getSteps(taskId);
      for (const s of steps) {
        expect(s.state).toBe('complete');
        expect(transitions.filter((t) => t.stepName === s.name && t.to === 'complete'), s.name).toHaveLength(1);
      }
      // Steps completed before the crash were not run again.
      for (const name of completedBefore) expect((await storage.listAttempts(taskId, name)).map((a) => a.outcome)).toEqual(['success']);
      // Steps running at the crash: attempt 1 interrupted, then a successful attempt by the survivor.
      for (const name of wasRunning) {
        const attempts = await storage.listAttempts(taskId, name);
        expect(attempts.map((a) => a.outcome)).toEqual(['interrupted', 'success']);
        const back = transitions.find((t) => t.stepName === name && t.from === 'running' && t.to === 'ready');
        expect(back?.reason).toMatch(/lease of doomed-child expired/);
      }
    } finally {
      // A failed assertion must not leave the pool's worker threads or the database open.
      await engine.close();
      await storage.close();
    }

    const db = new Database(file, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
