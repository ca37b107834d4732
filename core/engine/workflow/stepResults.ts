/**
 * What the return value of a decision or batchable handler means. Pure: an invalid value is a
 * non-retryable failure that says what the handler should have returned.
 */
import { StepwiseError, toErrorInfo } from '../../model/errors.js';
import type { Json, JsonObject } from '../../model/runtime.js';
import type { HandlerFailure } from '../../executor/failure.js';
import { taskerBatches, taskerDecision, type CursorConfig } from './taskerOutcomes.js';

export type Interpreted<T> = { ok: true; value: T } | { ok: false; failure: HandlerFailure };

function fail<T>(err: StepwiseError): Interpreted<T> {
  return { ok: false, failure: { error: toErrorInfo(err), retryable: false } };
}

const isNameList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * A decision returns `{ proceed: name | names, ...results }`, a name, a list of names, or
 * tasker-core's `{ decision_point_outcome: { type: 'create_steps', step_names } | { type:
 * 'no_branches' } }`. Every name must be a direct dependent of the decision step.
 */
export function interpretDecision(
  step: string,
  value: Json,
  dependents: readonly string[],
): Interpreted<{ proceed: string[]; results: Json }> {
  let proceed: unknown;
  let results: Json;
  const tasker = taskerDecision(value);
  if (tasker && !tasker.ok) {
    return fail(new StepwiseError('NO_DECISION', `Decision step '${step}' returned a malformed tasker-core outcome: ${tasker.message}.`, { step, allowed: [...dependents] }));
  }
  if (tasker) {
    proceed = tasker.value;
    results = value;
  } else if (typeof value === 'string' || isNameList(value)) {
    proceed = value;
    results = { proceed: typeof value === 'string' ? [value] : value };
  } else if (value && typeof value === 'object' && !Array.isArray(value) && 'proceed' in value) {
    proceed = (value as JsonObject).proceed;
    results = value;
  } else {
    return fail(
      new StepwiseError(
        'NO_DECISION',
        `Decision step '${step}' returned ${JSON.stringify(value)}; it must return the dependents that proceed: ` +
          `{ proceed: [...] }, a name, a list of names, or { decision_point_outcome: { type: 'create_steps', step_names: [...] } }, from: ${dependents.join(', ') || '(none)'}.`,
        { step, allowed: [...dependents] },
      ),
    );
  }
  const names = typeof proceed === 'string' ? [proceed] : proceed;
  if (!isNameList(names)) {
    return fail(new StepwiseError('NO_DECISION', `Decision step '${step}' returned proceed: ${JSON.stringify(proceed)}; it must be a name or a list of names.`, { step, allowed: [...dependents] }));
  }
  const unknown = names.filter((n) => !dependents.includes(n));
  if (unknown.length > 0) {
    return fail(
      new StepwiseError(
        'UNDECLARED_TARGET',
        `Decision step '${step}' chose ${unknown.map((n) => `'${n}'`).join(', ')}, which ${unknown.length === 1 ? 'is not a dependent' : 'are not dependents'} of it. ` +
          `It may choose among: ${dependents.join(', ') || '(none)'}. Fix the handler or add the dependency in the template.`,
        { step, chosen: unknown, allowed: [...dependents] },
      ),
    );
  }
  return { ok: true, value: { proceed: [...new Set(names)], results } };
}

/**
 * What a batchable step asked for: Stepwise's batches (one worker per batch, from every
 * batch_worker dependent), or tasker-core's cursor ranges (workers named `{template}_{batch_id}`
 * from the one worker template the outcome names; `no_batches`: one no-op placeholder).
 */
export type BatchRequest =
  | { kind: 'stepwise'; batches: Json[]; results: Json }
  | { kind: 'tasker'; workerTemplate: string | null; cursors: CursorConfig[]; results: Json };

/**
 * A batchable step returns `{ batches: [...], ...results }`, a bare list of batches, or
 * tasker-core's `{ batch_processing_outcome: ... }` (./taskerOutcomes.ts).
 */
export function interpretBatches(step: string, value: Json): Interpreted<BatchRequest> {
  const tasker = taskerBatches(value);
  if (tasker && !tasker.ok) {
    return fail(new StepwiseError('HANDLER_ERROR', `Batchable step '${step}' returned a malformed tasker-core outcome: ${tasker.message}.`, { step }));
  }
  if (tasker) return { ok: true, value: { kind: 'tasker', ...tasker.value, results: value } };
  if (Array.isArray(value)) return { ok: true, value: { kind: 'stepwise', batches: value, results: { batches: value.length } } };
  if (value && typeof value === 'object' && Array.isArray((value as JsonObject).batches)) {
    const batches = (value as JsonObject).batches as Json[];
    return { ok: true, value: { kind: 'stepwise', batches, results: value } };
  }
  return fail(
    new StepwiseError(
      'HANDLER_ERROR',
      `Batchable step '${step}' returned ${JSON.stringify(value)}; it must return a list of batches, { batches: [...] } (an empty list is fine) ` +
        `or tasker-core's { batch_processing_outcome: { type: 'create_batches', ... } | { type: 'no_batches' } }.`,
      { step },
    ),
  );
}
