/**
 * How workflow tasks are shown by `run` and `show`: the JSON shapes for machines (times as ISO
 * strings) and aligned text for people. Flow tasks use core/engine/flow/report.ts.
 */
import { humanDuration } from '../template/duration.js';
import type { AttemptRecord, Json, StepRecord, TaskRecord, TransitionRecord } from '../model/runtime.js';
import { transitionJson } from '../engine/flow/report.js';
import { isTaskFinished } from '../model/states.js';
import { shortTaskId } from '../model/taskId.js';
import { describeUnreadable } from '../storage/rowCodec.js';

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

export function taskJson(task: TaskRecord): Record<string, Json> {
  return {
    id: task.id,
    short_id: shortTaskId(task.id),
    kind: task.kind,
    template: task.templateRef,
    status: task.status,
    input: task.input,
    result: task.result,
    error: task.error as unknown as Json,
    parent_task_id: task.parentTaskId,
    parent_step_name: task.parentStepName,
    created_at: iso(task.createdAt),
    updated_at: iso(task.updatedAt),
    finished_at: iso(task.finishedAt),
    delete_at: iso(task.deleteAt),
    paused: task.debug.paused,
    version: task.version,
    ...(task.unreadable ? { unreadable: { ...task.unreadable } } : {}),
  };
}

export function stepJson(step: StepRecord): Record<string, Json> {
  return {
    name: step.name,
    type: step.type,
    state: step.state,
    attempts: step.attempts,
    max_attempts: step.maxAttempts,
    depends_on: step.dependsOn,
    results: step.results,
    error: step.error as unknown as Json,
    retry_at: iso(step.retryAt),
    wake_at: iso(step.wakeAt),
    dynamic: step.dynamic,
    created_by: step.createdBy,
  };
}

export function attemptJson(a: AttemptRecord): Record<string, Json> {
  return {
    step: a.stepName,
    number: a.number,
    outcome: a.outcome,
    started_at: iso(a.startedAt),
    finished_at: iso(a.finishedAt),
    duration_ms: a.durationMs,
    error: a.error as unknown as Json,
    output: a.output,
    logs: a.logs as unknown as Json,
  };
}

/** `stepwise run --json`: `{ task, steps }`; `show --json` adds attempts and transitions. */
export function workflowReportJson(
  task: TaskRecord,
  steps: readonly StepRecord[],
  extra: { attempts?: readonly AttemptRecord[]; transitions?: readonly TransitionRecord[] } = {},
): Record<string, Json> {
  const report: Record<string, Json> = { task: taskJson(task), steps: steps.map(stepJson) };
  if (extra.attempts) report.attempts = extra.attempts.map(attemptJson);
  if (extra.transitions) report.transitions = extra.transitions.map(transitionJson);
  return report;
}

export const STATE_ICON: Record<string, string> = {
  pending: '·',
  ready: '○',
  running: '▶',
  complete: '✔',
  resolved_manually: '✔',
  waiting_for_retry: '↻',
  waiting: '⏸',
  error: '✖',
  skipped: '–',
  cancelled: '⊘',
};

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const short = (v: unknown, n = 80) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s === undefined ? '' : s.length > n ? `${s.slice(0, n - 1)}…` : s;
};

/** A duration for the CLI's tables and progress lines; nothing for a running attempt (null). */
export function formatDuration(ms: number | null): string {
  return ms === null ? '' : humanDuration(ms);
}

/** The status people read: the stored one (`paused` included), or `unreadable` for a damaged row. */
export function shownStatus(task: Pick<TaskRecord, 'status' | 'unreadable'>): string {
  return task.unreadable ? 'unreadable' : task.status;
}

export function taskHeadline(task: TaskRecord): string {
  const error = task.error ? `: ${task.error.message}` : '';
  return `${task.templateRef}  ${task.id}  ${shownStatus(task)}${error}`;
}

/** `stepwise tasks`: a header row, then one aligned row per task (the short id is what the workbench shows). */
export function formatTaskTable(tasks: readonly TaskRecord[]): string[] {
  const rows = tasks.map((t) => [t.id, shortTaskId(t.id), t.templateRef, shownStatus(t) + (t.currentState ? ` @${t.currentState}` : ''), new Date(t.createdAt).toISOString() + (t.unreadable ? `  (${describeUnreadable(t.unreadable)})` : '')]);
  const head = ['ID', 'SHORT', 'TEMPLATE', 'STATUS', 'CREATED'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
}

/** Steps, one line each (what `run` prints at the end and `show` prints first). */
export function formatSteps(steps: readonly StepRecord[], attempts: readonly AttemptRecord[] = []): string[] {
  const width = Math.min(40, Math.max(8, ...steps.map((s) => s.name.length)));
  const lastDuration = new Map<string, number | null>();
  for (const a of attempts) lastDuration.set(a.stepName, a.durationMs);
  return steps.map((s) => {
    const tries = s.attempts === 0 ? '' : s.attempts <= s.maxAttempts ? `attempt ${s.attempts}/${s.maxAttempts}` : `attempt ${s.maxAttempts}+${s.attempts - s.maxAttempts}`;
    const extra = s.error ? s.error.message : s.state === 'complete' || s.state === 'resolved_manually' ? short(s.results, 60) : '';
    return `  ${STATE_ICON[s.state] ?? '?'} ${pad(s.name, width)}  ${pad(s.state, 17)} ${pad(tries, 13)} ${pad(formatDuration(lastDuration.get(s.name) ?? null), 7)} ${extra}`.trimEnd();
  });
}

export function formatAttempts(attempts: readonly AttemptRecord[]): string[] {
  return attempts.map((a) => {
    const error = a.error ? `  ${a.error.class}: ${a.error.message}` : '';
    const logs = a.logs.length ? `  (${a.logs.length} log line${a.logs.length === 1 ? '' : 's'})` : '';
    return `  ${a.stepName} #${a.number}  ${a.outcome ?? 'running'}  ${formatDuration(a.durationMs)}${error}${logs}`;
  });
}

export function formatTransitions(transitions: readonly TransitionRecord[]): string[] {
  return transitions.map((t) => {
    const what = t.stepName ?? `task ${t.field}`;
    return `  ${String(t.seq).padStart(6)}  ${new Date(t.at).toISOString()}  ${pad(what, 24)} ${t.from ?? '∅'} → ${t.to}  (${t.actor}: ${t.reason})`;
  });
}
