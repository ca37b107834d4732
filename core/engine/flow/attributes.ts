/**
 * Attribute and interaction-param checking: JSON Schema `default`s are applied and the value is
 * validated (Ajv, every error at once) before anything is stored. On top of JSON Schema, a
 * `required` string property must not be blank (empty or whitespace only), like a presence
 * validation in Rails: `start(flow, { name: '' })` with `name` required is refused.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { StepwiseError } from '../../model/errors.js';
import type { JsonObject } from '../../model/runtime.js';
import type { JsonSchema } from '../../model/template.js';

export interface FieldProblem {
  /** JSON pointer of the failing field ('' for the whole value). */
  path: string;
  message: string;
}

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, coerceTypes: false });
addFormats(ajv);
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: JsonSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

function describe(e: ErrorObject): FieldProblem {
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { path: `${e.instancePath}/${missing}`, message: 'is required' };
  }
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return { path: `${e.instancePath}/${extra}`, message: 'is not an allowed field' };
  }
  return { path: e.instancePath, message: e.message ?? e.keyword };
}

/** Required string fields that are blank, walking nested object schemas. */
function blankRequired(schema: JsonSchema, value: unknown, path: string, out: FieldProblem[]): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return;
  const obj = value as Record<string, unknown>;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  for (const key of required) {
    const v = obj[key];
    if (typeof v === 'string' && v.trim() === '') out.push({ path: `${path}/${key}`, message: 'must not be blank' });
  }
  const props = schema.properties as Record<string, JsonSchema> | undefined;
  if (props && typeof props === 'object') {
    for (const [key, sub] of Object.entries(props)) {
      if (sub && typeof sub === 'object') blankRequired(sub, obj[key], `${path}/${key}`, out);
    }
  }
}

/** Problems of `value` against `schema` after applying defaults in place; [] when valid. */
export function checkAgainstSchema(schema: JsonSchema, value: JsonObject): FieldProblem[] {
  const validate = validatorFor(schema);
  const problems: FieldProblem[] = [];
  if (!validate(value)) problems.push(...(validate.errors ?? []).map(describe));
  blankRequired(schema, value, '', problems);
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path} ${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A copy of `value` with the schema's defaults applied, or an INPUT_INVALID error listing every
 * failing field. `what` names the value in the message ("attributes of accounts/onboarding@1.0.0").
 */
export function applyDefaultsAndValidate(
  schema: JsonSchema | undefined,
  value: unknown,
  what: string,
  consequence = 'Nothing was stored',
): JsonObject {
  if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw new StepwiseError('INPUT_INVALID', `${what} must be a JSON object, got ${JSON.stringify(value)}. ${consequence}.`, {
      violations: [{ path: '', message: 'must be an object' }],
    });
  }
  const copy = structuredClone((value ?? {}) as JsonObject);
  if (!schema) return copy;
  const problems = checkAgainstSchema(schema, copy);
  if (problems.length > 0) {
    const list = problems.map((p) => `${p.path || '(root)'} ${p.message}`).join('; ');
    throw new StepwiseError('INPUT_INVALID', `${what} are invalid: ${list}. ${consequence}; fix these fields and try again.`, {
      violations: problems,
    });
  }
  return copy;
}
