/**
 * Attribute and interaction-param checking: JSON Schema `default`s are applied and the value is
 * validated (the one JSON Schema dialect of core/model/jsonSchema.ts, every error at once) before
 * anything is stored. On top of JSON Schema, a
 * `required` string property must not be blank (empty or whitespace only), like a presence
 * validation in Rails: `start(flow, { name: '' })` with `name` required is refused.
 */
import { assertStorable, DEFAULT_LIMITS, type Limits } from '../../limits/index.js';
import { StepwiseError } from '../../model/errors.js';
import { copyPlain } from '../../model/jsonCopy.js';
import { compileSchema, schemaErrors, type SchemaError } from '../../model/jsonSchema.js';
import type { JsonObject } from '../../model/runtime.js';
import type { JsonSchema } from '../../model/template.js';

export type FieldProblem = SchemaError;

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
  const compiled = compileSchema(schema);
  if (!compiled.ok) {
    throw new StepwiseError('TEMPLATE_INVALID', `The schema is not a valid JSON Schema: ${compiled.message}. Fix the template.`, { schemaPath: compiled.path ?? '' });
  }
  const problems: FieldProblem[] = schemaErrors(compiled.validate, value);
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
  limit: { limits: Limits; name: 'inputBytes' | 'paramsBytes' } = { limits: DEFAULT_LIMITS, name: 'inputBytes' },
): JsonObject {
  if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw new StepwiseError('INPUT_INVALID', `${what} must be a JSON object, got ${JSON.stringify(value)}. ${consequence}.`, {
      violations: [{ path: '', message: 'must be an object' }],
    });
  }
  assertStorable(value ?? {}, what, limit.limits, limit.name, consequence);
  // JSON-shaped almost always: a plain walk (structuredClone only for anything else).
  const copy = copyPlain((value ?? {}) as JsonObject);
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
