/**
 * Task input validation against the template's `input_schema` (Ajv 8, every violation at once).
 * A bad input is refused before anything is stored.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { StepwiseError } from '../model/errors.js';
import type { JsonObject } from '../model/runtime.js';
import type { JsonSchema } from '../model/template.js';

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
addFormats(ajv);
const compiled = new WeakMap<object, ValidateFunction>();

export interface InputViolation {
  /** JSON pointer of the field ('' for the whole input). */
  path: string;
  message: string;
}

function violation(e: ErrorObject): InputViolation {
  if (e.keyword === 'required') {
    return { path: `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}`, message: 'is required' };
  }
  if (e.keyword === 'additionalProperties') {
    return { path: `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`, message: 'is not allowed' };
  }
  return { path: e.instancePath, message: e.message ?? e.keyword };
}

/** A copy of `input` with schema defaults applied, or INPUT_INVALID listing every violation. */
export function validateInput(schema: JsonSchema | undefined, input: unknown, templateRef: string): JsonObject {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new StepwiseError('INPUT_INVALID', `The input of ${templateRef} must be a JSON object, got ${JSON.stringify(input)}. Nothing was stored.`, {
      templateRef,
      violations: [{ path: '', message: 'must be an object' }],
    });
  }
  const copy = structuredClone(input) as JsonObject;
  if (!schema) return copy;
  let validate = compiled.get(schema);
  if (!validate) {
    try {
      validate = ajv.compile(schema);
    } catch (err) {
      throw new StepwiseError('TEMPLATE_INVALID', `The input_schema of ${templateRef} is not a valid JSON Schema: ${(err as Error).message}`, { templateRef });
    }
    compiled.set(schema, validate);
  }
  if (validate(copy)) return copy;
  const violations = (validate.errors ?? []).map(violation);
  const list = violations.map((v) => `${v.path || '(input)'} ${v.message}`).join('; ');
  throw new StepwiseError(
    'INPUT_INVALID',
    `The input of ${templateRef} does not match its input_schema: ${list}. Nothing was stored; fix the input and try again.`,
    { templateRef, violations: violations as unknown as Record<string, unknown>[] },
  );
}
