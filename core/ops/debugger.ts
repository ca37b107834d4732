/**
 * Debugger control of one task: pause, continue, breakpoints and skipWait are operations (planned,
 * recorded with actor `user`, persisted in `task.debug` so they survive a restart); `step` runs
 * exactly one ready step (or one flow transition) of a paused task and reports the transitions
 * it caused. While a task is paused the engine runs nothing of it; signals, interactions and
 * operations are still accepted (and show up in what the next step runs).
 */
import { StepwiseError } from '../model/errors.js';
import type { StepRecord, TaskRecord, TransitionRecord } from '../model/runtime.js';
import { isTaskFinished } from '../model/states.js';
import type { Engine } from '../engine/engine.js';
import { invalidState } from './errors.js';
import { topologicalOrder } from './graph.js';
import type { Ops } from './ops.js';
import type { OpRequest, OpResult } from './types.js';

export interface StepResult {
  task: TaskRecord;
  /** The step that ran (workflows), or the state that ran (flows). */
  ran: string | null;
  transitions: TransitionRecord[];
}

/** What the next debugger step would run, without running it. */
export interface NextStep {
  taskId: string;
  version: number;
  /** The step (workflows) or state (flows) the next step runs; null when nothing can run. */
  next: string | null;
  /** Workflows: the next step is a due retry or wait that the step first makes ready / ends. */
  due: boolean;
  /** Workflows: every ready step, in topological order. */
  ready: string[];
  paused: boolean;
}

export interface Debugger {
  /** What `step` would run now: signals, interactions and operations made while paused show up here. */
  nextStep(taskId: string): Promise<NextStep>;
  pause(taskId: string, reason?: string): Promise<OpResult>;
  continue(taskId: string, reason?: string): Promise<OpResult>;
  /** Replaces the task's breakpoints (step names, or flow states). */
  setBreakpoints(taskId: string, names: string[], reason?: string): Promise<OpResult>;
  /** A retry backoff or a wait's time (workflows), or the flow's wake time (`'timeout'`: its timeout) becomes due now. */
  skipWait(taskId: string, stepName?: string, reason?: string): Promise<OpResult>;
  /** Pauses the task if needed, runs one step (the named one or the first ready) or one flow transition. */
  step(taskId: string, stepName?: string): Promise<StepResult>;
}

const STALE_RETRIES = 3;

