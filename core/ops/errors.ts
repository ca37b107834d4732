/**
 * Refusals of the operations. Each names what it found and what it accepts, so the workbench can
 * show it as is and a script can branch on `code` and `details`.
 */
import { StaleError, StepwiseError } from '../model/errors.js';
import type { OpName } from './types.js';

/** The task or step is not in a state the operation accepts. Nothing was changed. */
export function invalidState(
  op: OpName | 'step',
  target: { kind: 'task' | 'step'; name: string },
  found: string,
  accepts: readonly string[],
  hint = '',
): StepwiseError {
  const what = target.kind === 'task' ? `task ${target.name}` : `step '${target.name}'`;
  return new StepwiseError(
    'INVALID_STATE',
    `${op}: ${what} is ${found}; ${op} accepts a ${target.kind} in: ${accepts.join(', ') || '(none)'}.${hint ? ' ' + hint : ''} Nothing was changed.`,
    { op, target: target.kind, name: target.name, found, accepts: [...accepts] },
  );
}

/** Resetting would undo steps that already ran downstream: the caller must ask for the cascade. */
export function cascadeRequired(op: OpName, step: string, ran: readonly string[]): StepwiseError {
  return new StepwiseError(
    'INVALID_STATE',
    `${op}: steps downstream of '${step}' already ran (${ran.join(', ')}); resetting '${step}' would leave their results stale. ` +
      `Pass cascade: true (--cascade) to reset them too. Nothing was changed.`,
    { op, target: 'step', name: step, found: 'dependents_ran', accepts: ['cascade'], dependents: [...ran] },
  );
}

export function staleVersion(op: OpName, taskId: string, expected: number, actual: number | null): StaleError {
  return new StaleError(
    `${op}: task ${taskId} changed since the preview (version ${expected}, now ${actual ?? 'gone'}). Nothing was changed; preview again and re-apply.`,
    { record: 'task', id: taskId, expectedVersion: expected, actualVersion: actual },
  );
}

export function wrongKind(op: OpName, taskId: string, kind: string, wants: 'workflow' | 'flow'): StepwiseError {
  return new StepwiseError('USAGE', `${op} applies to ${wants} tasks; task ${taskId} is a ${kind}.`, { op, taskId, kind });
}

export function unknownStep(op: OpName, taskId: string, step: string, known: readonly string[]): StepwiseError {
  return new StepwiseError('NOT_FOUND', `${op}: task ${taskId} has no step '${step}'. Its steps: ${known.join(', ')}.`, { op, taskId, step, known: [...known] });
}
