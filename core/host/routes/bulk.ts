/**
 * Bulk operations over the protocol: `preview` plans each task (core/host/bulkPlan) and asks
 * core/ops to preview every request, so the confirmation shows, per task, what will change or
 * why it is left out; `perform` applies them with one reason, task by task, each starting from
 * the version its preview showed (later requests of one task chain on the version the previous
 * returned). One task's refusal (STALE, a state that changed) does not stop the others.
 */
import { z } from 'zod';
import { StepwiseError } from '../../model/errors.js';
import type { Json } from '../../model/runtime.js';
import { shortTaskId } from '../../model/taskId.js';
import type { Change, OpRequest } from '../../ops/types.js';
import { BULK_OPS, planBulk, type BulkOp } from '../bulkPlan.js';
import { requireControl } from '../control.js';
import type { HostServices } from '../services.js';
import { procedure, router } from '../trpc.js';

const MAX_TASKS = 500;

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

export interface BulkOutcome {
  taskId: string;
  shortId: string;
  ok: boolean;
  /** What was done, or why nothing was. */
  message: string;
  code: string | null;
}

const input = z.object({
  op: z.enum(BULK_OPS as [BulkOp, ...BulkOp[]]),
  taskIds: z.array(z.string().min(1).max(500)).min(1).max(MAX_TASKS),
  results: z.json().optional(),
});

async function previewOne(services: HostServices, op: BulkOp, taskId: string, results: Json | undefined): Promise<BulkItem> {
  const storage = services.storage;
  const task = await storage.getTask(taskId);
  const base = { taskId, shortId: shortTaskId(taskId), templateRef: task?.templateRef ?? '—', status: task?.status ?? 'missing' };
  if (!task) return { ...base, requests: [], changes: [], notes: [], version: null, skipped: 'the task no longer exists' };
  const plan = planBulk(op, task, task.kind === 'workflow' ? await storage.getSteps(task.id) : [], results ?? {});
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

export const bulkRouter = router({
  preview: procedure.input(input).query(async ({ ctx, input }): Promise<BulkItem[]> => {
    const items: BulkItem[] = [];
    for (const taskId of [...new Set(input.taskIds)]) items.push(await previewOne(ctx.services, input.op, taskId, input.results));
    return items;
  }),

  perform: procedure
    .input(input.extend({ expected: z.record(z.string(), z.number().int().min(0)), reason: z.string().trim().min(1).max(2000) }))
    .mutation(async ({ ctx, input }): Promise<BulkOutcome[]> => {
      const ops = requireControl(ctx.services).ops;
      const out: BulkOutcome[] = [];
      for (const taskId of [...new Set(input.taskIds)]) {
        const shortId = shortTaskId(taskId);
        const expected = input.expected[taskId];
        if (expected === undefined) {
          out.push({ taskId, shortId, ok: false, message: 'left out: it was not in the preview you confirmed', code: null });
          continue;
        }
        const task = await ctx.services.storage.getTask(taskId);
        const plan = task ? planBulk(input.op, task, task.kind === 'workflow' ? await ctx.services.storage.getSteps(taskId) : [], input.results ?? {}) : null;
        if (!task || !plan || plan.skipped !== null) {
          out.push({ taskId, shortId, ok: false, message: `nothing done: ${plan?.skipped ?? 'the task no longer exists'}`, code: null });
          continue;
        }
        let version = expected;
        const done: string[] = [];
        try {
          for (const request of plan.requests) {
            const result = await ops.apply(request, { expectedVersion: version, reason: input.reason });
            version = result.task.version;
            done.push('step' in request ? `${request.op} ${request.step}` : request.op);
          }
          out.push({ taskId, shortId, ok: true, message: done.join(', '), code: null });
        } catch (err) {
          if (!(err instanceof StepwiseError)) throw err;
          const prefix = done.length ? `${done.join(', ')} done, then ` : '';
          out.push({ taskId, shortId, ok: false, message: `${prefix}refused: ${err.message}`, code: err.code });
        }
      }
      return out;
    }),
});