export function createDebugger(engine: Engine, ops: Ops): Debugger {
  const { storage, clock } = engine.context;

  /** Debugger commands act on the task as it is now: a version race just re-reads and re-plans. */
  async function now(req: OpRequest, reason: string): Promise<OpResult> {
    for (let i = 0; ; i++) {
      const task = await storage.getTask(req.taskId);
      try {
        return await ops.apply(req, { expectedVersion: task?.version ?? -1, reason });
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'STALE' || !task || i >= STALE_RETRIES) throw err;
      }
    }
  }

  /** The ready steps in topological order, and the first one (or the first due retry/wait). */
  async function candidates(task: TaskRecord) {
    const steps = await storage.getSteps(task.id);
    const byName = new Map(steps.map((s) => [s.name, s]));
    const order = topologicalOrder(steps);
    const ready = order.filter((n) => byName.get(n)!.state === 'ready');
    const due = (s: StepRecord) =>
      (s.state === 'waiting_for_retry' && (s.retryAt ?? 0) <= clock.now()) || (s.state === 'waiting' && s.type === 'wait' && s.wakeAt !== null && s.wakeAt <= clock.now());
    const firstDue = order.find((n) => due(byName.get(n)!));
    return { steps, byName, order, ready, due, next: ready[0] ?? firstDue };
  }

  /** Which workflow step a debugger step runs; promotes a due retry first (that is part of the step). */
  async function chooseStep(task: TaskRecord, stepName: string | undefined): Promise<string> {
    const { steps, byName, order, ready, due, next } = await candidates(task);
    const pick = stepName ?? next;
    if (pick === undefined) {
      const waiting = steps.filter((s) => s.state === 'waiting' || s.state === 'waiting_for_retry').map((s) => `${s.name} (${s.state})`);
      throw invalidState('step', { kind: 'task', name: task.id }, `${task.status} with no ready step${waiting.length ? `; waiting: ${waiting.join(', ')}` : ''}`, ['a task with a ready step'], waiting.length ? 'skipWait makes a wait due now.' : '');
    }
    const s = byName.get(pick);
    if (!s) throw new StepwiseError('NOT_FOUND', `step: task ${task.id} has no step '${pick}'. Its steps: ${order.join(', ')}.`, { step: pick });
    if (s.state !== 'ready') {
      if (!due(s)) throw invalidState('step', { kind: 'step', name: pick }, s.state, ['ready', 'waiting_for_retry or waiting (when due)'], ready.length ? `Ready now: ${ready.join(', ')}.` : '');
      await now({ op: 'skipWait', taskId: task.id, step: pick }, 'debugger step');
    }
    return pick;
  }

  return {
    async nextStep(taskId) {
      const task = await storage.getTask(taskId);
      if (!task) throw new StepwiseError('NOT_FOUND', `Task '${taskId}' was not found. List tasks with \`stepwise tasks\`.`, { taskId });
      const base = { taskId, version: task.version, paused: task.debug.paused };
      if (isTaskFinished(task.kind, task.status)) return { ...base, next: null, due: false, ready: [] };
      if (task.kind === 'flow') return { ...base, next: task.currentState, due: false, ready: [] };
      const c = await candidates(task);
      return { ...base, next: c.next ?? null, due: c.ready.length === 0 && c.next !== undefined, ready: c.ready };
    },
    pause: (taskId, reason = 'paused by user') => now({ op: 'pause', taskId }, reason),
    continue: async (taskId, reason = 'continued by user') => now({ op: 'continue', taskId }, reason),
    setBreakpoints: (taskId, names, reason = 'breakpoints set by user') => now({ op: 'setBreakpoints', taskId, names }, reason),
    skipWait: (taskId, stepName, reason = 'wait skipped by user') => now(stepName === undefined ? { op: 'skipWait', taskId } : { op: 'skipWait', taskId, step: stepName }, reason),

    async step(taskId, stepName) {
      let task = await storage.getTask(taskId);
      if (!task) throw new StepwiseError('NOT_FOUND', `Task '${taskId}' was not found. List tasks with \`stepwise tasks\`.`, { taskId });
      if (isTaskFinished(task.kind, task.status)) {
        throw invalidState('step', { kind: 'task', name: taskId }, task.status, ['pending', 'running', 'paused', 'waiting'], 'A finished task has nothing left to step.');
      }
      if (!task.debug.paused) task = (await now({ op: 'pause', taskId }, 'paused for a debugger step')).task;
      const before = await storage.lastTransitionSeq(taskId);
      let ran: string | null;
      if (task.kind === 'flow') {
        ran = task.currentState;
        if (stepName !== undefined && stepName !== task.currentState) {
          throw invalidState('step', { kind: 'task', name: taskId }, `in state ${task.currentState}`, [stepName], 'A flow steps its current state; goTo moves it elsewhere.');
        }
        await engine.flows.runOnce(taskId, { actor: 'user' });
      } else {
        ran = await chooseStep(task, stepName);
        const fresh = await storage.getStep(taskId, ran);
        if (fresh?.state === 'ready') await engine.runStep(taskId, ran);
      }
      let after = (await storage.getTask(taskId))!;
      // Still held after the step for the same reason as before it (not a breakpoint it reached):
      // record `step`, so the bar reads "paused after a step", not how the pause began.
      const held = after.status === 'paused' && after.debug.pauseReason === task.debug.pauseReason && after.debug.pauseReason !== 'step';
      if (held) after = (await now({ op: 'pause', taskId, reason: 'step' }, 'debugger step')).task;
      return { task: after, ran, transitions: await storage.listTransitions(taskId, { afterSeq: before }) };
    },
  };
}
