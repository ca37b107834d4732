/**
 * The `threads` executor on its own: crashes inside a worker fail only their own job (and a
 * crash after its job ended is reported as a stray, not blamed on the next job); a worker that
 * exits is replaced; log lines arrive before the outcome; flow jobs carry their data back and
 * call sub-tasks in the engine; setup modules run once per worker before handler modules;
 * refresh() makes later jobs load edited modules; a process holding nothing but the executor
 * stays alive until every job's outcome has arrived; a job whose outcome never arrives fails
 * after a grace period and its worker is not used again.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { StrayCrash } from '../../core/executor/guard.js';
import { createThreadsExecutor } from '../../core/executor/threads.js';
import type { Executor, FlowJob, Job, StepJob } from '../../core/executor/types.js';

const file = fileURLToPath(new URL('../fixtures/engine/handlers/threadedCrash.ts', import.meta.url));
const setup = fileURLToPath(new URL('../fixtures/engine/handlers/threadedSetup.ts', import.meta.url));
const strays: StrayCrash[] = [];
const executor: Executor = createThreadsExecutor({ concurrency: 1, setup: [setup], onStray: (s) => strays.push(s) });
afterAll(() => executor.close());

function stepJob(handlerName: string, extra: Partial<StepJob> = {}): StepJob & { logs: string[] } {
  const logs: string[] = [];
  return {
    kind: 'step',
    handlerName,
    fn: () => {
      throw new Error('the worker runs the module, never this function');
    },
    file,
    signal: new AbortController().signal,
    onProgress: () => undefined,
    onLog: (line) => logs.push(line.message),
    context: { taskId: 't', input: {}, results: {}, step: { name: handlerName, templateStep: handlerName, attempt: 1, maxAttempts: 1, type: 'standard' }, initialization: {}, batch: null },
    logs,
    ...extra,
  };
}

function flowJob(handlerName: string, role: FlowJob['role'], started: string[], extra: Partial<FlowJob> = {}): FlowJob {
  return {
    kind: 'flow',
    role,
    handlerName,
    fn: () => undefined,
    file,
    signal: new AbortController().signal,
    onProgress: () => undefined,
    onLog: () => undefined,
    context: { taskId: 'f1', state: 'send', data: { n: 1 }, attempt: { number: 1, maxAttempts: 1 } },
    subtasks: {
      start: async (template, input) => {
        if (template === 'missing/flow') throw new Error("Template 'missing/flow' is not in the workspace.");
        started.push(`${template} ${JSON.stringify(input)}`);
        return { id: `child-${started.length}` };
      },
      list: async () => started.map((t, i) => ({ id: `child-${i + 1}`, templateRef: t, status: 'running', result: null, data: {} })),
    },
    ...extra,
  };
}

const run = (job: Job) => executor.run(job);

describe('threads executor: crashes stay in their job', () => {
  it('fails a job that leaks a rejection, naming it, and runs the next job in the same worker', async () => {
    const leaked = await run(stepJob('leak'));
    expect(leaked).toMatchObject({ kind: 'failure', failure: { retryable: true, error: { code: 'HANDLER_CRASHED', message: 'unhandled rejection: leaked in a worker' } } });
    expect(await run(stepJob('slowOk'))).toEqual({ kind: 'success', value: { ok: true } });
  });

  it('reports a throw after its job ended as a stray, and does not blame the job running then', async () => {
    expect(await run(stepJob('leaveTimer'))).toEqual({ kind: 'success', value: { ok: true } });
    expect(await run(stepJob('slowOk'))).toEqual({ kind: 'success', value: { ok: true } });
    expect(strays).toContainEqual(expect.objectContaining({ kind: 'uncaught exception', handlerName: 'leaveTimer' }));
    expect(String((strays.find((s) => s.handlerName === 'leaveTimer')!.error as Error).message)).toBe('thrown after the attempt ended');
  });

  it('fails a job whose handler exits its worker, and the next job gets a fresh worker', async () => {
    expect(await run(stepJob('exitTwo'))).toMatchObject({ kind: 'failure', failure: { error: { code: 'HANDLER_EXITED', message: "the handler's process exited with code 2" } } });
    expect(await run(stepJob('setupRuns'))).toEqual({ kind: 'success', value: { setupRuns: 1 } });
  });

  it('delivers every log line before the outcome', async () => {
    const job = stepJob('chatty');
    expect(await run(job)).toEqual({ kind: 'success', value: { lines: 200 } });
    expect(job.logs).toHaveLength(200);
    expect(job.logs.at(-1)).toBe('line 199');
  });
});

describe('threads executor: an outcome that never arrives', () => {
  it('fails the job after the grace period (retryable), and later jobs run on fresh workers', async () => {
    const lossy = createThreadsExecutor({ concurrency: 1, outcomeGraceMs: 300 });
    try {
      const lost = await lossy.run(stepJob('swallowOutcomes'));
      expect(lost).toMatchObject({ kind: 'failure', failure: { retryable: true, error: { message: expect.stringMatching(/returned but its outcome did not arrive within 0\.3 s/) } } });
      // The worker that swallows outcomes was retired with its pool: the next job is answered.
      expect(await lossy.run(stepJob('slowOk'))).toEqual({ kind: 'success', value: { ok: true } });
    } finally {
      await lossy.close();
    }
  });

  it('ends that wait when the executor closes', async () => {
    const lossy = createThreadsExecutor({ concurrency: 1, outcomeGraceMs: 600_000 });
    const job = stepJob('swallowOutcomes');
    const running = lossy.run(job);
    // The handler logs just before it returns; its worker's "returned" answer follows at once,
    // and the job then waits out its grace period for the outcome it will never get.
    await vi.waitFor(() => expect(job.logs).toContain('outcomes swallowed from here on'), { timeout: 30_000, interval: 20 });
    await new Promise((r) => setTimeout(r, 300));
    await lossy.close();
    expect(await running).toMatchObject({ kind: 'failure', failure: { retryable: true, error: { message: expect.stringMatching(/executor closed before job \d+'s outcome arrived/) } } });
  });
});

describe('threads executor: the event loop', () => {
  // piscina unrefs an idle worker; its "returned" answer can be read before the job's outcome
  // message. Before the executor held the loop for that outcome, this process ended with the last
  // job of a round still in flight (exit code 13) in 5 of 5 runs of 1,000 rounds.
  it('keeps a process that holds nothing else alive until the last outcome arrives', async () => {
    const fixture = fileURLToPath(new URL('../fixtures/executor/threadsAlone.ts', import.meta.url));
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', fixture, '400'], { timeout: 120_000 }, (_err, out) => resolve({ code: child.exitCode, stdout: out }));
    });
    expect({ code, stdout: stdout.trim() }).toEqual({ code: 0, stdout: 'ended 1600' });
  }, 150_000);
});

describe('threads executor: flow jobs', () => {
  it("carries the flow's data back and proxies sub-task calls to the engine", async () => {
    const started: string[] = [];
    const outcome = await run(flowJob('flowAction', 'action', started));
    expect(started).toEqual(['child/flow {"from":"worker"}']);
    expect(outcome).toEqual({ kind: 'success', value: 'next', data: { n: 1, child: 'child-1', children: 1 }, dataText: '{"n":1,"child":"child-1","children":1}' });
  });

  it('passes an interaction its params, and hands the engine\'s refusal of a sub-task back to the handler', async () => {
    expect(await run(flowJob('interaction', 'interaction', [], { params: { email: 'a@b.c' } }))).toMatchObject({ kind: 'success', data: { n: 1, email: 'a@b.c' } });
    expect(await run(flowJob('refusedSubtask', 'action', []))).toMatchObject({ kind: 'success', value: "refused: Template 'missing/flow' is not in the workspace." });
  });
});

describe('threads executor: modules', () => {
  it('loads edited handler modules after refresh()', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stepwise-threads-refresh-'));
    try {
      const mod = path.join(dir, 'version.ts');
      writeFileSync(mod, 'export const version = () => 1;\n');
      const own = createThreadsExecutor({ concurrency: 1 });
      try {
        const job = () => stepJob('version', { file: mod });
        expect(await own.run(job())).toEqual({ kind: 'success', value: 1 });
        copyFileSync(mod, `${mod}.bak`);
        writeFileSync(mod, 'export const version = () => 2;\n');
        expect(await own.run(job())).toEqual({ kind: 'success', value: 1 });
        own.refresh!();
        expect(await own.run(job())).toEqual({ kind: 'success', value: 2 });
      } finally {
        await own.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
