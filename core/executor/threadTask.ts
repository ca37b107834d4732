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

import { createJiti } from 'jiti';
import * as model from '../model/index.js';
import { PACKAGE_NAME } from '../packageInfo.js';

// Handler modules are loaded by path with jiti. `import ... from 'stepwise-workflows'` resolves to the model
// API (errors such as PermanentError and RetryableError, types): loading the whole public API in
// every worker thread would cost seconds per thread, and handlers need only this part of it.
const jiti = createJiti(import.meta.url, { moduleCache: true, fsCache: true, interopDefault: false, virtualModules: { [PACKAGE_NAME]: model } });
const modules = new Map<string, Promise<Record<string, unknown>>>();
function loadModule(file: string): Promise<Record<string, unknown>> {
  let mod = modules.get(file);
  if (!mod) {
    mod = jiti.import<Record<string, unknown>>(file).then((m) => (m && typeof m === 'object' ? m : { default: m }));
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
