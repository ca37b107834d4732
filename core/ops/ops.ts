/**
 * The operations shell: loads a snapshot of the task, runs the pure planner (preview and apply
 * share it, so they cannot disagree), and on apply refuses a stale version, commits the plan as
 * ONE ChangeSet with actor `user`, the caller's reason and an `op.applied` event, publishes the
 * events and does the follow-ups (abort cancelled handlers, cancel sub-tasks, wake the loop).
 * The workbench host, the CLI and users' scripts call this and nothing else to change a task.
 */
import { NotFoundError, StepwiseError } from '../model/errors.js';
import type { NewEvent, StepwiseEvent } from '../model/events.js';
import type { AttemptRecord, TaskRecord, TransitionRecord } from '../model/runtime.js';
import type { FlowTemplate, WorkflowTemplate } from '../model/template.js';
import type { Engine } from '../engine/engine.js';
import { applyDefaultsAndValidate } from '../engine/flow/attributes.js';
import { assertStorable } from '../limits/index.js';
import { commitSetOf } from './changes.js';
import { staleVersion, wrongKind } from './errors.js';
import { planFlowOp, type FlowRequest } from './flowPlan.js';
import { planWorkflowOp, type WorkflowRequest } from './workflowPlan.js';
import type { ApplyOptions, OpRequest, OpResult, Plan, Preview } from './types.js';

export interface Ops {
  /** What `req` would change now, without writing anything. Throws the refusal apply would. */
  preview(req: OpRequest): Promise<Preview>;
  /** Apply `req` if the task is still at `expectedVersion`; refused with STALE otherwise. */
  apply(req: OpRequest, options: ApplyOptions): Promise<OpResult>;
}

const WORKFLOW_ONLY = new Set(['retryStep', 'resetForRetry', 'markPending', 'updateResults', 'resolveManually', 'markCompleted', 'skipStep', 'rerunFromStep']);
const FLOW_ONLY = new Set(['fireInteraction', 'retryState', 'goTo', 'updateData']);

