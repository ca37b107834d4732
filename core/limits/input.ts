/** Refusing a value that cannot be stored before anything is stored (task input, flow attributes, interaction params). */
import { StepwiseError } from '../model/errors.js';
import { jsonViolations } from './json.js';
import type { Limits } from './limits.js';

/**
 * Throws INPUT_INVALID naming every path that holds a number JSON cannot store or a `__proto__`
 * key, or the size over `limits[limit]`. `what` names the value ("The input of ns/name@1.0.0").
 */
export function assertStorable(value: unknown, what: string, limits: Limits, limit: 'inputBytes' | 'paramsBytes' | 'resultBytes', consequence = 'Nothing was stored'): void {
  const violations = jsonViolations(value, limits[limit], limit);
  if (violations.length === 0) return;
  const list = violations.map((v) => `${v.path || '(the value)'} ${v.message}`).join('; ');
  throw new StepwiseError('INPUT_INVALID', `${what} cannot be stored: ${list}. ${consequence}.`, {
    violations: violations as unknown as Record<string, unknown>[],
  });
}
