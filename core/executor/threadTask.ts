/**
 * The worker-thread side of the `threads` executor: load the workspace's setup modules and the
 * handler's module by path, run the handler with the same context and guards as in process
 * (./inProcess.ts, ./guard.ts), and send back plain JSON (results, a flow's data, or a described
 * failure). Progress, log lines and the outcome go to the main thread over parentPort; a flow
 * handler's sub-task calls over a MessagePort sent with its task.
 *
 * A crash of the handler's code (a leaked rejection, a throw from a timer) ends its task with a
 * failure and the worker keeps serving; `process.exit()` ends the worker thread for real, and the
 * main thread reports the exit. `import … from 'stepwise-workflows'` in a handler module gets the
 * package's real API (./threadModules.ts).
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import type { ErrorInfo } from '../model/errors.js';
import type { SubtaskSummary } from '../model/handlers.js';
import type { JsonObject } from '../model/runtime.js';
import { describeFailure } from './failure.js';
import { holdGuards, type HandlerScope, type StrayCrash } from './guard.js';
import { runInProcess } from './inProcess.js';
import { dispatchHandler, isHandlerExport } from '../model/handlerDispatch.js';
import { loadModule, loadSetup } from './threadModules.js';
import type { FlowJob, FlowRole, Job, JobOutcome, StepContextData, FlowContextData } from './types.js';

/** What crosses to the worker: the job without its functions. */
export type ThreadJob =
  | { kind: 'step'; handlerName: string; method?: string; file: string; context: StepContextData }
  | { kind: 'flow'; role: FlowRole; handlerName: string; file: string; context: FlowContextData; params?: JsonObject };

export interface ThreadTask {
  /** Tags what the worker sends about this task over parentPort. */
  id: number;
  job: ThreadJob;
  /** Workspace setup modules, loaded once per worker before any handler module. */
  setup: string[];
  /** Flow jobs: the channel of their sub-task calls (the engine answers them). */
  port?: MessagePort;
}

/**
 * Worker → main thread over parentPort (piscina's `message` event), tagged with the task id.
 * Progress, log lines and the outcome travel on this one port, so a task's log lines always
 * arrive before its outcome; piscina's own answer only says that the task function returned.
 */
export type ThreadMessage =
  | { type: 'stepwise:progress'; id: number; fraction: number; message?: string }
  | { type: 'stepwise:log'; id: number; level: 'debug' | 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> }
  | { type: 'stepwise:done'; id: number; outcome: JobOutcome }
  | StrayMessage;

/** Worker → main thread over a flow job's port: a sub-task call. */
export type SubtaskCall = { type: 'call'; id: number; method: 'start'; args: [template: string, input?: JsonObject] } | { type: 'call'; id: number; method: 'list'; args: [] };

/** Main thread → worker: the answer to a `call`. */
export type ThreadReply = { type: 'reply'; id: number; ok: true; value: unknown } | { type: 'reply'; id: number; ok: false; error: ErrorInfo };

/** A crash no running task owns. */
export interface StrayMessage {
  type: 'stepwise:stray';
  kind: StrayCrash['kind'];
  handlerName?: string;
  error: ErrorInfo;
}

function send(message: ThreadMessage): void {
  parentPort?.postMessage(message);
}

// The worker runs one task at a time: a crash outside any handler's async context (code a
// handler module ran when it was loaded, say) belongs to the task running now.
let running: HandlerScope | undefined;
holdGuards({
  allowExit: true,
  fallbackScope: () => running,
  onStray: (stray) =>
    send({ type: 'stepwise:stray', kind: stray.kind, ...(stray.handlerName ? { handlerName: stray.handlerName } : {}), error: describeFailure(stray.error).error }),
});

/**
 * The handler named `name` in a module (a named export, or a property of the default export),
 * called through `method` when it is an object or a class (tasker-core handler.method).
 */
export function pickHandler(mod: Record<string, unknown>, name: string, method?: string): ((ctx: unknown, ...rest: unknown[]) => unknown) | undefined {
  const named = mod[name];
  const dflt = mod.default as Record<string, unknown> | ((ctx: unknown) => unknown) | undefined;
  const value = isHandlerExport(named)
    ? named
    : dflt && typeof dflt === 'object' && isHandlerExport(dflt[name])
      ? dflt[name]
      : typeof dflt === 'function'
        ? dflt
        : undefined;
  return value === undefined ? undefined : dispatchHandler(value, method);
}

/** Sub-task calls of a flow handler, answered by the engine in the main thread. */
function subtaskProxy(port: MessagePort): FlowJob['subtasks'] {
  let next = 0;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  port.on('message', (m: ThreadReply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(Object.assign(new Error(m.error.message), { name: m.error.class, code: m.error.code, details: m.error.details }));
  });
  const call = (message: Omit<SubtaskCall, 'id'>) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++next;
      pending.set(id, { resolve, reject });
      port.postMessage({ ...message, id } as SubtaskCall);
    });
  return {
    start: (template, input) => call({ type: 'call', method: 'start', args: input === undefined ? [template] : [template, input] }) as Promise<{ id: string }>,
    list: () => call({ type: 'call', method: 'list', args: [] }) as Promise<SubtaskSummary[]>,
  };
}

/** Runs the task; its outcome is sent over parentPort (see ThreadMessage), after its log lines. */
export async function runHandlerTask(task: ThreadTask): Promise<void> {
  send({ type: 'stepwise:done', id: task.id, outcome: await run(task) });
}

async function run(task: ThreadTask): Promise<JobOutcome> {
  const { id, job, port } = task;
  try {
    await loadSetup(task.setup);
    const method = job.kind === 'step' ? job.method : undefined;
    const fn = pickHandler(await loadModule(job.file), job.handlerName, method);
    if (!fn) {
      const what = method === undefined ? '' : ` with a method '${method}'`;
      return describeAsPermanent(`Handler '${job.handlerName}'${what} is not exported by ${job.file} (looked for a named export and a property of the default export).`);
    }
    const common = {
      handlerName: job.handlerName,
      fn,
      file: job.file,
      // The main thread terminates this worker to cancel or time out; nothing aborts in here.
      signal: new AbortController().signal,
      onProgress: (fraction: number, message?: string) => send({ type: 'stepwise:progress', id, fraction, ...(message === undefined ? {} : { message }) }),
      onLog: (line: { level: 'debug' | 'info' | 'warn' | 'error'; message: string; fields?: JsonObject }) => send({ type: 'stepwise:log', id, ...line }),
    };
    let full: Job;
    if (job.kind === 'step') full = { ...common, kind: 'step', context: job.context };
    else {
      if (!port) throw new Error('a flow job reached the worker without its sub-task port');
      full = { ...common, kind: 'flow', role: job.role, context: job.context, subtasks: subtaskProxy(port), ...(job.params ? { params: job.params } : {}) };
    }
    return await runInProcess(full, (scope) => (running = scope));
  } catch (err) {
    return { kind: 'failure', failure: describeFailure(err) };
  } finally {
    running = undefined;
    port?.close();
  }
}

function describeAsPermanent(message: string): JobOutcome {
  return { kind: 'failure', failure: { error: { class: 'StepwiseError', code: 'HANDLER_NOT_FOUND', message }, retryable: false } };
}
