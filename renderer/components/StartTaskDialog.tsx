/**
 * "Start task": a form generated from the template's input schema (workflows' input_schema,
 * flows' attributes) by @rjsf/core. The schema is checked in the page as the user types
 * (errors under each field) and again by the host, whose refusal is shown in the form.
 */
import { useState } from 'react';
import type { ErrorSchema } from '@rjsf/utils';
import type { JsonSchema, TemplateSummary } from '../../core/host/protocol.js';
import { useServices, errorText } from '../lib/context.js';
import { Dialog } from './debug/Dialog.js';
import { SchemaForm } from './form/SchemaForm.js';

interface Props {
  template: TemplateSummary;
  /** Prefilled input ("Run again with edited input" passes the earlier task's). */
  initialInput?: Record<string, unknown>;
  /** The task this one re-runs, named in the title. */
  rerunOf?: string;
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

export function StartTaskDialog({ template, initialInput, rerunOf, onClose, onStarted }: Props) {
  const { client } = useServices();
  const [formData, setFormData] = useState<Record<string, unknown>>(() => initialInput ?? {});
  const [submitting, setSubmitting] = useState(false);
  // Start paused, so the debugger steps the task from its first step.
  const [paused, setPaused] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [extraErrors, setExtraErrors] = useState<ErrorSchema | undefined>(undefined);

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

  const name = `${template.namespace}/${template.name}`;
  return (
    <Dialog
      label={rerunOf ? `Run ${name} again` : `Start task ${name}`}
      title={rerunOf ? <>Run again · {name}</> : <>Start task · {name}</>}
      onClose={onClose}
      testId="start-dialog"
      footer={
        <>
          <label className="check" style={{ marginRight: 'auto' }} title="The task waits for Step or Continue in the debugger">
            <input type="checkbox" checked={paused} onChange={(e) => setPaused(e.target.checked)} /> Start paused
          </label>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="start-form" className="btn primary" disabled={submitting || !template.valid}>
            {submitting ? 'Starting…' : 'Start task'}
          </button>
        </>
      }
    >
      {rerunOf ? (
        <p className="dialog-lead">
          A new task with the input of <code>{rerunOf}</code>, edited as you like; that task is left as it is.
        </p>
      ) : null}
      {serverError ? (
        <div className="form-error" role="alert" data-testid="start-error">
          {serverError}
        </div>
      ) : null}
      {!template.inputSchema ? <p className="empty">This template declares no input schema: the task starts with an empty input.</p> : null}
      <SchemaForm
        id="start-form"
        schema={template.inputSchema as JsonSchema | null}
        formData={formData}
        onChange={setFormData}
        onSubmit={(data) => void submit(data)}
        extraErrors={extraErrors}
        disabled={submitting}
      />
    </Dialog>
  );
}
