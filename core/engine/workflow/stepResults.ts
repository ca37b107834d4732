/**
 * What the return value of a decision or batchable handler means. Pure: an invalid value is a
 * non-retryable failure that says what the handler should have returned.
 */
import { StepwiseError, toErrorInfo } from '../../model/errors.js';
import type { Json, JsonObject } from '../../model/runtime.js';
import type { HandlerFailure } from '../../executor/failure.js';

export type Interpreted<T> = { ok: true; value: T } | { ok: false; failure: HandlerFailure };

function fail<T>(err: StepwiseError): Interpreted<T> {
  return { ok: false, failure: { error: toErrorInfo(err), retryable: false } };
}

const isNameList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/**
 * A decision returns `{ proceed: name | names, ...results }`, a name, or a list of names. Every
 * name must be a direct dependent of the decision step.
 */
export function interpretDecision(
  step: string,
  value: Json,
  dependents: readonly string[],
): Interpreted<{ proceed: string[]; results: Json }> {
  let proceed: unknown;
  let results: Json;
  if (typeof value === 'string' || isNameList(value)) {
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
          `{ proceed: [...] }, a name or a list of names, from: ${dependents.join(', ') || '(none)'}.`,
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

/** A batchable step returns `{ batches: [...], ...results }` or a bare list of batches. */
export function interpretBatches(step: string, value: Json): Interpreted<{ batches: Json[]; results: Json }> {
  if (Array.isArray(value)) return { ok: true, value: { batches: value, results: { batches: value.length } } };
  if (value && typeof value === 'object' && Array.isArray((value as JsonObject).batches)) {
    const batches = (value as JsonObject).batches as Json[];
    return { ok: true, value: { batches, results: value } };
  }
  return fail(
    new StepwiseError(
      'HANDLER_ERROR',
      `Batchable step '${step}' returned ${JSON.stringify(value)}; it must return a list of batches or { batches: [...] } (an empty list is fine).`,
      { step },
    ),
  );
}
