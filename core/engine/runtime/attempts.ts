/**
 * The attempt lifecycle, the same for a workflow step and a flow action: one running attempt is
 * registered here from its claim until its end is stored. The runtime gives it an abort signal,
 * a timeout on the engine's clock, a lease kept alive by one engine-wide renewal timer,
 * throttled progress, captured log lines, dispatch to the executor, and an end whose commit is
 * retried while storage is busy or full. What the attempt runs and how its records change are
 * the kind's business (an AttemptSpec from workflow/ or flow/): nothing here knows steps or states.
 */
import { StepwiseError, toErrorInfo } from '../../model/errors.js';
import type { ClockTimer } from '../../model/clock.js';
import type { LogLine } from '../../model/runtime.js';
import { attemptLogSink, boundOutcome } from '../../limits/index.js';
import type { Executor, Job, JobOutcome } from '../../executor/types.js';
import { refusedContent, unrecordableFailure, unstorableResult, type HandlerFailure } from '../../executor/failure.js';
import type { EngineContext } from '../context.js';
import type { Draft } from './draft.js';
import { retryStoring, type DurableOptions } from './durable.js';
import type { TaskStore } from './taskStore.js';
import { LazyAbort } from '../flow/abort.js';

/** Why the engine aborted a running attempt. */
export type AbortKind = 'timeout' | 'cancelled' | 'shutdown' | 'lease_lost';

export interface RunningAttempt {
  readonly taskId: string;
  /** The step, or the flow state, the attempt belongs to. */
  readonly step: string;
  /** The handler's abort signal, made when the handler (or the executor) first reads it. */
  readonly abort: LazyAbort;
  abortKind: AbortKind | null;
  /** Settles once the attempt's end is stored (or given up). */
  done: Promise<void>;
}

/** How an attempt ended, as the kind records it. */
export type AttemptEnd =
  | Extract<JobOutcome, { kind: 'success' }>
  | { kind: 'failure'; failure: HandlerFailure }
  /** Its timeout fired (the handler was aborted). */
  | { kind: 'timeout'; timeoutMs: number }
  /** The engine stopped cleanly while it ran (an aborting stop). */
  | { kind: 'shutdown' }
  /** Cancelled (`cancelled`), or the lease was lost: whoever did that records the task's state. */
  | { kind: 'gone'; cancelled: boolean };

export interface Progress {
  fraction: number;
  message?: string;
}

/** What a kind (workflow step, flow action) tells the runtime about one claimed attempt. */
export interface AttemptSpec {
  taskId: string;
  step: string;
  /** Abort the handler after this much clock time (none when absent or 0). */
  timeoutMs?: number;
  /** How the timeout error names what ran ("Step 'charge'", "Action 'send' of flow x"). */
  label: string;
  /** The handler's name, for the error stored when its result cannot be. */
  handler: string;
  /** Log lines of the attempt, captured here and stored with its end. */
  logs: LogLine[];
  /**
   * The executor job, or an outcome known without running anything (no handler registered).
   * `io.signal` is a getter that makes the signal: pass it on as a getter (or `aborted`) to keep
   * it unmade until something reads it.
   */
  job(io: Pick<Job, 'signal' | 'aborted' | 'onProgress' | 'onLog'>): Job | JobOutcome;
  /**
   * Where the lease and progress live. `draft`: on the task's records through the TaskStore (a
   * workflow step: every running step of a task is renewed in one change). `own`: the kind writes
   * them itself (a flow action: the lease is the flow task's own).
   */
  records:
    | {
        kind: 'draft';
        /** Extend the lease to `until` on the task's draft; false when the attempt is no longer held here. */
        renew(d: Draft, until: number): boolean;
        /** Record a (throttled) progress report on the task's draft, if the attempt is still held. */
        progress(d: Draft, progress: Progress): void;
      }
    | {
        kind: 'own';
        /** Extend the lease to `until`; false when the attempt is no longer held here. */
        renew(until: number): Promise<boolean>;
        progress(progress: Progress): Promise<void>;
      };
  /**
   * Store the end. May be called again when storage refused it for now (busy, full), and with a
   * smaller failure when storage refused its content (see finishStorable).
   */
  finish(end: AttemptEnd): Promise<unknown>;
}

