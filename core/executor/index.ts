/** Choosing an executor is configuration: `inline` | `pool` | `threads`. */
import type { ExecutorKind } from '../model/workspace.js';
import { StepwiseError } from '../model/errors.js';
import { createInlineExecutor, createPoolExecutor } from './inProcess.js';
import { createThreadsExecutor } from './threads.js';
import type { Executor } from './types.js';

export type { Executor, FlowContextData, FlowJob, FlowRole, Job, JobOutcome, StepContextData, StepJob, SubtaskApi } from './types.js';
export { describeFailure, flowOutcome, toResults, type HandlerFailure } from './failure.js';
export { createInlineExecutor, createPoolExecutor, createThreadsExecutor };

export const EXECUTOR_KINDS: readonly ExecutorKind[] = ['inline', 'pool', 'threads'];

/** `inline` under tests (NODE_ENV=test or VITEST set), `pool` otherwise. */
export function defaultExecutorKind(env: NodeJS.ProcessEnv = process.env): ExecutorKind {
  return env.NODE_ENV === 'test' || env.VITEST ? 'inline' : 'pool';
}

export function createExecutor(kind: ExecutorKind | string = defaultExecutorKind(), concurrency?: number): Executor {
  const k = kind as ExecutorKind;
  switch (k) {
    case 'inline':
      return createInlineExecutor();
    case 'pool':
      return createPoolExecutor(concurrency);
    case 'threads':
      return createThreadsExecutor(concurrency);
    default:
      throw new StepwiseError('USAGE', `Unknown executor '${String(kind)}'. Use one of: ${EXECUTOR_KINDS.join(', ')}.`, { executor: kind });
  }
}
