/**
 * JSON Schema checking for `input_schema`, flow `attributes` and interaction `params`, with Ajv
 * (draft 2020-12, which is also what zod's `toJSONSchema` emits; draft-07 schemas compile too).
 * `strict: false` so schemas written for other tools (extra keywords) still load.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import type { JsonSchema } from '../model/template.js';

type AddFormats = (ajv: Ajv2020) => Ajv2020;
// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = ((formatsPlugin as unknown as { default?: AddFormats }).default ?? formatsPlugin) as unknown as AddFormats;

let shared: Ajv2020 | undefined;

function ajv(): Ajv2020 {
  if (!shared) {
    shared = new Ajv2020({ strict: false, allErrors: true, useDefaults: true, coerceTypes: false, validateSchema: true });
    addFormats(shared);
  }
  return shared;
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
  // Draft markers would make Ajv look for a meta-schema it does not have, and an `$id` seen twice
  // (a template reloaded) would be refused: the keywords are what count.
  const { $schema: _draft, $id: _id, ...rest } = schema;
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
 * failing fields, or an empty list.
 */
export function schemaErrors(validate: ValidateFunction, value: unknown): SchemaError[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => {
    const missing = e.keyword === 'required' ? (e.params as { missingProperty?: string }).missingProperty : undefined;
    const path = missing ? `${e.instancePath}/${missing}` : e.instancePath;
    return { path, message: missing ? 'is required' : (e.message ?? 'is invalid') };
  });
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
