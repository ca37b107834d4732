/**
 * An attempt's outcome within the limits, as the engine records it: a result over
 * `resultBytes` (or holding a number JSON cannot store) fails the attempt without retries,
 * saying how large it was; a failure's message, stack and details are cut to their limits.
 */
import { StepwiseError, toErrorInfo } from '../model/errors.js';
import type { JobOutcome } from '../executor/types.js';
import { encodedJson } from '../executor/failure.js';
import { boundError } from './failure.js';
import { jsonViolations } from './json.js';
import type { Limits } from './limits.js';

export function boundOutcome(outcome: JobOutcome, limits: Limits, what: string): JobOutcome {
  switch (outcome.kind) {
    case 'success': {
      const violations = jsonViolations(outcome.value, limits.resultBytes, 'resultBytes', encodedJson(outcome.value));
      if (violations.length === 0) return outcome;
      const list = violations.map((v) => `${v.path || '(the value)'} ${v.message}`).join('; ');
      const err = new StepwiseError('RESULT_TOO_LARGE', `${what} returned a value that cannot be stored: ${list}. Store large data elsewhere and return a reference to it.`, {
        violations: violations as unknown as Record<string, unknown>[],
      });
      return { kind: 'failure', failure: { error: toErrorInfo(err), retryable: false } };
    }
    case 'failure': {
      const error = boundError(outcome.failure.error, limits);
      return error === outcome.failure.error ? outcome : { kind: 'failure', failure: { ...outcome.failure, error } };
    }
    case 'aborted':
      return outcome;
  }
}
