/**
 * How a flow task is shown by the CLI (`show`, `run`, `interact`): a JSON shape for machines
 * (`{ task: { id, status, current_state, data, wake_at, timeout_at, ... }, transitions }`, times
 * as ISO strings) and a few aligned lines for people.
 */
import type { AttemptRecord, Json, TaskRecord, TransitionRecord } from '../../model/runtime.js';

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

export function flowTaskJson(task: TaskRecord): Record<string, Json> {
  return {
    id: task.id,
    kind: task.kind,
    template: task.templateRef,
    status: task.status,
    current_state: task.currentState,
    data: task.data,
    input: task.input,
    participants: task.participants,
    parent_task_id: task.parentTaskId,
    error: task.error as unknown as Json,
    created_at: iso(task.createdAt),
    updated_at: iso(task.updatedAt),
    finished_at: iso(task.finishedAt),
    wake_at: iso(task.wakeAt),
    timeout_at: iso(task.timeoutAt),
    delete_at: iso(task.deleteAt),
    paused: task.debug.paused,
    version: task.version,
  };
}

export function transitionJson(t: TransitionRecord): Record<string, Json> {
  return { seq: t.seq, field: t.field, from: t.from, to: t.to, reason: t.reason, actor: t.actor, at: iso(t.at), details: t.details };
}

export function flowReportJson(task: TaskRecord, transitions: readonly TransitionRecord[], attempts?: readonly AttemptRecord[]): Record<string, Json> {
  const report: Record<string, Json> = { task: flowTaskJson(task), transitions: transitions.map(transitionJson) };
  if (attempts) {
    report.attempts = attempts.map((a) => ({
      state: a.stepName,
      number: a.number,
      outcome: a.outcome,
      started_at: iso(a.startedAt),
      duration_ms: a.durationMs,
      error: a.error as unknown as Json,
      output: a.output,
    }));
  }
  return report;
}

function relative(t: number, now: number): string {
  const s = Math.round((t - now) / 1000);
  const abs = Math.abs(s);
  const span = abs < 120 ? `${abs}s` : abs < 7200 ? `${Math.round(abs / 60)}m` : abs < 172_800 ? `${Math.round(abs / 3600)}h` : `${Math.round(abs / 86_400)}d`;
  return s >= 0 ? `in ${span}` : `${span} ago`;
}

/** Data changes show as `data` rows; their from/to hold the whole JSON, so only keys are listed. */
function describeTransition(t: TransitionRecord): string {
  const at = new Date(t.at).toISOString().slice(11, 19);
  if (t.field === 'data') {
    const before = safeParse(t.from);
    const after = safeParse(t.to);
    const keys = Object.keys({ ...before, ...after }).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    return `  #${t.seq} ${at} data    changed ${keys.length ? keys.join(', ') : '(nothing)'}  ${t.reason} (${t.actor})`;
  }
  return `  #${t.seq} ${at} ${t.field.padEnd(7)} ${t.from ?? '∅'} → ${t.to}  ${t.reason} (${t.actor})`;
}

function safeParse(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function formatFlowReport(task: TaskRecord, transitions: readonly TransitionRecord[], now: number): string {
  const lines = [
    `task     ${task.id}  ${task.templateRef} (flow)`,
    `status   ${task.status}${task.status === 'paused' ? ` (${task.debug.pauseReason ?? 'debugger'})` : ''}`,
    `state    ${task.currentState ?? '-'}`,
  ];
  const open = task.finishedAt === null;
  if (open && task.wakeAt !== null) lines.push(`wake at  ${iso(task.wakeAt)} (${relative(task.wakeAt, now)})`);
  if (open && task.timeoutAt !== null) lines.push(`timeout  ${iso(task.timeoutAt)} (${relative(task.timeoutAt, now)})`);
  if (!open) lines.push(`finished ${iso(task.finishedAt)}`);
  if (task.error) lines.push(`error    ${task.error.code ?? task.error.class}: ${task.error.message}`);
  if (task.participants.length) lines.push(`concerns ${task.participants.join(', ')}`);
  lines.push(`data     ${JSON.stringify(task.data)}`);
  if (transitions.length) lines.push('transitions:', ...transitions.map(describeTransition));
  return lines.join('\n');
}