export interface AttemptsDeps {
  ctx: EngineContext;
  store: TaskStore;
  executor: Executor;
  /** Minimum clock time between two stored progress reports of one attempt. */
  progressIntervalMs: number;
  onError(err: unknown, where: string): void;
  /** An attempt ended (its slot is free). */
  onEnded(run: RunningAttempt): void;
}

const key = (taskId: string, step: string) => `${taskId}\u0000${step}`;

export function abortRunning(run: RunningAttempt, kind: AbortKind, message: string): void {
  if (run.abort.aborted) return;
  run.abortKind = kind;
  const code = kind === 'timeout' ? 'TIMEOUT' : 'CANCELLED';
  run.abort.abort(new StepwiseError(code, message, { step: run.step, taskId: run.taskId, kind }));
}

const ENDED: Promise<void> = Promise.resolve();

/** A job's I/O: the signal is made only when read (the executor's wait, or the handler). */
function jobIo(abort: LazyAbort, onProgress: Job['onProgress'], onLog: Job['onLog']): Pick<Job, 'signal' | 'aborted' | 'onProgress' | 'onLog'> {
  return {
    get signal() {
      return abort.signal;
    },
    aborted: abortedOf(abort),
    onProgress,
    onLog,
  };
}

// Closures made per attempt are returned by helpers rather than bound to names: under tsx (the
// benchmarks, the tests) every named closure costs a defineProperty of its name when it is made.
function abortedOf(abort: LazyAbort): () => boolean {
  return () => abort.aborted;
}

const isThenable = (v: unknown): v is PromiseLike<JobOutcome> => typeof (v as { then?: unknown } | null)?.then === 'function';

export class Attempts {
  private readonly running = new Map<string, { run: RunningAttempt; spec: AttemptSpec }>();
  /** Aborted when attempt ends must stop being retried (an aborting stop, close). */
  private storing = new AbortController();
  private renewal: ClockTimer | null = null;
  /** Attempts started so far (a run that started one did work, even if it already ended). */
  started = 0;
  /** Told of every attempt started (see `watch`). */
  private readonly watchers = new Set<(run: RunningAttempt) => void>();

  constructor(private readonly deps: AttemptsDeps) {}

  get size(): number {
    return this.running.size;
  }

  has(taskId: string, step: string): boolean {
    return this.running.has(key(taskId, step));
  }

  /** Running attempts of these tasks (every task when `scope` is null). */
  runningIn(scope: ReadonlySet<string> | null): RunningAttempt[] {
    const out: RunningAttempt[] = [];
    for (const { run } of this.running.values()) if (!scope || scope.has(run.taskId)) out.push(run);
    return out;
  }

  /**
   * Calls `fn` with each attempt started until the returned function is called: who launched an
   * attempt learns of it even when it has already ended (a synchronous handler's end can be
   * stored before the launching round returns).
   */
  watch(fn: (run: RunningAttempt) => void): () => void {
    this.watchers.add(fn);
    return () => void this.watchers.delete(fn);
  }

  /** Ends that storage refuses for now stop being retried (an aborting stop, close). */
  stopStoring(): void {
    this.storing.abort();
  }

  /** The engine runs again: ends are retried until stored. */
  resumeStoring(): void {
    if (this.storing.signal.aborted) this.storing = new AbortController();
  }

  /**
   * Register a claimed attempt as running here and run it (the claim is already committed). A
   * handler that answers synchronously runs within this call, and its end is handed to storage
   * before it returns: no promise per phase, only the end's commit is waited for.
   */
  start(spec: AttemptSpec): RunningAttempt {
    const run: RunningAttempt = { taskId: spec.taskId, step: spec.step, abort: new LazyAbort(), abortKind: null, done: ENDED };
    const k = key(spec.taskId, spec.step);
    this.started += 1;
    this.running.set(k, { run, spec });
    if (this.watchers.size > 0) for (const w of this.watchers) w(run);
    this.keepRenewing();
    let stored: Promise<unknown>;
    try {
      stored = this.execute(run, spec);
    } catch (err) {
      stored = Promise.reject(err);
    }
    run.done = stored.then(
      () => this.ended(k, run),
      (err: unknown) => {
        this.deps.onError(err, `running ${spec.taskId}/${spec.step}`);
        this.ended(k, run);
      },
    );
    return run;
  }

