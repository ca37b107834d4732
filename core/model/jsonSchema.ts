/**
 * The one JSON Schema dialect of Stepwise: draft 2020-12 (what zod's `toJSONSchema` emits), with
 * the ajv-formats formats. One Ajv instance validates task input, flow attributes and interaction
 * params and checks the schemas of templates; the workbench's forms use the same dialect and
 * options (renderer/lib/formValidator.ts). `strict: false` so schemas written for other tools
 * (extra keywords) still load. Browser-safe: the renderer imports the options from here.
 */
import { Ajv2020, type ErrorObject, type Options, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import type { JsonSchema } from './template.js';

type AddFormats = (ajv: Ajv2020) => Ajv2020;
// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = ((formatsPlugin as unknown as { default?: AddFormats }).default ?? formatsPlugin) as unknown as AddFormats;

/** The options every validator of the dialect shares (defaults are applied to the validated copy). */
// ownProperties: `required: [constructor]` must not be met by Object.prototype.constructor.
export const SCHEMA_OPTIONS = { strict: false, allErrors: true, useDefaults: true, coerceTypes: false, ownProperties: true } as const satisfies Options;

let shared: Ajv2020 | undefined;

function ajv(): Ajv2020 {
  if (!shared) {
    shared = new Ajv2020({ ...SCHEMA_OPTIONS, validateSchema: true });
    addFormats(shared);
  }
  return shared;
}

/**
 * The schema as the dialect's validators take it: draft markers would make Ajv look for a
 * meta-schema it does not have, and an `$id` seen twice (a template reloaded) would be refused:
 * the keywords are what count.
 */
export function schemaForValidation(schema: JsonSchema): JsonSchema {
  const { $schema: _draft, $id: _id, ...rest } = schema;
  return rest;
}

/** On failure, `path` is the JSON pointer of the offending keyword inside the schema, when known. */
export type CompiledSchema = { ok: true; validate: ValidateFunction } | { ok: false; message: string; path?: string };

/** Compile a schema; a schema Ajv rejects comes back as `{ ok: false, message }`, never a throw. */
export function compileSchema(schema: JsonSchema): CompiledSchema {
  const cached = typeof schema === 'object' && schema !== null ? cache.get(schema) : undefined;
  if (cached) return cached;
  const compiled = compileUncached(schema);
  if (typeof schema === 'object' && schema !== null) cache.set(schema, compiled);
  return compiled;
}

// Keyed by the template's schema object, so a schema is compiled once however often it is used.
const cache = new WeakMap<object, CompiledSchema>();

function compileUncached(schema: JsonSchema): CompiledSchema {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    return { ok: false, message: 'a JSON Schema must be a map (object)' };
  }
  const rest = schemaForValidation(schema);
  const instance = ajv();
  if (!instance.validateSchema(rest)) {
    const errors = instance.errors ?? [];
    const first = errors.find((x) => x.keyword === 'enum') ?? errors[0];
    return { ok: false, message: metaSchemaMessage(errors), ...(first ? { path: first.instancePath } : {}) };
  }
  try {
    return { ok: true, validate: instance.compile(rest) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, message: message.replace(/^schema is invalid: /, '') };
  }
}

export interface SchemaError {
  /** JSON pointer of the offending value, '' for the root. */
  path: string;
  message: string;
}

/**
 * Validate `value` against a compiled schema (applying `default`s in place); returns the
 * failing fields, or an empty list. A missing or unexpected field is reported at its own path.
 */
export function schemaErrors(validate: ValidateFunction, value: unknown): SchemaError[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map(describeError);
}

function describeError(e: ErrorObject): SchemaError {
  const params = e.params as { missingProperty?: string; additionalProperty?: string; unevaluatedProperty?: string };
  if (e.keyword === 'required' && params.missingProperty !== undefined) return { path: `${e.instancePath}/${params.missingProperty}`, message: 'is required' };
  const extra = params.additionalProperty ?? params.unevaluatedProperty;
  if ((e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') && extra !== undefined) {
    return { path: `${e.instancePath}/${extra}`, message: 'is not allowed' };
  }
  return { path: e.instancePath, message: e.message ?? e.keyword };
}

/** The first meta-schema error, said plainly: "`/properties/id/type`: must be one of string, number, ...". */
function metaSchemaMessage(errors: ErrorObject[]): string {
  // anyOf/type alternatives repeat the same complaint; the enum one names the allowed values.
  const e = errors.find((x) => x.keyword === 'enum') ?? errors[0];
  if (!e) return 'the schema does not match the JSON Schema meta-schema';
  const where = e.instancePath === '' ? 'the schema' : `\`${e.instancePath}\``;
  const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
  return allowed ? `${where} must be one of ${allowed.join(', ')}` : `${where} ${e.message ?? 'is invalid'}`;
}
