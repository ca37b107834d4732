/**
 * The errors a flow fails with or an interaction is refused with. Each has a stable `code`
 * (core/model/errors.ts) and a message that names the state and what would have been accepted.
 */
import { StepwiseError } from '../../model/errors.js';
import { templateRef, type FlowTemplate } from '../../model/template.js';

/** An action went to a state it does not declare, or declares no target at all. */
export function undeclaredTarget(state: string, allowed: readonly string[], returned: unknown): StepwiseError {
  const targets = allowed.length ? allowed.join(', ') : '(none)';
  let why: string;
  if (allowed.length === 0) why = `action '${state}' declares no go_to target`;
  else if (returned === undefined || returned === null) {
    why = `action '${state}' declares several targets, so its handler must return one of them, but it returned ${String(returned)}`;
  } else why = `action '${state}' tried to go to '${String(returned)}', which it does not declare`;
  return new StepwiseError(
    'UNDECLARED_TARGET',
    `UNDECLARED_TARGET: ${why}. Allowed targets: ${targets}. Declare the target in go_to or return one of the allowed names.`,
    { state, allowed: [...allowed], returned: returned === undefined ? null : String(returned) },
  );
}

/** An ordered decision where no condition matched, or a boolean decision missing the branch taken. */
export function noDecision(state: string, detail?: string): StepwiseError {
  const tail = detail ? ` (${detail})` : '';
  return new StepwiseError(
    'NO_DECISION',
    `NO_DECISION: no condition matched ${state}${tail}. Add a branch for this case (e.g. a final condition that is always true).`,
    { state },
  );
}

/** An interaction called in a state that does not accept it. Nothing was changed. */
export function interactionRefused(name: string, state: string, accepted: readonly string[], status: string): StepwiseError {
  const where = accepted.length ? `It is accepted in: ${accepted.join(', ')}.` : 'It is accepted in any state of an unfinished flow.';
  const what = ['complete', 'error', 'cancelled'].includes(status) ? `${state} (the flow is ${status})` : state;
  return new StepwiseError(
    'INVALID_STATE',
    `INVALID_STATE: ${name} cannot be called in ${what}. ${where} Nothing was changed.`,
    { interaction: name, state, status, accepted: [...accepted] },
  );
}

export function unknownInteraction(flow: string, name: string, known: readonly string[]): StepwiseError {
  return new StepwiseError(
    'NOT_FOUND',
    `Flow ${flow} has no interaction '${name}'. Its interactions: ${known.length ? known.join(', ') : '(none)'}.`,
    { interaction: name, known: [...known] },
  );
}

export function flowTimedOut(state: string, timeoutAt: number, now: number): StepwiseError {
  return new StepwiseError(
    'TIMEOUT',
    `TIMEOUT: the flow timed out in state ${state} at ${new Date(timeoutAt).toISOString()} (checked at ${new Date(now).toISOString()}) and declares no on_timeout. Declare on_timeout (a state or a handler) to handle it.`,
    { state, timeoutAt, now },
  );
}

export function handlerNotFound(name: string, state: string): StepwiseError {
  return new StepwiseError(
    'HANDLER_NOT_FOUND',
    `Handler '${name}' used by ${state} is not registered. Export it from a module in handlers/ or define it inline.`,
    { handler: name, state },
  );
}

export function unknownState(template: FlowTemplate, state: string): StepwiseError {
  const known = template.states.map((s) => s.name);
  return new StepwiseError('INVALID_STATE', `Flow ${templateRef(template)} has no state '${state}'. Its states: ${known.join(', ')}.`, { state, known });
}

export function notAFlow(ref: string): StepwiseError {
  return new StepwiseError('USAGE', `Template ${ref} is a workflow, not a flow: use the workflow engine to start it.`, { template: ref });
}
