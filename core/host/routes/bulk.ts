/**
 * Bulk operations over the protocol, on a selection that is either tasks picked by id or the
 * task list's whole filter (status, template, search text) as the server reads it, not the rows
 * a page happens to show. `preview` plans each task (core/host/bulkPlan) and asks core/ops to
 * preview every request: how many tasks will change, which are left out and why (grouped by
 * reason), the first rows in detail, and the version each task was previewed at. `perform`
 * takes those versions and applies with one reason, in batches, task by task: a task whose
 * version moved since the preview is skipped with that reason (never acted on blindly), one
 * task's refusal does not stop the others, and the answer counts what happened.
 */
import { z } from 'zod';
import { StepwiseError } from '../../model/errors.js';
import type { Json, TaskRecord } from '../../model/runtime.js';
import { TASK_STATUSES, type TaskStatus } from '../../model/states.js';
import { shortTaskId } from '../../model/taskId.js';
import type { Change, OpRequest } from '../../ops/types.js';
import type { Storage } from '../../storage/storage.js';
import { BULK_OPS, planBulk, type BulkOp } from '../bulkPlan.js';
import { requireControl } from '../control.js';
import type { HostServices } from '../services.js';
import { scanTasks } from '../taskSearch.js';
import { procedure, router } from '../trpc.js';

/** The most tasks one bulk operation takes; a larger selection takes the newest and says so. */
export const MAX_BULK_TASKS = 2_000;
/** Tasks previewed or applied between two yields to the event loop (other clients stay served). */
export const BULK_BATCH = 50;
/** Rows of the preview and of the outcome sent in detail (the rest are counted). */
export const BULK_ROWS = 200;

export interface BulkItem {
  taskId: string;
  shortId: string;
  templateRef: string;
  status: string;
  /** What will be applied (empty when skipped). */
  requests: OpRequest[];
  changes: Change[];
  notes: string[];
  /** The version the preview was computed at (apply's expected version). */
  version: number | null;
  /** Why the task is left out (not applicable, or core/ops's refusal). */
  skipped: string | null;
}

export interface ReasonCount {
  reason: string;
  count: number;
}

export interface BulkPreview {
  /** Tasks in the selection (at most MAX_BULK_TASKS). */
  total: number;
  /** More tasks matched the filter than one operation takes: only the newest `total` are in it. */
  truncated: boolean;
  /** Tasks that will change. */
  applicable: number;
  /** Why the others are left out, the most common reason first. */
  skipped: ReasonCount[];
  /** The first BULK_ROWS tasks in detail, newest first. */
  items: BulkItem[];
  /** The version each applicable task was previewed at: what `perform` takes. */
  expected: Record<string, number>;
}

export interface BulkOutcome {
  taskId: string;
  shortId: string;
  ok: boolean;
  /** What was done, or why nothing was. */
  message: string;
  code: string | null;
}

export interface BulkResult {
  /** Done: applied. Skipped: left alone before anything was tried (changed since the preview, no longer applicable). Refused: core/ops refused part way. */
  counts: { done: number; skipped: number; refused: number };
  /** Why tasks were skipped or refused, the most common reason first. */
  reasons: ReasonCount[];
  /** BULK_ROWS outcomes in detail: the tasks skipped or refused first. */
  outcomes: BulkOutcome[];
}

const filter = z.object({
  status: z.array(z.enum(TASK_STATUSES as [TaskStatus, ...TaskStatus[]])).max(TASK_STATUSES.length).optional(),
  templateRef: z.string().min(1).max(500).optional(),
  search: z.string().max(200).optional(),
});
export type BulkFilter = z.infer<typeof filter>;

const selection = z.union([z.object({ taskIds: z.array(z.string().min(1).max(500)).min(1).max(MAX_BULK_TASKS) }), z.object({ filter })]);

const previewInput = z.object({ op: z.enum(BULK_OPS as [BulkOp, ...BulkOp[]]), selection, results: z.json().optional() });

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The tasks a selection names, newest first for a filter (as the task list shows them). */
async function selectTasks(storage: Storage, sel: z.infer<typeof selection>): Promise<{ tasks: Array<TaskRecord | string>; truncated: boolean }> {
  if ('taskIds' in sel) {
    const ids = [...new Set(sel.taskIds)];
    return { tasks: await Promise.all(ids.map(async (id) => (await storage.getTask(id)) ?? id)), truncated: false };
  }
  const f = sel.filter;
  const query = { ...(f.status?.length ? { status: f.status } : {}), ...(f.templateRef ? { templateRef: f.templateRef } : {}) };
  const scan = await scanTasks(storage, query, f.search ?? '', MAX_BULK_TASKS);
  return { tasks: scan.tasks, truncated: scan.truncated && scan.tasks.length >= MAX_BULK_TASKS };
}