export function createOps(engine: Engine): Ops {
  const { storage, clock, templates, limits } = engine.context;

  async function loadTask(taskId: string): Promise<TaskRecord> {
    const task = await storage.getTask(taskId);
    if (!task) throw new NotFoundError('Task', taskId, 'List tasks with `stepwise tasks`.');
    return task;
  }

  async function plan(req: OpRequest, task: TaskRecord): Promise<Plan> {
    if (task.kind === 'workflow' && FLOW_ONLY.has(req.op)) throw wrongKind(req.op, task.id, task.kind, 'flow');
    if (task.kind === 'flow' && WORKFLOW_ONLY.has(req.op)) throw wrongKind(req.op, task.id, task.kind, 'workflow');
    const template = templates.resolve(task.templateRef);
    const now = clock.now();
    if ('results' in req) assertStorable(req.results, `The results given for step '${req.step}'`, limits, 'resultBytes', 'Nothing was changed');
    if (req.op === 'updateData') assertStorable(req.data, `The data given for task ${task.id}`, limits, 'inputBytes', 'Nothing was changed');
    if (task.kind === 'flow') {
      if (req.op === 'fireInteraction') return interactionPlan(task, template as FlowTemplate, req);
      return planFlowOp({ task, template: template as FlowTemplate, now }, req as FlowRequest);
    }
    const steps = await storage.getSteps(task.id);
    const openAttempts = new Map<string, AttemptRecord>();
    if (req.op === 'cancelTask') for (const a of await storage.listAttempts(task.id)) if (a.outcome === null) openAttempts.set(a.stepName, a);
    return planWorkflowOp({ task, steps, template: template as WorkflowTemplate, now, openAttempts }, req as WorkflowRequest);
  }

  /** An interaction runs a handler: the preview can name the call, not the data it will write. */
  function interactionPlan(task: TaskRecord, template: FlowTemplate, req: Extract<OpRequest, { op: 'fireInteraction' }>): Plan {
    engine.flows.checkInteraction(task, req.name);
    const def = template.interactions.find((i) => i.name === req.name)!;
    applyDefaultsAndValidate(def.params, req.params ?? {}, `The params of interaction ${req.name}`, 'Nothing was changed', { limits, name: 'paramsBytes' });
    return {
      op: 'fireInteraction',
      taskId: task.id,
      version: task.version,
      changes: [{ kind: 'task', name: task.id, field: 'interaction', from: task.currentState, to: req.name }],
      notes: [`${req.name}'s handler decides the data change; the flow then re-checks ${task.currentState}.`],
      changeSet: {},
      followups: { abort: [], cancelChildren: [] },
      stepName: null,
    };
  }

  const previewOf = ({ changeSet: _c, followups: _f, stepName: _s, ...preview }: Plan): Preview => preview;

  async function transitionsBetween(taskId: string, afterSeq: number, uptoSeq?: number): Promise<TransitionRecord[]> {
    return storage.listTransitions(taskId, uptoSeq === undefined ? { afterSeq } : { afterSeq, uptoSeq });
  }

  async function applyInteraction(req: Extract<OpRequest, { op: 'fireInteraction' }>, p: Plan, reason: string): Promise<OpResult> {
    const before = await storage.lastTransitionSeq(req.taskId);
    const eventsBefore = await storage.lastEventSeq();
    const applied: NewEvent = { type: 'op.applied', taskId: req.taskId, stepName: null, at: clock.now(), payload: { op: req.op, reason, changes: p.changes as never } };
    // The flow driver runs and commits the interaction (its own transition and event, actor user)
    // with `op.applied` in the same commit, so a crash cannot keep one without the other; it also
    // publishes them. Waking the flow is left to whoever drives it (a live engine, or the CLI).
    await engine.flows.fireInteraction(req.taskId, req.name, req.params ?? {}, { actor: 'user', wake: false, extraEvents: [applied] });
    engine.notify();
    const stored = await storage.readEvents(eventsBefore, undefined, { taskId: req.taskId });
    const ours = (e: StepwiseEvent) => e.type === 'op.applied' && e.at === applied.at && e.payload.op === req.op && e.payload.reason === reason;
    const events = stored.filter(ours).slice(0, 1);
    const task = await loadTask(req.taskId);
    return { ...previewOf(p), version: task.version, task, transitions: await transitionsBetween(req.taskId, before), events };
  }

  const self: Ops = {
    async preview(req) {
      return previewOf(await plan(req, await loadTask(req.taskId)));
    },

    async apply(req, options) {
      if (typeof options?.reason !== 'string' || options.reason.trim() === '') {
        throw new StepwiseError('USAGE', `${req.op}: a reason is required (it is kept in the transitions).`, { op: req.op });
      }
      const task = await loadTask(req.taskId);
      if (task.version !== options.expectedVersion) throw staleVersion(req.op, task.id, options.expectedVersion, task.version);
      const p = await plan(req, task);
      if (req.op === 'fireInteraction') return applyInteraction(req, p, options.reason);
      const changes = commitSetOf(p, task, options.reason, clock.now());
      let committed;
      try {
        committed = await engine.commit(changes);
      } catch (err) {
        // Storage detected the race (another operation or the engine committed first): refuse, never merge.
        if ((err as { code?: unknown }).code === 'STALE') {
          const now = await storage.getTask(task.id);
          throw staleVersion(req.op, task.id, options.expectedVersion, now?.version ?? null);
        }
        throw err;
      }
      if (p.followups.abort.length) engine.abortSteps(task.id, p.followups.abort, `Task ${task.id} was cancelled: ${options.reason}`);
      for (const child of p.followups.cancelChildren) await cancelChild(child, task.id, options.reason);
      engine.notify();
      const seqs = committed.transitionSeqs;
      const after = await loadTask(task.id);
      const transitions = seqs.length ? await transitionsBetween(task.id, seqs[0]! - 1, seqs[seqs.length - 1]) : [];
      return { ...previewOf(p), task: after, version: after.version, transitions, events: committed.events };
    },
  };
  return self;

  /** A sub-task of a cancelled task is cancelled too (best effort: it may have finished meanwhile). */
  async function cancelChild(childId: string, parentId: string, reason: string): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const child = await storage.getTask(childId);
      if (!child) return;
      try {
        await self.apply({ op: 'cancelTask', taskId: childId }, { expectedVersion: child.version, reason: `parent task ${parentId} was cancelled: ${reason}` });
        return;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code === 'INVALID_STATE') return;
        if (code !== 'STALE') throw err;
      }
    }
  }
}
