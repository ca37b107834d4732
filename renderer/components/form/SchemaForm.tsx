/**
 * A form generated from a JSON Schema (the Start task input, an interaction's params): RJSF with
 * the engine's validator (lib/formValidator) and the workbench's templates. An error shows
 * under a field once the user has left it (or tried to submit), and follows what is typed from
 * then on: no stale error under a field not yet visited, none that vanishes only on blur.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import Form from '@rjsf/core';
import type { ErrorSchema, RJSFValidationError } from '@rjsf/utils';
import type { JsonSchema } from '../../../core/host/protocol.js';
import { formSchema, formValidator } from '../../lib/formValidator.js';
import { FORM_TEMPLATES } from './formTemplates.js';

interface Props {
  id: string;
  schema: JsonSchema | null;
  formData: Record<string, unknown>;
  onChange: (data: Record<string, unknown>) => void;
  onSubmit: (data: Record<string, unknown>) => void;
  extraErrors?: ErrorSchema | undefined;
  disabled?: boolean;
  children?: ReactNode;
}

/** RJSF's error property (`.items.0.sku`) as the id of its input (`root_items_0_sku`). */
export function fieldIdOf(property: string | undefined): string {
  return `root${(property ?? '').replace(/\./g, '_')}`;
}

export function SchemaForm({ id, schema, formData, onChange, onSubmit, extraErrors, disabled, children }: Props) {
  const rjsfSchema = useMemo(() => formSchema(schema), [schema]);
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set());
  const [submitted, setSubmitted] = useState(false);
  const form = useRef<Form>(null);
  const transformErrors = (errors: RJSFValidationError[]) => (submitted ? errors : errors.filter((e) => touched.has(fieldIdOf(e.property))));
  // Leaving a field shows its error at once (typing keeps it current after that).
  useEffect(() => {
    if (touched.size > 0) form.current?.validateForm();
  }, [touched]);
  return (
    // Any submit attempt (button, Enter) shows every error.
    <div className="schema-form" onSubmitCapture={() => setSubmitted(true)}>
    <Form
      ref={form}
      id={id}
      className="rjsf"
      schema={rjsfSchema}
      validator={formValidator}
      templates={FORM_TEMPLATES}
      formData={formData}
      onChange={(e) => onChange((e.formData ?? {}) as Record<string, unknown>)}
      onBlur={(field) => setTouched((t) => (t.has(field) ? t : new Set([...t, field])))}
      onSubmit={(e) => onSubmit((e.formData ?? {}) as Record<string, unknown>)}
      transformErrors={transformErrors}
      liveValidate="onChange"
      showErrorList={false}
      noHtml5Validate
      extraErrors={extraErrors}
      disabled={disabled}
    >
      {children}
    </Form>
    </div>
  );
}
