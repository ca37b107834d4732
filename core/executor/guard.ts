/**
 * Process-level guards for handlers that run in the engine's own thread (the `inline` and `pool`
 * executors, inline handlers under `threads`) and inside each worker thread of `threads`.
 *
 * Every handler call runs in an AsyncLocalStorage scope. Node runs `uncaughtException` and
 * `unhandledRejection` listeners in the async context of the failing callback or promise, so
 * a crash is attributed to the attempt whose code caused it, even from a timer it left behind:
 * that attempt fails ("unhandled rejection: …") and nothing else happens. `process.exit()`
 * called from a handler's code throws instead of exiting, and the attempt fails with "the
 * handler's process exited with code N". A crash that belongs to no running attempt (its attempt
 * already ended, or code outside any handler) is reported to `onStray` and otherwise ignored:
 * the process keeps serving.
 *
 * The guards are installed while at least one user (an executor) holds them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { crashFailure, exitFailure, type CrashKind } from './crash.js';
import type { HandlerFailure } from './failure.js';

/** One running handler call. */
export interface HandlerScope {
  readonly handlerName: string;
  /** Set once the call's outcome is decided; later crashes of its code are strays. */
  settled: boolean;
  /** The crash that ended the call, if one did. */
  failure?: HandlerFailure;
  /** Ends the call with this failure (first one wins). */
  crash(failure: HandlerFailure): void;
}

export interface StrayCrash {
  kind: CrashKind | 'process.exit';
  error: unknown;
  /** The handler whose code it was, when known (its attempt had already ended). */
  handlerName?: string;
}

export interface GuardOptions {
  onStray?(stray: StrayCrash): void;
  /**
   * A crash outside any handler's async context is blamed on this call instead, when it returns
   * one (a worker thread runs nothing but the current handler).
   */
  fallbackScope?(): HandlerScope | undefined;
  /** Leave `process.exit` alone (a worker thread exits for real; its death is reported by the pool). */
  allowExit?: boolean;
}

const scopes = new AsyncLocalStorage<HandlerScope>();

/** Runs `fn` as handler code of `scope`: crashes of anything it starts are attributed to it. */
export function runInScope<T>(scope: HandlerScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

/** The scope of the handler call whose code is running now, if any. */
export function currentScope(): HandlerScope | undefined {
  return scopes.getStore();
}

/**
 * A scope for one handler call. `onCrash` (set by whoever waits for the call) hears the crash
 * that ends it; a call that settles before anything could crash needs no listener at all.
 */
export function createScope(handlerName: string): HandlerScope & { onCrash?: (failure: HandlerFailure) => void } {
  const scope: HandlerScope & { onCrash?: (failure: HandlerFailure) => void } = {
    handlerName,
    settled: false,
    crash(failure) {
      if (scope.settled) return;
      scope.settled = true;
      scope.failure = failure;
      scope.onCrash?.(failure);
    },
  };
  return scope;
}

/** Thrown into a handler that calls process.exit(), to unwind it; its attempt has already failed. */
export class HandlerExitError extends Error {
  constructor(readonly exitCode: number | string) {
    super(`process.exit(${String(exitCode)}) was called by a handler; the engine's process does not exit for a handler`);
    this.name = 'HandlerExitError';
  }
}

let holders = 0;
let options: GuardOptions = {};
let realExit: typeof process.exit | null = null;

/** One line about a crash no running attempt owns. */
export function describeStray(stray: StrayCrash): string {
  const where = stray.handlerName ? `handler '${stray.handlerName}' (its attempt had already ended)` : 'code outside any running handler';
  const e = stray.error as { stack?: unknown; message?: unknown } | null;
  const text = typeof e?.stack === 'string' ? e.stack : typeof e?.message === 'string' ? e.message : String(stray.error);
  return `stepwise: ${stray.kind} in ${where}, ignored: ${text}`;
}

function defaultStray(stray: StrayCrash): void {
  process.stderr.write(describeStray(stray) + '\n');
}

function onCrash(kind: CrashKind, error: unknown): void {
  const scope = scopes.getStore() ?? options.fallbackScope?.();
  if (scope && !scope.settled) {
    scope.crash(crashFailure(kind, error));
    return;
  }
  // A HandlerExitError escaping the handler that called process.exit was already recorded.
  if (error instanceof HandlerExitError) return;
  (options.onStray ?? defaultStray)({ kind, error, ...(scope ? { handlerName: scope.handlerName } : {}) });
}

const onUncaught = (error: unknown) => onCrash('uncaught exception', error);
const onUnhandled = (reason: unknown) => onCrash('unhandled rejection', reason);

function guardedExit(this: unknown, code?: number | string | null): never {
  const scope = scopes.getStore();
  if (!scope) return realExit!.call(process, code as number) as never;
  const exitCode = code ?? process.exitCode ?? 0;
  if (!scope.settled) scope.crash(exitFailure(exitCode, `the handler called process.exit(${code === undefined ? '' : String(code)})`));
  else (options.onStray ?? defaultStray)({ kind: 'process.exit', error: new HandlerExitError(exitCode), handlerName: scope.handlerName });
  throw new HandlerExitError(exitCode);
}

/** Installs the guards (once per process) for as long as the returned release is not called. */
export function holdGuards(with_: GuardOptions = {}): () => void {
  if (with_.onStray) options.onStray = with_.onStray;
  if (with_.fallbackScope) options.fallbackScope = with_.fallbackScope;
  if (holders === 0) {
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUnhandled);
    if (!with_.allowExit) {
      realExit = process.exit;
      process.exit = guardedExit as typeof process.exit;
    }
  }
  holders += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders -= 1;
    if (holders > 0) return;
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUnhandled);
    if (realExit) {
      if (process.exit === (guardedExit as typeof process.exit)) process.exit = realExit;
      realExit = null;
    }
    options = {};
  };
}