  private ended(k: string, run: RunningAttempt): void {
    if (this.running.get(k)?.run === run) this.running.delete(k);
    this.deps.onEnded(run);
  }

  /** Runs the job; returns the end's commit (with its retries while storage is busy or full). */
  private execute(run: RunningAttempt, spec: AttemptSpec): Promise<unknown> {
    const { ctx, executor } = this.deps;
    const timeoutMs = spec.timeoutMs ?? 0;
    const timer = timeoutMs > 0 ? ctx.clock.setTimeout(() => abortRunning(run, 'timeout', `${spec.label} exceeded its timeout of ${timeoutMs / 1000}s.`), timeoutMs) : null;
    let outcome: JobOutcome | PromiseLike<JobOutcome>;
    try {
      const job = spec.job(jobIo(run.abort, this.progressReporter(spec), attemptLogSink(spec.logs, ctx.limits, () => ctx.clock.now())));
      outcome = 'kind' in job && (job.kind === 'step' || job.kind === 'flow') ? executor.run(job) : (job as JobOutcome);
    } catch (err) {
      outcome = thrown(err);
    }
    if (!isThenable(outcome)) return this.store(run, spec, outcome, timer, timeoutMs);
    return Promise.resolve(outcome).then(
      (o) => this.store(run, spec, o, timer, timeoutMs),
      (err: unknown) => this.store(run, spec, thrown(err), timer, timeoutMs),
    );
  }

  /**
   * The handler is done: the end, within the limits, stored. The lease keeps being renewed until
   * the end is stored: an end retried while the database is busy or full must not let another
   * engine take the attempt and run the handler again.
   */
  private store(run: RunningAttempt, spec: AttemptSpec, outcome: JobOutcome, timer: ClockTimer | null, timeoutMs: number): Promise<unknown> {
    const { ctx } = this.deps;
    ctx.clock.clearTimeout(timer);
    const end = endOf(run, boundOutcome(outcome, ctx.limits, spec.label), timeoutMs);
    const stop = this.storing.signal;
    let first: Promise<unknown>;
    try {
      first = spec.finish(end);
    } catch (err) {
      first = Promise.reject(err);
    }
    // untilStored(finishStorable) with its first try unwrapped: one `.then` on the end's commit.
    return first.then(undefined, (err: unknown) => {
      const now = () => ctx.clock.now();
      const again = () => finishStorable(spec, end, now);
      const options: DurableOptions = {
        clock: ctx.clock,
        stop,
        onRetry: (e, tries, delayMs) => this.deps.onError(e, `storing the end of ${spec.taskId}/${spec.step} (try ${tries}; kept in memory, trying again in ${delayMs} ms)`),
      };
      if (!refusedContent(err)) return retryStoring(err, again, options);
      return smallerEnd(spec, end, err, now).catch((next: unknown) => retryStoring(next, again, options));
    });
  }

  private progressReporter(spec: AttemptSpec): (fraction: number, message?: string) => void {
    const { ctx, store, progressIntervalMs } = this.deps;
    let lastAt = -Infinity;
    return (fraction, message) => {
      const now = ctx.clock.now();
      const f = Math.min(1, Math.max(0, Number(fraction) || 0));
      if (f < 1 && now - lastAt < progressIntervalMs) return;
      lastAt = now;
      const progress: Progress = message === undefined ? { fraction: f } : { fraction: f, message: String(message) };
      // Best effort: the end's commit is what counts.
      const records = spec.records;
      const write = records.kind === 'draft' ? store.change(spec.taskId, (d) => records.progress(d, progress)) : records.progress(progress);
      write.catch(() => undefined);
    };
  }

