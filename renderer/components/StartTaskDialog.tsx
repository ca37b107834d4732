/**
 * "Start task": a form generated from the template's input schema (workflows' input_schema,
 * flows' attributes) by @rjsf/core. The schema is checked in the page as the user types
 * (errors under each field) and again by the host, whose refusal is shown in the form.
 */
import { useEffect, useRef, useState } from 'react';
import Form from '@rjsf/core';
import type { ErrorSchema } from '@rjsf/utils';
import { formSchema, formValidator } from '../lib/formValidator.js';
import type { JsonSchema, TemplateSummary } from '../../core/host/protocol.js';
import { useServices, errorText } from '../lib/context.js';

interface Props {
  template: TemplateSummary;
  onClose: () => void;
  onStarted: (taskId: string) => void;
}

type ServerIssue = { path: Array<string | number>; message: string };

/** Host-side refusal → rjsf's extraErrors, so each message shows under its own field. */
export function issuesToErrorSchema(issues: ServerIssue[]): ErrorSchema {
  const root: Record<string, unknown> = {};
  for (const issue of issues) {
    let node = root;
    for (const key of issue.path) node = (node[String(key)] ??= {}) as Record<string, unknown>;
    ((node.__errors ??= []) as string[]).push(issue.message);
  }
  return root as ErrorSchema;
}

export function StartTaskDialog({ template, onClose, onStarted }: Props) {
  const { client } = useServices();
  const schema = formSchema(template.inputSchema as JsonSchema | null);
  const [formData, setFormData] = useState<Record<string, unknown>>({});
  const [submitting, setSubmitting] = useState(false);
  // Issue 7: start paused, so the debugger steps the task from its first step.
  const [paused, setPaused] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [extraErrors, setExtraErrors] = useState<ErrorSchema | undefined>(undefined);
  const dialogRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    dialogRef.current?.querySelector<HTMLElement>('input, select, textarea, button[type=submit]')?.focus();
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const submit = async (data: Record<string, unknown>) => {
    setSubmitting(true);
    setServerError(null);
    setExtraErrors(undefined);
    try {
      const task = paused
        ? await client.debug.start.mutate({ ref: template.ref, input: data as Record<string, never>, debug: true })
        : await client.startTask.mutate({ ref: template.ref, input: data as Record<string, never> });
      onStarted(task.id);
    } catch (err) {
      const details = (err as { data?: { stepwise?: { details?: { errors?: ServerIssue[] }; issues?: ServerIssue[] } } }).data?.stepwise;
      const issues = details?.details?.errors ?? details?.issues;
      if (Array.isArray(issues) && issues.length > 0) setExtraErrors(issuesToErrorSchema(issues));
      setServerError(errorText(err));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="start-title" ref={dialogRef}>
        <div className="dialog-head">
          <h2 id="start-title">Start task · {template.namespace}/{template.name}</h2>
          <button className="icon-btn" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        <div className="dialog-body">
          {serverError ? (
            <div className="form-error" role="alert" data-testid="start-error">
              {serverError}
            </div>
          ) : null}
          {!template.inputSchema ? <p className="empty">This template declares no input schema: the task starts with an empty input.</p> : null}
          <Form
            className="rjsf"
            schema={schema}
            validator={formValidator}
            formData={formData}
            onChange={(e) => setFormData((e.formData ?? {}) as Record<string, unknown>)}
            onSubmit={(e) => void submit((e.formData ?? {}) as Record<string, unknown>)}
            liveValidate="onBlur"
            showErrorList={false}
            noHtml5Validate
            extraErrors={extraErrors}
            disabled={submitting}
          >
            <div className="dialog-foot" style={{ margin: '12px -16px -12px' }}>
              <label className="check" style={{ marginRight: 'auto' }} title="The task waits for Step or Continue in the debugger">
                <input type="checkbox" checked={paused} onChange={(e) => setPaused(e.target.checked)} /> Start paused
              </label>
              <button type="button" className="btn" onClick={onClose}>
                Cancel
              </button>
              <button type="submit" className="btn primary" disabled={submitting || !template.valid}>
                {submitting ? 'Starting…' : 'Start task'}
              </button>
            </div>
          </Form>
        </div>
      </div>
    </div>
  );
}
