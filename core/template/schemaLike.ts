/**
 * Schemas in TypeScript definitions may be zod schemas or plain JSON Schema. The model stores
 * JSON Schema only (so YAML and TypeScript templates behave the same and the workbench can
 * render forms), converted with zod 4's `z.toJSONSchema`.
 */
import { z } from 'zod';
import type { JsonSchema } from '../model/template.js';

export type SchemaLike = JsonSchema | z.ZodType;

/** The TypeScript type a schema describes: zod's inferred type, or a plain object for JSON Schema. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Infer<S> = S extends z.ZodType ? z.infer<S> : { [key: string]: any };

export function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/**
 * JSON Schema of the schema's *input* side: a field with a `.default()` is optional for callers,
 * and its default is kept so validation fills it in.
 */
export function toJsonSchema(schema: SchemaLike): JsonSchema {
  if (!isZodSchema(schema)) return schema;
  const { $schema: _draft, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return json;
}
