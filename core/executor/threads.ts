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
import { toErrorInfo, type ErrorInfo } from '../model/errors.js';
import { lostOutcomeFailure, workerDeathFailure, workerFailure } from './crash.js';
import { describeStray, holdGuards, type StrayCrash } from './guard.js';
import { runInProcess } from './inProcess.js';
import type { SubtaskCall, ThreadJob, ThreadMessage, ThreadReply, ThreadTask } from './threadTask.js';

import { withAncestors, type Executor, type FlowJob, type Job, type JobOutcome } from './types.js';
import type { JsonObject } from '../model/runtime.js';

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
  /** How long a job whose worker says it returned may wait for its outcome message (default 30 s). */
  outcomeGraceMs?: number;
}

export const DEFAULT_HANDLER_MEMORY_MB = 2048;

/** How long after a worker's "returned" answer its outcome message may take to arrive. */
const OUTCOME_GRACE_MS = 30_000;

export function createThreadsExecutor(options: ThreadsOptions = {}): Executor {
  const capacity = Math.max(1, options.concurrency ?? 4);
  const memoryMb = options.memoryMb ?? DEFAULT_HANDLER_MEMORY_MB;
  const setup = [...(options.setup ?? [])];
  const graceMs = options.outcomeGraceMs ?? OUTCOME_GRACE_MS;
  const releaseGuards = holdGuards(options.onStray ? { onStray: options.onStray } : {});

  /** Tasks sent to a worker and not finished yet, by task id: where their messages go. */
  const live = new Map<number, { job: Job; done(outcome: JobOutcome): void }>();
  let nextId = 0;

  const strays = (stray: StrayCrash) => {
    if (options.onStray) options.onStray(stray);
    else process.stderr.write(describeStray(stray) + '\n');
  };
  const onWorkerMessage = (m: ThreadMessage) => {
    if (m?.type === 'stepwise:stray') {
      strays({ kind: m.kind, error: Object.assign(new Error(m.error.message), { name: m.error.class, stack: m.error.stack }), ...(m.handlerName ? { handlerName: m.handlerName } : {}) });
      return;
    }
    const task = typeof m?.id === 'number' ? live.get(m.id) : undefined;
    if (!task) return; // a late line of a task that ended (aborted): nobody records it
    switch (m.type) {
      case 'stepwise:progress':
        task.job.onProgress(m.fraction, m.message);
        return;
      case 'stepwise:log':
        task.job.onLog(m.fields === undefined ? { level: m.level, message: m.message } : { level: m.level, message: m.message, fields: m.fields as JsonObject });
        return;
      case 'stepwise:done':
        task.done(m.outcome);
        return;
    }
  };
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
    pool.on('message', onWorkerMessage);
    return pool;
  };
  let pool = newPool();
  const retired = new Set<Piscina>();
  let closed = false;
  /** Jobs waiting out the grace period for their outcome: close() ends their wait (and its timer). */
  const waiting = new Set<() => void>();

  async function run(job: Job): Promise<JobOutcome> {
    if (!job.file) return runInProcess(job);
    if (job.signal.aborted) return { kind: 'aborted' };
    const id = ++nextId;
    let done!: (outcome: JobOutcome) => void;
    let arrived = false;
    const outcome = new Promise<JobOutcome>((resolve) => (done = (o) => ((arrived = true), resolve(o))));
    live.set(id, { job, done });
    // Only flow handlers call back into the engine (sub-tasks): only they get a channel.
    const channel = job.kind === 'flow' ? new MessageChannel() : null;
    if (channel && job.kind === 'flow') channel.port1.on('message', (m: SubtaskCall) => answer(job, m, channel.port1));
    const threadJob: ThreadJob =
      job.kind === 'step'
        ? { kind: 'step', handlerName: job.handlerName, ...(job.method !== undefined ? { method: job.method } : {}), file: job.file, context: withAncestors(job) }
        : { kind: 'flow', role: job.role, handlerName: job.handlerName, file: job.file, context: job.context, ...(job.params ? { params: job.params } : {}) };
    const task: ThreadTask = { id, job: threadJob, setup, ...(channel ? { port: channel.port2 } : {}) };
    try {
      // The task function returns after posting its outcome on the same port as its log lines.
      await pool.run(task, { ...(channel ? { transferList: [channel.port2] } : {}), signal: job.signal });
      return await (arrived ? outcome : held(outcome, id));
    } catch (err) {
      if (job.signal.aborted) return { kind: 'aborted' };
      return { kind: 'failure', failure: workerDeathFailure(err, memoryMb) };
    } finally {
      live.delete(id);
      channel?.port1.close();
    }
  }

  /**
   * The outcome of a task whose worker already said it returned. The outcome was posted before
   * that answer, but on another port, and piscina unrefs a worker once it is idle: when its
   * answer is read first and nothing else holds the event loop (a CLI run, a bench), the process
   * would end with the outcome still in flight. A ref'd timer holds the loop until it lands; if it
   * never does, the attempt fails (retryable) instead of waiting forever, and the pool is
   * replaced: a worker that swallows outcomes (a handler that patched its `parentPort`, say)
   * would lose every later job's too.
   */
  function held(outcome: Promise<JobOutcome>, id: number): Promise<JobOutcome> {
    let timer: NodeJS.Timeout | undefined;
    let endWait!: () => void;
    const lost = new Promise<JobOutcome>((resolve) => {
      timer = setTimeout(() => {
        retire();
        resolve({ kind: 'failure', failure: lostOutcomeFailure(id, graceMs) });
      }, graceMs);
      endWait = () => resolve({ kind: 'failure', failure: workerFailure(new Error(`the executor closed before job ${id}'s outcome arrived`)) });
    });
    waiting.add(endWait);
    return Promise.race([outcome, lost]).finally(() => {
      clearTimeout(timer);
      waiting.delete(endWait);
    });
  }

  /** Later jobs go to a new pool; the old one's workers finish what they run, then end. */
  function retire(): void {
    if (closed) return;
    const old = pool;
    pool = newPool();
    retired.add(old);
    void old.close().finally(() => retired.delete(old));
  }

  return {
    kind: 'threads',
    capacity,
    run,
    refresh: retire,
    close: async () => {
      closed = true;
      for (const end of [...waiting]) end();
      releaseGuards();
      await Promise.all([pool.destroy(), ...[...retired].map((p) => p.destroy())]);
    },
  };
}

/** A flow handler's sub-task call, answered by the engine. */
function answer(job: FlowJob, m: SubtaskCall, port: MessagePort): void {
  const reply = (r: { ok: true; value: unknown } | { ok: false; error: ErrorInfo }) => {
    try {
      port.postMessage({ type: 'reply', id: m.id, ...r } as ThreadReply);
    } catch {
      // The handler's task ended (port closed) before the engine answered: nobody is waiting.
    }
  };
  const result = m.method === 'start' ? job.subtasks.start(...m.args) : job.subtasks.list();
  result.then(
    (value) => reply({ ok: true, value }),
    (err: unknown) => reply({ ok: false, error: toErrorInfo(err) }),
  );
}
