/**
 * Insights over a workspace's tasks, pure over records: tasks by status, steps by state, the
 * slowest template steps (p50/p95 of handler time), the most-failing ones with their last error,
 * and the slowest tasks (created → finished). Records arrive in pages (see ./insights.ts for the
 * reader over Storage); the accumulator keeps counts and durations, never whole records.
 *
 * A "template step" is a workflow step's `templateStep` (so dynamic batch workers count under
 * the batch_worker step they were made from) or, for flows, the state (or `interaction:<name>`)
 * whose handler ran. Rows are keyed by `namespace/name` of the template, across its versions.
 */
import type { ErrorInfo } from '../model/errors.js';
import type { AttemptOutcome, AttemptRecord, StepRecord, TaskRecord } from '../model/runtime.js';
import type { StepState, TaskStatus } from '../model/states.js';
import type { TemplateKind } from '../model/template.js';
import { describeUnreadable } from '../storage/rowCodec.js';
import { summarize, type DurationSummary } from './stats.js';

export interface InsightsFilter {
  /** Only tasks created at or after this time (epoch ms). */
  since?: number;
  namespace?: string;
  /** `namespace/name@version`, `namespace/name` or `name`. */
  template?: string;
}

export interface StepKey {
  /** `namespace/name` of the template. */
  template: string;
  /** Template step name (workflows) or state / `interaction:<name>` (flows). */
  step: string;
}

export interface SlowStep extends StepKey, DurationSummary {}

export interface LastError {
  class: string;
  message: string;
  code?: string;
  taskId: string;
  /** When the failed attempt finished (or started, if it never finished). */
  at: number;
}

export interface FailingStep extends StepKey {
  /** Finished attempts (any outcome). */
  attempts: number;
  /** Attempts that ended in `error` or `timeout`. */
  failures: number;
  /** failures / attempts, 0..1. */
  failureRate: number;
  /** Steps (task instances) of this template step that are in `error` now. */
  stepsInError: number;
  lastError: LastError | null;
}

export interface SlowTask {
  taskId: string;
  templateRef: string;
  status: TaskStatus;
  createdAt: number;
  finishedAt: number;
  durationMs: number;
}

export interface Insights {
  filter: InsightsFilter;
  tasks: {
    total: number;
    byStatus: Array<{ kind: TemplateKind; status: TaskStatus; count: number }>;
    /** Tasks storage could not decode a row of (counted by their stored status too); the first `top`. */
    unreadable: { total: number; first: Array<{ taskId: string; templateRef: string; reason: string }> };
  };
  steps: { total: number; byState: Array<{ state: StepState; count: number }> };
  attempts: { total: number; byOutcome: Array<{ outcome: AttemptOutcome | 'running'; count: number }> };
  slowestSteps: SlowStep[];
  failingSteps: FailingStep[];
  slowestTasks: SlowTask[];
}

export interface InsightRecords {
  tasks: readonly TaskRecord[];
  steps: readonly StepRecord[];
  attempts: readonly AttemptRecord[];
}

export interface AggregateOptions {
  /** Rows in each ranking (slowest steps, failing steps, slowest tasks). Default 10. */
  top?: number;
}

/** Outcomes whose duration is handler time (interrupted and cancelled attempts were cut short). */
const TIMED: ReadonlySet<AttemptOutcome> = new Set(['success', 'error', 'timeout']);
const FAILED: ReadonlySet<AttemptOutcome> = new Set(['error', 'timeout']);

interface StepGroup {
  key: StepKey;
  durations: number[];
  finished: number;
  failures: number;
  stepsInError: number;
  lastError: LastError | null;
}

export class InsightsAccumulator {
  private readonly taskCounts = new Map<string, { kind: TemplateKind; status: TaskStatus; count: number }>();
  private readonly stepCounts = new Map<StepState, number>();
  private readonly outcomeCounts = new Map<AttemptOutcome | 'running', number>();
  private readonly groups = new Map<string, StepGroup>();
  private readonly finishedTasks: SlowTask[] = [];
  private taskTotal = 0;
  private readonly unreadable: Insights['tasks']['unreadable'] = { total: 0, first: [] };
  private stepTotal = 0;
  private attemptTotal = 0;

  constructor(
    private readonly filter: InsightsFilter = {},
    private readonly options: AggregateOptions = {},
  ) {}

  /** Adds one page: tasks and the steps and attempts of those tasks (others are ignored). */
  add(records: InsightRecords): this {
    const tasks = new Map(records.tasks.map((t) => [t.id, t]));
    const templateStepOf = new Map<string, string>();
    for (const t of records.tasks) this.addTask(t);
    for (const s of records.steps) {
      const task = tasks.get(s.taskId);
      if (!task) continue;
      templateStepOf.set(`${s.taskId}\u0000${s.name}`, s.templateStep);
      this.stepTotal += 1;
      this.stepCounts.set(s.state, (this.stepCounts.get(s.state) ?? 0) + 1);
      if (s.state === 'error') this.group(task, s.templateStep).stepsInError += 1;
    }
    for (const a of records.attempts) {
      const task = tasks.get(a.taskId);
      if (!task) continue;
      const step = templateStepOf.get(`${a.taskId}\u0000${a.stepName}`) ?? a.stepName;
      this.addAttempt(task, step, a);
    }
    return this;
  }

