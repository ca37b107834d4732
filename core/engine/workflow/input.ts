/**
 * Task input validation against the template's `input_schema` (the one JSON Schema dialect of
 * core/model/jsonSchema.ts, every violation at once).
 * A bad input is refused before anything is stored.
 */
import { assertStorable, DEFAULT_LIMITS, type Limits } from '../../limits/index.js';
import { StepwiseError } from '../../model/errors.js';
import { compileSchema, schemaErrors, type SchemaError } from '../../model/jsonSchema.js';
import type { JsonObject } from '../../model/runtime.js';
import type { JsonSchema } from '../../model/template.js';

export type InputViolation = SchemaError;

/** A copy of `input` with schema defaults applied, or INPUT_INVALID listing every violation. */
export function validateInput(schema: JsonSchema | undefined, input: unknown, templateRef: string, limits: Limits = DEFAULT_LIMITS): JsonObject {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new StepwiseError('INPUT_INVALID', `The input of ${templateRef} must be a JSON object, got ${JSON.stringify(input)}. Nothing was stored.`, {
      templateRef,
      violations: [{ path: '', message: 'must be an object' }],
    });
  }
  assertStorable(input, `The input of ${templateRef}`, limits, 'inputBytes');
  const copy = structuredClone(input) as JsonObject;
  if (!schema) return copy;
  const compiled = compileSchema(schema);
  if (!compiled.ok) {
    throw new StepwiseError('TEMPLATE_INVALID', `The input_schema of ${templateRef} is not a valid JSON Schema: ${compiled.message}`, { templateRef });
  }
  const violations = schemaErrors(compiled.validate, copy);
  if (violations.length === 0) return copy;
  const list = violations.map((v) => `${v.path || '(input)'} ${v.message}`).join('; ');
  throw new StepwiseError(
    'INPUT_INVALID',
    `The input of ${templateRef} does not match its input_schema: ${list}. Nothing was stored; fix the input and try again.`,
    { templateRef, violations: violations as unknown as Record<string, unknown>[] },
  );
}
