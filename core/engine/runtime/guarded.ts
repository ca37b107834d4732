/**
 * User code that runs inside a transition instead of as an attempt on the executor: a flow's
 * conditions, interaction bodies and on_timeout handlers. It runs in this process, under the
 * same process guards as in-process handlers (../../executor/guard.ts): a leaked rejection, a
 * throw from a timer or `process.exit()` from its code fails that call with an error that says
 * so, and an asynchronous call that has not settled within `timeoutMs` of clock time fails with
 * TIMEOUT (the caller moves on; a late crash of the abandoned code is a stray, logged and
 * ignored). What in-process code cannot be kept from is a synchronous endless loop: that needs
 * a worker thread, which is why actions (the states meant for side effects) run on the executor.
 */
import { StepwiseError, toErrorInfo } from '../../model/errors.js';
import type { Clock } from '../../model/clock.js';
import type { HandlerFailure } from '../../executor/failure.js';
import { createScope, holdGuards, runInScope } from '../../executor/guard.js';
import { addDeadline } from './deadlines.js';

/** How long a flow's condition, interaction body or on_timeout handler may take when it is asynchronous. */
export const HOOK_TIMEOUT_MS = 30_000;

/** The guarded call crashed its process, or ran out of time: `failure` says how. */
export class GuardedCallFailed extends Error {
  constructor(readonly failure: HandlerFailure) {
    super(failure.error.message);
    this.name = 'GuardedCallFailed';
  }
}

export interface GuardedOptions {
  clock: Clock;
  /** What runs, for messages: "The conditions of state 'wait'", "Interaction 'approve'". */
  what: string;
  timeoutMs?: number;
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as { then?: unknown } | null)?.then === 'function';

/** A crash, reworded where the in-process wording would mislead (the process did not exit). */
function crashed(failure: HandlerFailure, what: string): GuardedCallFailed {
  if (failure.error.code !== 'HANDLER_EXITED') return new GuardedCallFailed(failure);
  const code = (failure.error.details as { exitCode?: string } | undefined)?.exitCode ?? '0';
  const message = `${what} called process.exit(${code}); the engine's process does not exit for user code (end the flow by moving it to a result state instead)`;
  return new GuardedCallFailed({ ...failure, error: { ...failure.error, message } });
}

/**
 * Runs `fn` as user code of `name` (a handler or condition name, for stray reports). Returns its
 * value or throws what it threw; throws GuardedCallFailed when it crashed or ran out of time.
 * Synchronous code gets its answer synchronously; a promise gets a promise (bounded in time).
 */
export function callGuarded<T>(name: string, fn: () => T | Promise<T>, o: GuardedOptions): T | Promise<T> {
  const release = holdGuards();
  const scope = createScope(name);
  // Whatever its code does once the call is decided is a stray.
  const end = () => {
    scope.settled = true;
    release();
  };
  let pending = false;
  try {
    let first: T | Promise<T>;
    try {
      first = runInScope(scope, fn);
    } catch (err) {
      throw scope.failure ? crashed(scope.failure, o.what) : err;
    }
    if (scope.failure) {
      // process.exit() threw into the code that called it (which may have caught that): the
      // call already failed; what its promise does now is nobody's business.
      if (isThenable(first)) Promise.resolve(first).catch(() => undefined);
      throw crashed(scope.failure, o.what);
    }
    // A plain value is the answer at once: no promise, no deadline.
    if (!isThenable(first)) return first;
    const timeoutMs = o.timeoutMs ?? HOOK_TIMEOUT_MS;
    pending = true;
    return new Promise<T>((resolve, reject) => {
      // One shared timer per clock (./deadlines.ts): nearly every call settles long before this.
      const cancel = addDeadline(o.clock, {
        at: o.clock.now() + timeoutMs,
        expire: () => {
          const err = new StepwiseError(
            'TIMEOUT',
            `${o.what} did not finish within ${timeoutMs / 1000}s. Conditions, interaction bodies and on_timeout handlers run inside a transition and must finish quickly: move slow work into an action state (actions have their own timeout and retries).`,
          );
          reject(new GuardedCallFailed({ error: toErrorInfo(err), retryable: false }));
        },
      });
      const settle = (then: () => void) => {
        cancel();
        if (scope.failure) reject(crashed(scope.failure, o.what));
        else then();
      };
      scope.onCrash = () => settle(() => undefined);
      Promise.resolve(first).then(
        (value) => settle(() => resolve(value)),
        (err: unknown) => settle(() => reject(err)),
      );
    }).finally(end);
  } finally {
    if (!pending) end();
  }
}
