/**
 * What the debugger's panels read: a step (or flow state) with everything the inspector shows,
 * a task's debugger controls (pause state, breakpoints, interactions), its history by pages for
 * the timeline, and the task as it was at a past transition (core/ops stateAt) for the scrubber.
 */
import { z } from 'zod';
import { NotFoundError } from '../../model/errors.js';
import type { AttemptRecord, Json, TaskRecord } from '../../model/runtime.js';
import { templateRef, type FlowTemplate } from '../../model/template.js';
import { blockingDependencies, downstreamImpact } from '../../insights/taskGraph.js';
import { stateAt } from '../../ops/index.js';
import { suggestResults, type ResultsSuggestion } from '../resultsHint.js';
import type { HostServices } from '../services.js';
import { procedure, router } from '../trpc.js';
import type { InteractionView, StepInspect, TaskControls, TimelineAttempt, TransitionPage } from './inspectTypes.js';

const id = z.string().min(1).max(500);

async function loadTask(services: HostServices, taskId: string): Promise<TaskRecord> {
  const task = await services.storage.getTask(taskId);
  if (!task) throw new NotFoundError('Task', taskId, 'It may have been deleted after it finished.');
  return task;
}

function flowTemplateOf(services: HostServices, task: TaskRecord): FlowTemplate | null {
  const t = services.workspace().templates.find((x) => templateRef(x) === task.templateRef);
  return t && t.kind === 'flow' ? t : null;
}

export function interactionsOf(template: FlowTemplate | null, currentState: string | null): InteractionView[] {
  return (template?.interactions ?? []).map((i) => ({
    name: i.name,
    when: i.when,
    description: i.description ?? null,
    paramsSchema: (i.params as Json | undefined) ?? null,
    enabled: i.when.length === 0 || (currentState !== null && i.when.includes(currentState)),
  }));
}

export function taskHeader(task: TaskRecord): StepInspect['task'] {
  return {
    id: task.id,
    kind: task.kind,
    templateRef: task.templateRef,
    status: task.status,
    version: task.version,
    currentState: task.currentState,
    input: task.input,
    data: task.data,
    debug: task.debug,
    wakeAt: task.wakeAt,
    timeoutAt: task.timeoutAt,
    error: task.error,
  };
}

export const inspectRouter = router({
  /** A workflow step or a flow state: state, attempts (with logs), history, inputs, graph context. */
  step: procedure.input(z.object({ taskId: id, name: id })).query(async ({ ctx, input }): Promise<StepInspect> => {
    const storage = ctx.services.storage;
    const task = await loadTask(ctx.services, input.taskId);
    if (task.kind === 'flow') {
      const [attempts, transitions] = await Promise.all([storage.listAttempts(task.id, input.name), storage.listTransitions(task.id, { stepName: null })]);
      const template = flowTemplateOf(ctx.services, task);
      return {
        task: taskHeader(task),
        step: null,
        attempts,
        transitions: transitions.filter((t) => t.field === 'state' ? t.from === input.name || t.to === input.name : t.details.state === input.name),
        dependencies: [],
        blocking: { direct: [], root: [] },
        downstream: [],
        interactions: interactionsOf(template, task.currentState).filter((i) => i.when.length === 0 || i.when.includes(input.name)),
      };
    }
    const steps = await storage.getSteps(task.id);
    const step = steps.find((s) => s.name === input.name);
    if (!step) throw new NotFoundError('Step', `${task.id}/${input.name}`, `Its steps: ${steps.map((s) => s.name).join(', ')}.`);
    const [attempts, transitions] = await Promise.all([storage.listAttempts(task.id, step.name), storage.listTransitions(task.id, { stepName: step.name })]);
    const byName = new Map(steps.map((s) => [s.name, s]));
    return {
      task: taskHeader(task),
      step,
      attempts,
      transitions,
      dependencies: step.dependsOn.map((name) => {
        const dep = byName.get(name);
        return { name, state: dep?.state ?? null, results: dep?.results ?? null };
      }),
      blocking: blockingDependencies(steps, step.name),
      downstream: downstreamImpact(steps, step.name),
      interactions: [],
    };
  }),

  /**
   * What to prefill when a step is marked complete by hand, and which keys of its results its
   * dependents read (core/host/resultsHint).
   */
  resultsSuggestion: procedure.input(z.object({ taskId: id, name: id })).query(async ({ ctx, input }): Promise<ResultsSuggestion> => {
    const task = await loadTask(ctx.services, input.taskId);
    const step = task.kind === 'workflow' ? await ctx.services.storage.getStep(task.id, input.name) : null;
    if (!step) throw new NotFoundError('Step', `${task.id}/${input.name}`, 'Only a workflow step has results to suggest.');
    return suggestResults(ctx.services.storage, ctx.services.workspace(), task, step);
  }),

  /** The task's debugger controls: version, pause state and why, breakpoints, interactions. */
  controls: procedure.input(z.object({ taskId: id })).query(async ({ ctx, input }): Promise<TaskControls> => {
    const task = await loadTask(ctx.services, input.taskId);
    const steps = task.kind === 'workflow' ? await ctx.services.storage.getSteps(task.id) : [];
    return {
      task: taskHeader(task),
      ready: steps.filter((s) => s.state === 'ready').map((s) => s.name),
      waiting: steps.filter((s) => s.state === 'waiting' || s.state === 'waiting_for_retry').map((s) => ({ name: s.name, state: s.state, until: s.retryAt ?? s.wakeAt })),
      interactions: interactionsOf(flowTemplateOf(ctx.services, task), task.currentState),
      now: ctx.services.clock.now(),
    };
  }),

  /** The task's transitions in seq order, a page at a time (the timeline reads them all this way). */
  transitions: procedure
    .input(z.object({ taskId: id, afterSeq: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(10_000).default(5_000) }))
    .query(async ({ ctx, input }): Promise<TransitionPage> => {
      await loadTask(ctx.services, input.taskId);
      const rows = await ctx.services.storage.listTransitions(input.taskId, { afterSeq: input.afterSeq, limit: input.limit + 1 });
      const more = rows.length > input.limit;
      const page = more ? rows.slice(0, input.limit) : rows;
      return { transitions: page, nextAfterSeq: more ? page[page.length - 1]!.seq : null };
    }),

  /** Every attempt of the task without its logs: the timeline's bars. */
  attempts: procedure.input(z.object({ taskId: id })).query(async ({ ctx, input }): Promise<TimelineAttempt[]> => {
    await loadTask(ctx.services, input.taskId);
    return (await ctx.services.storage.listAttempts(input.taskId)).map(({ logs: _logs, output: _output, ...a }: AttemptRecord) => ({ ...a, error: a.error ? { class: a.error.class, message: a.error.message } : null }));
  }),

  /** The task as it was just after transition `seq` (the scrubber's picture). */
  stateAt: procedure.input(z.object({ taskId: id, seq: z.number().int().min(0) })).query(({ ctx, input }) => stateAt(ctx.services.storage, input.taskId, input.seq)),
});
