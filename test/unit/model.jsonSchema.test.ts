/**
 * One JSON Schema dialect (issue 11 item 8): template validation, task input, flow attributes,
 * interaction params and the workbench's forms all read schemas as draft 2020-12 with the same
 * options, so what one of them accepts the others accept.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { applyDefaultsAndValidate } from '../../core/engine/flow/attributes.js';
import { validateInput } from '../../core/engine/workflow/input.js';
import { compileSchema } from '../../core/model/jsonSchema.js';
import type { JsonSchema } from '../../core/model/template.js';
import { formSchema, formValidator } from '../../renderer/lib/formValidator.js';

/** Every place that validates a value against a template's schema; each returns the problems as text. */
const validators: Record<string, (schema: JsonSchema, value: Record<string, unknown>) => string> = {
  'task input': (schema, value) => refusal(() => validateInput(schema, value, 'test/t@1')),
  'flow attributes': (schema, value) => refusal(() => applyDefaultsAndValidate(schema, value, 'The attributes of test/f@1')),
  'workbench form': (schema, value) =>
    formValidator
      .validateFormData(value, formSchema(schema))
      .errors.map((e) => `${e.property} ${e.message}`)
      .join('; '),
};

function refusal(run: () => unknown): string {
  try {
    run();
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}

const tupleSchema = z.toJSONSchema(z.object({ point: z.tuple([z.number(), z.number()]) })) as JsonSchema;
const unevaluated: JsonSchema = {
  type: 'object',
  allOf: [{ properties: { id: { type: 'integer' } }, required: ['id'] }],
  unevaluatedProperties: false,
};

describe('the one JSON Schema dialect', () => {
  it('compiles a zod (draft 2020-12) tuple schema, as template validation does', () => {
    expect(compileSchema(tupleSchema).ok).toBe(true);
  });

  for (const [where, validate] of Object.entries(validators)) {
    it(`${where}: accepts a valid zod tuple and refuses a bad one`, () => {
      expect(validate(tupleSchema, { point: [1, 2] })).toBe('');
      expect(validate(tupleSchema, { point: [1, 2, 3] })).toMatch(/point/);
      expect(validate(tupleSchema, { point: ['a', 2] })).toMatch(/point/);
    });

    it(`${where}: enforces unevaluatedProperties`, () => {
      expect(validate(unevaluated, { id: 1 })).toBe('');
      expect(validate(unevaluated, { id: 1, extra: true })).toMatch(/extra|unevaluated/i);
    });

    it(`${where}: checks formats (ajv-formats) the same way`, () => {
      const email: JsonSchema = { type: 'object', properties: { email: { type: 'string', format: 'email' } } };
      expect(validate(email, { email: 'ada@example.com' })).toBe('');
      expect(validate(email, { email: 'not an address' })).toMatch(/email/);
    });
  }

  it('names an unexpected field at its own path in the engine', () => {
    expect(refusal(() => validateInput(unevaluated, { id: 1, extra: true }, 'test/t@1'))).toContain('/extra is not allowed');
  });

  it('reads a schema that names its draft or carries an $id', () => {
    const marked: JsonSchema = { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: 'urn:x', type: 'object', required: ['a'] };
    for (const validate of Object.values(validators)) expect(validate(marked, {})).toMatch(/a/);
  });
});
