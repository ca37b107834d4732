/**
 * Operations and debugger commands over the protocol. Every operation has a `preview` query
 * (what it will change, at which task version) and an `apply` mutation that sends that version
 * and a reason; core/ops refuses a stale version with STALE and a state it does not accept with
 * INVALID_STATE, and those reach the client typed. `available` asks core/ops which operations a
 * step (or the task) accepts now, so the workbench can disable the others and say why.
 */
import { z } from 'zod';
import { StepwiseError } from '../../model/errors.js';
import type { JsonObject } from '../../model/runtime.js';
import type { OpName, OpRequest, OpResult } from '../../ops/index.js';
import { requireControl } from '../control.js';
import { toTaskSummary } from '../protocol.js';
import { procedure, router } from '../trpc.js';
import { opRequest, toOpRequest } from './opsSchema.js';

const id = z.string().min(1).max(500);

/** Whether an operation would be accepted now, and if not, core/ops's reason. */
export interface OpAvailability {
  op: OpName;
  allowed: boolean;
  /** The refusal's message (what is wrong and what would be accepted). */
  reason: string | null;
  code: string | null;
}

/** What the client needs of an applied operation (the full OpResult minus the raw change set). */
export type AppliedOp = Omit<OpResult, 'task'> & { task: ReturnType<typeof toTaskSummary> & { version: number } };

const STEP_OPS: OpName[] = ['retryStep', 'resetForRetry', 'markCompleted', 'updateResults', 'skipStep', 'rerunFromStep'];
const WORKFLOW_TASK_OPS: OpName[] = ['cancelTask', 'wakeNow'];
const FLOW_TASK_OPS: OpName[] = ['cancelTask', 'wakeNow', 'retryState'];

function probe(op: OpName, taskId: string, step: string | undefined): OpRequest | null {
  switch (op) {
    case 'retryStep':
    case 'resetForRetry':
    case 'skipStep':
    case 'rerunFromStep':
      return step ? { op, taskId, step } : null;
    case 'markCompleted':
    case 'updateResults':
      // The results do not decide whether the state allows the operation.
      return step ? { op, taskId, step, results: {} } : null;
    case 'cancelTask':
    case 'wakeNow':
    case 'retryState':
      return { op, taskId };
    default:
      return null;
  }
}

function applied(result: OpResult): AppliedOp {
  return { ...result, task: { ...toTaskSummary(result.task), version: result.task.version } };
}

export const opsRouter = router({
  preview: procedure.input(opRequest).query(({ ctx, input }) => requireControl(ctx.services).ops.preview(toOpRequest(input))),

  perform: procedure
    .input(z.object({ request: opRequest, expectedVersion: z.number().int().min(0), reason: z.string().trim().min(1).max(2000) }))
    .mutation(async ({ ctx, input }) => {
      const result = await requireControl(ctx.services).ops.apply(toOpRequest(input.request), { expectedVersion: input.expectedVersion, reason: input.reason });
      return applied(result);
    }),

  /** For each operation on this step (or on the task without `step`): would core/ops accept it now? */
  available: procedure.input(z.object({ taskId: id, step: id.optional() })).query(async ({ ctx, input }): Promise<OpAvailability[]> => {
    const control = requireControl(ctx.services);
    const task = await ctx.services.storage.getTask(input.taskId);
    if (!task) throw new StepwiseError('NOT_FOUND', `Task '${input.taskId}' was not found.`, { taskId: input.taskId });
    const names = input.step !== undefined && task.kind === 'workflow' ? STEP_OPS : task.kind === 'flow' ? FLOW_TASK_OPS : WORKFLOW_TASK_OPS;
    return Promise.all(
      names.map(async (op): Promise<OpAvailability> => {
        const req = probe(op, input.taskId, input.step);
        if (!req) return { op, allowed: false, reason: `${op} needs a step.`, code: 'USAGE' };
        try {
          await control.ops.preview(req);
          return { op, allowed: true, reason: null, code: null };
        } catch (err) {
          if (!(err instanceof StepwiseError)) throw err;
          return { op, allowed: false, reason: err.message, code: err.code };
        }
      }),
    );
  }),
});

export const debugRouter = router({
  /** Starts a task, optionally paused so the debugger steps it from the start. */
  start: procedure
    .input(z.object({ ref: id, input: z.record(z.string(), z.json()).default({}), debug: z.boolean().default(false) }))
    .mutation(async ({ ctx, input }) => toTaskSummary(await requireControl(ctx.services).start(input.ref, input.input as JsonObject, { debug: input.debug }))),

  pause: procedure.input(z.object({ taskId: id, reason: z.string().max(2000).optional() })).mutation(async ({ ctx, input }) =>
    applied(await requireControl(ctx.services).debugger.pause(input.taskId, input.reason || undefined)),
  ),

  continue: procedure.input(z.object({ taskId: id, reason: z.string().max(2000).optional() })).mutation(async ({ ctx, input }) =>
    applied(await requireControl(ctx.services).debugger.continue(input.taskId, input.reason || undefined)),
  ),

  setBreakpoints: procedure.input(z.object({ taskId: id, names: z.array(id).max(1000) })).mutation(async ({ ctx, input }) =>
    applied(await requireControl(ctx.services).debugger.setBreakpoints(input.taskId, [...new Set(input.names)])),
  ),

  skipWait: procedure.input(z.object({ taskId: id, step: id.optional() })).mutation(async ({ ctx, input }) =>
    applied(await requireControl(ctx.services).debugger.skipWait(input.taskId, input.step)),
  ),

  /** Runs exactly one step (the named one, or the next ready) of the task, pausing it first. */
  step: procedure.input(z.object({ taskId: id, step: id.optional() })).mutation(async ({ ctx, input }) => {
    const result = await requireControl(ctx.services).debugger.step(input.taskId, input.step);
    return { task: { ...toTaskSummary(result.task), version: result.task.version }, ran: result.ran, transitions: result.transitions };
  }),
});
