/**
 * The `threads` executor, the default of the workbench host and the runner: each handler runs in
 * a worker thread (piscina), so nothing a handler does takes the engine's process down. A leaked
 * rejection or a throw from a timer fails its attempt inside the worker (./threadTask.ts);
 * `process.exit()`, running out of memory (each worker has a heap limit) or any other death of
 * the worker fails the attempt that ran there ("the handler's process exited with code 1"), and
 * piscina starts a fresh worker. A hang is ended by the step's timeout or a cancellation: aborting
 * terminates the worker running it.
 *
 * Only JSON crosses: the worker loads the handler's module by path; a flow handler's sub-task
 * calls come back to the engine over the task's port. Handlers that have no module file
 * (functions given inline to defineWorkflow/defineFlow) run in this thread, under the in-process
 * guards (./guard.ts). `refresh()` makes later jobs load modules afresh (the host calls it when
 * the workspace is reloaded): new workers take them, the old ones finish what they run.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { toErrorInfo, type ErrorInfo as ThreadReplyError } from '../model/errors.js';
import { workerDeathFailure } from './crash.js';
import { describeStray, holdGuards, type StrayCrash } from './guard.js';
import { runInProcess } from './inProcess.js';
import type { StrayMessage, ThreadJob, ThreadMessage, ThreadReply, ThreadTask } from './threadTask.js';

import type { Executor, Job, JobOutcome } from './types.js';

export interface ThreadsOptions {
  /** Handlers at once (worker threads at most). */
  concurrency?: number;
  /** Heap limit of each worker thread, in MB (V8's old generation). */
  memoryMb?: number;
  /** Modules every worker loads before any handler module (e.g. where the user starts an OpenTelemetry SDK). */
  setup?: readonly string[];
  /** A crash that belongs to no running attempt (default: a line on stderr). */
  onStray?(stray: StrayCrash): void;
  /** How long an idle worker stays (default 30 s). */
  idleTimeoutMs?: number;
}

export const DEFAULT_HANDLER_MEMORY_MB = 2048;

export function createThreadsExecutor(options: ThreadsOptions = {}): Executor {
  const capacity = Math.max(1, options.concurrency ?? 4);
  const memoryMb = options.memoryMb ?? DEFAULT_HANDLER_MEMORY_MB;
  const setup = [...(options.setup ?? [])];
  const releaseGuards = holdGuards(options.onStray ? { onStray: options.onStray } : {});

  const newPool = () => {
    const pool = new Piscina({
      filename: new URL('./threadWorker.mjs', import.meta.url).href,
      minThreads: 0,
      maxThreads: capacity,
      idleTimeout: options.idleTimeoutMs ?? 30_000,
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
      // The worker entry is plain JavaScript that loads TypeScript with jiti: it needs no loader
      // flags, and inheriting the parent's (`--import tsx`) costs seconds per thread.
      execArgv: [],
    });
    // A worker that dies with no task (a stray crash after its attempt ended) must not become
    // an unhandled 'error' event of the pool, which would end this process.
    pool.on('error', (err: unknown) => strays({ kind: 'uncaught exception', error: err }));
    pool.on('message', (m: StrayMessage) => {
      if (m?.type !== 'stepwise:stray') return;
      strays({ kind: m.kind, error: Object.assign(new Error(m.error.message), { name: m.error.class, stack: m.error.stack }), ...(m.handlerName ? { handlerName: m.handlerName } : {}) });
    });
    return pool;
  };
  const strays = (stray: StrayCrash) => {
    if (options.onStray) options.onStray(stray);
    else process.stderr.write(describeStray(stray) + '\n');
  };
  let pool = newPool();
  const retired = new Set<Piscina>();

  async function run(job: Job): Promise<JobOutcome> {
    if (!job.file) return runInProcess(job);
    if (job.signal.aborted) return { kind: 'aborted' };
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (m: ThreadMessage) => onMessage(job, m, port1));
    const threadJob: ThreadJob =
      job.kind === 'step'
        ? { kind: 'step', handlerName: job.handlerName, file: job.file, context: job.context }
        : { kind: 'flow', role: job.role, handlerName: job.handlerName, file: job.file, context: job.context, ...(job.params ? { params: job.params } : {}) };
    const task: ThreadTask = { job: threadJob, setup, port: port2 };
    try {
      return (await pool.run(task, { transferList: [port2], signal: job.signal })) as JobOutcome;
    } catch (err) {
      if (job.signal.aborted) return { kind: 'aborted' };
      return { kind: 'failure', failure: workerDeathFailure(err, memoryMb) };
    } finally {
      port1.close();
    }
  }

  return {
    kind: 'threads',
    capacity,
    run,
    refresh() {
      const old = pool;
      pool = newPool();
      retired.add(old);
      void old.close().finally(() => retired.delete(old));
    },
    close: async () => {
      releaseGuards();
      await Promise.all([pool.destroy(), ...[...retired].map((p) => p.destroy())]);
    },
  };
}

/** Progress and log lines of the running handler; a flow handler's sub-task calls, answered. */
function onMessage(job: Job, m: ThreadMessage, port: MessagePort): void {
  switch (m.type) {
    case 'progress':
      job.onProgress(m.fraction, m.message);
      return;
    case 'log':
      job.onLog(m.fields === undefined ? { level: m.level, message: m.message } : { level: m.level, message: m.message, fields: m.fields as never });
      return;
    case 'call': {
      const reply = (r: { ok: true; value: unknown } | { ok: false; error: ThreadReplyError }) => {
        try {
          port.postMessage({ type: 'reply', id: m.id, ...r } as ThreadReply);
        } catch {
          // The handler's task ended (port closed) before the engine answered: nobody is waiting.
        }
      };
      if (job.kind !== 'flow') {
        reply({ ok: false, error: { class: 'StepwiseError', code: 'USAGE', message: 'only flow handlers can start sub-tasks' } });
        return;
      }
      const answer = m.method === 'start' ? job.subtasks.start(...m.args) : job.subtasks.list();
      answer.then(
        (value) => reply({ ok: true, value }),
        (err: unknown) => reply({ ok: false, error: toErrorInfo(err) }),
      );
      return;
    }
  }
}
