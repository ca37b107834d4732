/**
 * What `start` and the operations say about who runs a task they leave to the engines serving
 * the database, from what storage shows at that moment and nothing more: a step running under
 * a lease names the engine holding it, a flow running an action names its lease's owner; a task
 * nobody has claimed yet is queued, and the live engines are listed, since any of them may take
 * it (a reservation is only a hint, so it names nobody). Naming "the" engine from the freshest
 * heartbeat was wrong as soon as two runners served the database.
 */
import type { StepRecord, TaskRecord } from '../model/runtime.js';
import { isTaskFinished } from '../model/states.js';
import type { Storage, Heartbeat } from '../storage/storage.js';

/** An engine working on the task: a step it claimed, or a flow state whose action it runs. */
export interface Claim {
  owner: string;
  step?: string;
  state?: string;
}

/** Who holds the task's work right now (running steps' and a flow action's lease owners), in step order. */
export function claimsOf(task: TaskRecord, steps: readonly StepRecord[]): Claim[] {
  const claims: Claim[] = steps.filter((s) => s.state === 'running' && s.leaseOwner !== null).map((s) => ({ owner: s.leaseOwner!, step: s.name }));
  if (task.kind === 'flow' && task.leaseOwner !== null && !isTaskFinished(task.kind, task.status)) {
    claims.push({ owner: task.leaseOwner, ...(task.currentState !== null ? { state: task.currentState } : {}) });
  }
  return claims;
}

const named = (owner: string, alive: readonly Heartbeat[]): string => `${alive.find((h) => h.owner === owner)?.kind ?? 'engine'} ${owner}`;

/**
 * One line: who runs it, or that it is queued, naming the live engines (`alive`, at least one).
 * A task already finished says so (a fast engine may finish it before this is read).
 */
export function whoRunsIt(task: TaskRecord, claims: readonly Claim[], alive: readonly Heartbeat[]): string {
  if (isTaskFinished(task.kind, task.status)) return `already ${task.status}: \`stepwise show ${task.id}\` shows how it ran`;
  if (claims.length > 0) {
    const byOwner = new Map<string, Claim[]>();
    for (const c of claims) byOwner.set(c.owner, [...(byOwner.get(c.owner) ?? []), c]);
    return [...byOwner]
      .map(([owner, cs]) => {
        const steps = cs.filter((c) => c.step !== undefined).map((c) => c.step!);
        const flow = cs.find((c) => c.step === undefined);
        const what = [...(steps.length > 0 ? [`${steps.length === 1 ? 'step' : 'steps'} ${steps.join(', ')}`] : []), ...(flow ? [flow.state ? `state ${flow.state}` : 'its action'] : [])];
        return `${named(owner, alive)} runs ${what.join(' and ')}`;
      })
      .join('; ');
  }
  return `queued, not claimed yet; serving this database: ${alive.map((h) => named(h.owner, alive)).join(', ')}`;
}

/** whoRunsIt from storage: the task, its steps and the live engines as they are now. */
export async function describeRunner(storage: Storage, taskId: string, alive: readonly Heartbeat[]): Promise<string> {
  const task = await storage.getTask(taskId);
  if (!task) return `task ${taskId} is gone (deleted)`;
  const steps = task.kind === 'workflow' ? await storage.getSteps(taskId) : [];
  return whoRunsIt(task, claimsOf(task, steps), alive);
}
