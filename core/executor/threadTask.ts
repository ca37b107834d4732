/**
 * The worker-thread side of the `threads` executor: load the handler's module by path, call the
 * handler, and send back plain JSON (results or a described failure). Progress and log lines go
 * to the main thread over the MessagePort sent with the task.
 */
import type { MessagePort } from 'node:worker_threads';
import type { StepContext } from '../model/handlers.js';
import { describeFailure, toResults } from './failure.js';
import { handlerLog } from './inProcess.js';
import type { JobOutcome, StepContextData } from './types.js';

export interface ThreadTask {
  file: string;
  handlerName: string;
  context: StepContextData;
  port: MessagePort;
}

export type ThreadMessage =
  | { type: 'progress'; fraction: number; message?: string }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> };

import { createModuleLoader, type ModuleLoader } from '../template/moduleLoader.js';

// The workspace's loader (so `import ... from 'stepwise'` works in handler modules), with modules
// kept per file for the life of the worker thread.
let loader: Promise<ModuleLoader> | undefined;
const modules = new Map<string, Promise<Record<string, unknown>>>();
function loadModule(file: string): Promise<Record<string, unknown>> {
  let mod = modules.get(file);
  if (!mod) {
    loader ??= createModuleLoader();
    mod = loader.then((l) => l.load(file));
    modules.set(file, mod);
    mod.catch(() => modules.delete(file));
  }
  return mod;
}

/** The handler named `name` in a module: a named export, or a property of the default export. */
export function pickHandler(mod: Record<string, unknown>, name: string): ((ctx: unknown) => unknown) | undefined {
  const named = mod[name];
  if (typeof named === 'function') return named as (ctx: unknown) => unknown;
  const dflt = mod.default as Record<string, unknown> | ((ctx: unknown) => unknown) | undefined;
  if (dflt && typeof dflt === 'object' && typeof dflt[name] === 'function') return dflt[name] as (ctx: unknown) => unknown;
  if (typeof dflt === 'function') return dflt;
  return undefined;
}

export async function runHandlerTask(task: ThreadTask): Promise<JobOutcome> {
  const { port } = task;
  try {
    const mod = await loadModule(task.file);
    const fn = pickHandler(mod, task.handlerName);
    if (!fn) {
      return describeAsPermanent(`Handler '${task.handlerName}' is not exported by ${task.file} (looked for a named export and a property of the default export).`);
    }
    const ctx: StepContext = {
      ...task.context,
      // The main thread terminates this worker to cancel or time out; nothing aborts in here.
      signal: new AbortController().signal,
      progress: (fraction, message) => port.postMessage({ type: 'progress', fraction, message } satisfies ThreadMessage),
      log: handlerLog((line) => port.postMessage({ type: 'log', ...line } satisfies ThreadMessage)),
    };
    const value = await fn(ctx);
    const r = toResults(value, task.handlerName);
    return r.ok ? { kind: 'success', value: r.value } : { kind: 'failure', failure: r.failure };
  } catch (err) {
    return { kind: 'failure', failure: describeFailure(err) };
  } finally {
    port.close();
  }
}

function describeAsPermanent(message: string): JobOutcome {
  return { kind: 'failure', failure: { error: { class: 'StepwiseError', code: 'HANDLER_NOT_FOUND', message }, retryable: false } };
}