/** Reasons counted, the most common first. */
function countReasons(reasons: readonly string[]): ReasonCount[] {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

async function previewOne(services: HostServices, op: BulkOp, found: TaskRecord | string, results: Json | undefined): Promise<BulkItem> {
  if (typeof found === 'string') {
    return { taskId: found, shortId: shortTaskId(found), templateRef: '—', status: 'missing', requests: [], changes: [], notes: [], version: null, skipped: 'the task no longer exists' };
  }
  const task = found;
  const base = { taskId: task.id, shortId: shortTaskId(task.id), templateRef: task.templateRef, status: task.status };
  const plan = planBulk(op, task, task.kind === 'workflow' ? await services.storage.getSteps(task.id) : [], results ?? {});
  if (plan.skipped !== null) return { ...base, requests: [], changes: [], notes: [], version: null, skipped: plan.skipped };
  const ops = requireControl(services).ops;
  const changes: Change[] = [];
  const notes: string[] = [];
  let version: number | null = null;
  for (const request of plan.requests) {
    try {
      const preview = await ops.preview(request);
      changes.push(...preview.changes);
      notes.push(...preview.notes);
      version ??= preview.version;
    } catch (err) {
      if (!(err instanceof StepwiseError)) throw err;
      return { ...base, requests: [], changes: [], notes: [], version: null, skipped: err.message };
    }
  }
  return { ...base, requests: plan.requests, changes, notes, version, skipped: null };
}

type Applied = { kind: 'done' | 'skipped' | 'refused'; outcome: BulkOutcome };

async function performOne(services: HostServices, op: BulkOp, taskId: string, expected: number, results: Json, reason: string): Promise<Applied> {
  const shortId = shortTaskId(taskId);
  const storage = services.storage;
  const skip = (message: string): Applied => ({ kind: 'skipped', outcome: { taskId, shortId, ok: false, message, code: null } });
  const task = await storage.getTask(taskId);
  if (!task) return skip('skipped: the task no longer exists');
  if (task.version !== expected) return skip(`skipped: it changed since the preview (version ${expected} → ${task.version}, now ${task.status})`);
  const plan = planBulk(op, task, task.kind === 'workflow' ? await storage.getSteps(taskId) : [], results);
  if (plan.skipped !== null) return skip(`skipped: ${plan.skipped}`);
  const ops = requireControl(services).ops;
  let version = expected;
  const done: string[] = [];
  try {
    for (const request of plan.requests) {
      const result = await ops.apply(request, { expectedVersion: version, reason });
      version = result.task.version;
      done.push('step' in request ? `${request.op} ${request.step}` : request.op);
    }
    return { kind: 'done', outcome: { taskId, shortId, ok: true, message: done.join(', '), code: null } };
  } catch (err) {
    if (!(err instanceof StepwiseError)) throw err;
    const prefix = done.length ? `${done.join(', ')} done, then ` : '';
    return { kind: 'refused', outcome: { taskId, shortId, ok: false, message: `${prefix}refused: ${err.message}`, code: err.code } };
  }
}

/** A reason without the task-specific prefix, so equal reasons group in the counts. */
const reasonOf = (a: Applied) => a.outcome.message.replace(/\(version \d+ → \d+, now (\w+)\)/, '(now $1)');

export const bulkRouter = router({
  preview: procedure.input(previewInput).query(async ({ ctx, input }): Promise<BulkPreview> => {
    const { tasks, truncated } = await selectTasks(ctx.services.storage, input.selection);
    const items: BulkItem[] = [];
    for (let i = 0; i < tasks.length; i += BULK_BATCH) {
      for (const task of tasks.slice(i, i + BULK_BATCH)) items.push(await previewOne(ctx.services, input.op, task, input.results));
      if (i + BULK_BATCH < tasks.length) await yieldToLoop();
    }
    const expected: Record<string, number> = {};
    for (const item of items) if (item.skipped === null && item.version !== null) expected[item.taskId] = item.version;
    return {
      total: items.length,
      truncated,
      applicable: Object.keys(expected).length,
      skipped: countReasons(items.flatMap((i) => (i.skipped === null ? [] : [i.skipped]))),
      items: items.slice(0, BULK_ROWS),
      expected,
    };
  }),

  perform: procedure
    .input(
      z.object({
        op: z.enum(BULK_OPS as [BulkOp, ...BulkOp[]]),
        results: z.json().optional(),
        /** The preview's `expected`: the tasks to act on and the version each was previewed at. */
        expected: z.record(z.string().min(1).max(500), z.number().int().min(0)).refine((e) => Object.keys(e).length >= 1 && Object.keys(e).length <= MAX_BULK_TASKS, `between 1 and ${MAX_BULK_TASKS} tasks`),
        reason: z.string().trim().min(1).max(2000),
      }),
    )
    .mutation(async ({ ctx, input }): Promise<BulkResult> => {
      const entries = Object.entries(input.expected);
      const applied: Applied[] = [];
      for (let i = 0; i < entries.length; i += BULK_BATCH) {
        for (const [taskId, version] of entries.slice(i, i + BULK_BATCH)) applied.push(await performOne(ctx.services, input.op, taskId, version, input.results ?? {}, input.reason));
        if (i + BULK_BATCH < entries.length) await yieldToLoop();
      }
      const count = (kind: Applied['kind']) => applied.filter((a) => a.kind === kind).length;
      return {
        counts: { done: count('done'), skipped: count('skipped'), refused: count('refused') },
        reasons: countReasons(applied.filter((a) => a.kind !== 'done').map(reasonOf)),
        // What was not done first: that is what the user has to look at.
        outcomes: [...applied.filter((a) => a.kind !== 'done'), ...applied.filter((a) => a.kind === 'done')].slice(0, BULK_ROWS).map((a) => a.outcome),
      };
    }),
});
