/** Choosing an executor is configuration: `inline` | `pool` | `threads`. */
import type { ExecutorKind, Workspace } from '../model/workspace.js';
import { describeStray, type StrayCrash } from './guard.js';
import { StepwiseError } from '../model/errors.js';
import { createInlineExecutor, createPoolExecutor } from './inProcess.js';
import { createThreadsExecutor, type ThreadsOptions } from './threads.js';
import type { Executor } from './types.js';

export type { Executor, FlowContextData, FlowJob, FlowRole, Job, JobOutcome, StepContextData, StepJob, SubtaskApi } from './types.js';
export { describeFailure, flowOutcome, toResults, type HandlerFailure } from './failure.js';
export { createInlineExecutor, createPoolExecutor, createThreadsExecutor, type ThreadsOptions };

export const EXECUTOR_KINDS: readonly ExecutorKind[] = ['inline', 'pool', 'threads'];

/**
 * Who runs the engine: the workbench host and the runner share their process with other work
 * (the UI's protocol, other tasks), so they isolate handlers in worker threads; a one-off CLI
 * command runs them in process (faster to start; its guards still report a crash).
 */
export type EngineRole = 'host' | 'runner' | 'cli';

/** `inline` under tests (NODE_ENV=test or VITEST set); otherwise `threads` for the host and the runner, `pool` for the CLI. */
export function defaultExecutorKind(env: NodeJS.ProcessEnv = process.env, role: EngineRole = 'cli'): ExecutorKind {
  if (env.NODE_ENV === 'test' || env.VITEST) return 'inline';
  return role === 'cli' ? 'pool' : 'threads';
}

/** Options of the executors that take them (`threads`: memory limit, setup modules, stray crashes). */
export type ExecutorOptions = Omit<ThreadsOptions, 'concurrency'>;

export function createExecutor(kind: ExecutorKind | string = defaultExecutorKind(), concurrency?: number, options: ExecutorOptions = {}): Executor {
  const k = kind as ExecutorKind;
  switch (k) {
    case 'inline':
      return createInlineExecutor(options);
    case 'pool':
      return createPoolExecutor(concurrency, options);
    case 'threads':
      return createThreadsExecutor({ ...options, ...(concurrency === undefined ? {} : { concurrency }) });
    default:
      throw new StepwiseError('USAGE', `Unknown executor '${String(kind)}'. Use one of: ${EXECUTOR_KINDS.join(', ')}.`, { executor: kind });
  }
}

/** The executor options a workspace's config asks for; stray crashes go to `log`. */
export function executorOptionsOf(workspace: Pick<Workspace, 'config'>, log?: (line: string) => void): ExecutorOptions {
  return {
    ...(workspace.config.handlerMemoryMb ? { memoryMb: workspace.config.handlerMemoryMb } : {}),
    ...(workspace.config.setup?.length ? { setup: workspace.config.setup } : {}),
    ...(log ? { onStray: (stray: StrayCrash) => log(describeStray(stray)) } : {}),
  };
}
