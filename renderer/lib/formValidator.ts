/**
 * The validator of the workbench's generated forms (start task, fire interaction): RJSF's Ajv 8
 * validator in the engine's dialect, JSON Schema 2020-12 with the same options and formats
 * (core/model/jsonSchema.ts), so the form accepts exactly what the host will accept.
 */
import { customizeValidator } from '@rjsf/validator-ajv8';
import type { RJSFSchema } from '@rjsf/utils';
import type Ajv from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { SCHEMA_OPTIONS, schemaForValidation } from '../../core/model/jsonSchema.js';
import type { JsonSchema } from '../../core/host/protocol.js';

export const formValidator = customizeValidator({ AjvClass: Ajv2020 as unknown as typeof Ajv, ajvOptionsOverrides: SCHEMA_OPTIONS });

/** A template's schema as the form takes it (no draft marker or `$id` for Ajv to trip on). */
export function formSchema(schema: JsonSchema | null | undefined): RJSFSchema {
  return schemaForValidation(schema ?? { type: 'object', properties: {} }) as RJSFSchema;
}