  private addTask(t: TaskRecord): void {
    this.taskTotal += 1;
    const key = `${t.kind}\u0000${t.status}`;
    const row = this.taskCounts.get(key);
    if (row) row.count += 1;
    else this.taskCounts.set(key, { kind: t.kind, status: t.status, count: 1 });
    if (t.unreadable) {
      this.unreadable.total += 1;
      if (this.unreadable.first.length < (this.options.top ?? 10)) this.unreadable.first.push({ taskId: t.id, templateRef: t.templateRef, reason: describeUnreadable(t.unreadable) });
    }
    if (t.finishedAt !== null) {
      this.finishedTasks.push({ taskId: t.id, templateRef: t.templateRef, status: t.status, createdAt: t.createdAt, finishedAt: t.finishedAt, durationMs: Math.max(0, t.finishedAt - t.createdAt) });
    }
  }

  private addAttempt(task: TaskRecord, step: string, a: AttemptRecord): void {
    this.attemptTotal += 1;
    const outcome = a.outcome ?? 'running';
    this.outcomeCounts.set(outcome, (this.outcomeCounts.get(outcome) ?? 0) + 1);
    if (a.outcome === null) return;
    const g = this.group(task, step);
    g.finished += 1;
    if (TIMED.has(a.outcome)) {
      const ms = a.durationMs ?? (a.finishedAt !== null ? a.finishedAt - a.startedAt : null);
      if (ms !== null) g.durations.push(Math.max(0, ms));
    }
    if (FAILED.has(a.outcome)) {
      g.failures += 1;
      const at = a.finishedAt ?? a.startedAt;
      if (g.lastError === null || at >= g.lastError.at) g.lastError = lastError(a.error, a.outcome, task.id, at);
    }
  }

  private group(task: TaskRecord, step: string): StepGroup {
    const template = `${task.namespace}/${task.name}`;
    const id = `${template}\u0000${step}`;
    let g = this.groups.get(id);
    if (!g) this.groups.set(id, (g = { key: { template, step }, durations: [], finished: 0, failures: 0, stepsInError: 0, lastError: null }));
    return g;
  }

  result(): Insights {
    const top = this.options.top ?? 10;
    const groups = [...this.groups.values()];
    const byKey = (a: StepKey, b: StepKey) => a.template.localeCompare(b.template) || a.step.localeCompare(b.step);
    const slowestSteps = groups
      .filter((g) => g.durations.length > 0)
      .map((g): SlowStep => ({ ...g.key, ...summarize(g.durations) }))
      .sort((a, b) => b.p95Ms - a.p95Ms || b.p50Ms - a.p50Ms || byKey(a, b))
      .slice(0, top);
    const failingSteps = groups
      .filter((g) => g.failures > 0 || g.stepsInError > 0)
      .map((g): FailingStep => ({
        ...g.key,
        attempts: g.finished,
        failures: g.failures,
        failureRate: g.finished > 0 ? g.failures / g.finished : 0,
        stepsInError: g.stepsInError,
        lastError: g.lastError,
      }))
      .sort((a, b) => b.failures - a.failures || b.failureRate - a.failureRate || b.stepsInError - a.stepsInError || byKey(a, b))
      .slice(0, top);
    const slowestTasks = [...this.finishedTasks].sort((a, b) => b.durationMs - a.durationMs || (a.taskId < b.taskId ? -1 : 1)).slice(0, top);
    return {
      filter: { ...this.filter },
      tasks: {
        total: this.taskTotal,
        byStatus: [...this.taskCounts.values()].sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind) || a.status.localeCompare(b.status)),
        unreadable: { total: this.unreadable.total, first: [...this.unreadable.first] },
      },
      steps: { total: this.stepTotal, byState: countsOf(this.stepCounts).map(([state, count]) => ({ state, count })) },
      attempts: { total: this.attemptTotal, byOutcome: countsOf(this.outcomeCounts).map(([outcome, count]) => ({ outcome, count })) },
      slowestSteps,
      failingSteps,
      slowestTasks,
    };
  }
}

/** Insights of records already in memory (one page). */
export function aggregateInsights(records: InsightRecords, filter: InsightsFilter = {}, options: AggregateOptions = {}): Insights {
  return new InsightsAccumulator(filter, options).add(records).result();
}

function countsOf<K extends string>(counts: Map<K, number>): Array<[K, number]> {
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function lastError(error: ErrorInfo | null, outcome: AttemptOutcome, taskId: string, at: number): LastError {
  const e: LastError = {
    class: error?.class ?? (outcome === 'timeout' ? 'TimeoutError' : 'Error'),
    message: error?.message ?? (outcome === 'timeout' ? 'the handler timed out' : '(no error recorded)'),
    taskId,
    at,
  };
  if (error?.code !== undefined) e.code = error.code;
  return e;
}