  /**
   * One engine-wide renewal timer while anything runs: every third of the lease, each task with
   * running attempts gets one change that extends all their leases (one commit per task).
   */
  private keepRenewing(): void {
    if (this.renewal) return;
    const { ctx } = this.deps;
    const every = Math.max(10, Math.floor(ctx.leaseMs / 3));
    const tick = () => {
      this.renewal = null;
      if (this.running.size === 0) return;
      this.renewAll();
      this.renewal = ctx.clock.setTimeout(tick, every);
      this.renewal.unref();
    };
    this.renewal = ctx.clock.setTimeout(tick, every);
    this.renewal.unref();
  }

  private renewAll(): void {
    const byTask = new Map<string, Array<{ run: RunningAttempt; spec: AttemptSpec }>>();
    const lost = (e: { run: RunningAttempt; spec: AttemptSpec }) =>
      abortRunning(e.run, 'lease_lost', `${e.spec.label} is no longer held by this engine (cancelled or taken over).`);
    for (const entry of this.running.values()) {
      // Cancelled or taken over: not ours to keep. (Timed out or stopping: ours until its end is stored.)
      if (entry.run.abortKind === 'cancelled' || entry.run.abortKind === 'lease_lost') continue;
      const records = entry.spec.records;
      if (records.kind === 'own') {
        records
          .renew(this.deps.ctx.clock.now() + this.deps.ctx.leaseMs)
          .then((held) => held || lost(entry))
          .catch(() => undefined); // storage trouble: the next renewal tries again
        continue;
      }
      const list = byTask.get(entry.run.taskId);
      if (list) list.push(entry);
      else byTask.set(entry.run.taskId, [entry]);
    }
    for (const [taskId, entries] of byTask) {
      this.deps.store
        .change(taskId, (d) => {
          const until = d.now + this.deps.ctx.leaseMs;
          return entries.map((e) => e.spec.records.kind === 'draft' && e.spec.records.renew(d, until));
        })
        .then((r) => {
          entries.forEach((e, i) => {
            if (!r || !r.value[i]) lost(e);
          });
        })
        .catch(() => undefined); // storage trouble: the next renewal tries again, the lease has two thirds left
    }
  }
}

/**
 * Store an attempt's end. When storage refuses its content (too large, not storable: not a
 * storage that is unavailable for now, which the caller retries), the attempt still ends: a
 * result becomes RESULT_NOT_STORED, a failure FAILURE_NOT_STORED with its message kept and its
 * details, stack and logs dropped.
 */
function finishStorable(spec: AttemptSpec, end: AttemptEnd, now: () => number): Promise<unknown> {
  // A `.catch` rather than an async wrapper: one promise more per end, not two.
  return spec.finish(end).catch((err: unknown) => {
    if (!refusedContent(err)) throw err;
    return smallerEnd(spec, end, err, now);
  });
}

/** Storage refused the end's content (`err`): a result becomes RESULT_NOT_STORED, a failure FAILURE_NOT_STORED. */
function smallerEnd(spec: AttemptSpec, end: AttemptEnd, err: unknown, now: () => number): Promise<unknown> {
  if (end.kind === 'success') return finishStorable(spec, { kind: 'failure', failure: unstorableResult(spec.handler, err) }, now);
  if (end.kind !== 'failure') return Promise.reject(err);
  spec.logs.splice(0, spec.logs.length, { at: now(), level: 'warn', message: 'logs dropped: the failure could not be stored with them' });
  return spec.finish({ kind: 'failure', failure: unrecordableFailure(end.failure, err) });
}

/** What the executor threw (it should not): a retryable failure of the attempt. */
function thrown(err: unknown): JobOutcome {
  return { kind: 'failure', failure: { error: toErrorInfo(err), retryable: true } };
}

function endOf(run: RunningAttempt, outcome: JobOutcome, timeoutMs: number): AttemptEnd {
  if (!(run.abort.aborted && run.abortKind !== null) && outcome.kind !== 'aborted') return outcome;
  switch (run.abortKind) {
    case 'timeout':
      return { kind: 'timeout', timeoutMs };
    case 'shutdown':
      return { kind: 'shutdown' };
    default:
      return { kind: 'gone', cancelled: run.abortKind === 'cancelled' };
  }
}
