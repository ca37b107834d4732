/**
 * Firing a flow interaction: a form generated from its params schema (@rjsf/core, validated as
 * typed, and by the host), a reason, then the transitions it caused — those the interaction
 * committed and the flow's moves that follow it live.
 */
import { useEffect, useState } from 'react';
import type { ErrorSchema } from '@rjsf/utils';
import type { InteractionView, JsonObject, JsonSchema, StepwiseEvent } from '../../../core/host/protocol.js';
import { announce } from '../../lib/announce.js';
import { errorText, useServices } from '../../lib/context.js';
import { issuesToErrorSchema } from '../StartTaskDialog.js';
import { SchemaForm } from '../form/SchemaForm.js';
import { Dialog } from './Dialog.js';

interface Props {
  taskId: string;
  interaction: InteractionView;
  currentState: string | null;
  onClose: () => void;
}

interface Moved {
  seq: number;
  text: string;
}

type ServerIssue = { path: Array<string | number>; message: string };

export function InteractionDialog({ taskId, interaction, currentState, onClose }: Props) {
  const { client, hub } = useServices();
  const [formData, setFormData] = useState<Record<string, unknown>>({});
  const [reason, setReason] = useState(`${interaction.name} fired from the workbench`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [extraErrors, setExtraErrors] = useState<ErrorSchema | undefined>(undefined);
  const [fired, setFired] = useState<{ from: number; moves: Moved[] } | null>(null);

  // After firing: follow what the flow does next (its moves arrive as events).
  const firedFrom = fired?.from ?? null;
  useEffect(() => {
    if (firedFrom === null) return;
    const sub = hub.listen(firedFrom, (e: StepwiseEvent) => {
      if (e.taskId !== taskId) return;
      let text: string | null = null;
      if (e.type === 'flow.transitioned') text = `${e.payload.from ?? '∅'} → ${e.payload.to}`;
      else if (e.type === 'interaction.fired') text = `interaction ${interaction.name} fired`;
      else if (e.type === 'task.status_changed') text = `task ${e.payload.from} → ${e.payload.to}`;
      if (text) {
        const t = text;
        setFired((f) => (f && !f.moves.some((m) => m.seq === e.seq) ? { ...f, moves: [...f.moves, { seq: e.seq, text: t }] } : f));
        if (e.type === 'flow.transitioned') announce(`Flow moved ${t}.`);
      }
    });
    return () => sub.unsubscribe();
  }, [firedFrom, hub, taskId, interaction.name]);

  const fire = async (params: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    setExtraErrors(undefined);
    const from = hub.lastSeq();
    try {
      const request = { op: 'fireInteraction' as const, taskId, name: interaction.name, params: params as JsonObject };
      const preview = await client.ops.preview.query(request);
      const result = await client.ops.perform.mutate({ request, expectedVersion: preview.version, reason: reason.trim() || `${interaction.name} fired` });
      const moves = result.transitions.map((t) => ({ seq: t.seq, text: t.field === 'state' ? `${t.from ?? '∅'} → ${t.to}` : `${t.field}: ${t.from ?? '∅'} → ${t.to}` }));
      setFired({ from, moves });
      announce(`Interaction ${interaction.name} fired.`);
    } catch (err) {
      const sw = (err as { data?: { stepwise?: { details?: { errors?: ServerIssue[] }; issues?: ServerIssue[] } } }).data?.stepwise;
      const issues = sw?.details?.errors ?? sw?.issues;
      if (Array.isArray(issues) && issues.length > 0) setExtraErrors(issuesToErrorSchema(issues.map((i) => ({ ...i, path: i.path.filter((p) => p !== 'params') }))));
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      label={`Interaction ${interaction.name}`}
      title={
        <>
          <span aria-hidden="true">⚡</span> {interaction.name}
        </>
      }
      onClose={onClose}
      testId="interaction-dialog"
      footer={
        fired ? (
          <button className="btn primary" onClick={onClose}>
            Done
          </button>
        ) : (
          <>
            <span className="dialog-hint">
              valid in {interaction.when.join(', ') || 'any state'} · now in {currentState ?? '—'}
            </span>
            <button className="btn" onClick={onClose}>
              Cancel
            </button>
            <button className="btn primary" type="submit" form="interaction-form" disabled={busy || !interaction.enabled}>
              {busy ? 'Firing…' : `Fire ${interaction.name}`}
            </button>
          </>
        )
      }
    >
      {interaction.description ? <p className="dialog-lead">{interaction.description}</p> : null}
      {error ? (
        <div className="form-error" role="alert">
          {error}
        </div>
      ) : null}
      {fired ? (
        <div className="fired" data-testid="interaction-result">
          <div className="preview-head">What it caused</div>
          {fired.moves.length === 0 ? (
            <div className="empty">
              <span className="spinner" /> Waiting for the flow to move…
            </div>
          ) : (
            <ul className="moves">
              {fired.moves.map((m) => (
                <li key={m.seq} className="mono">
                  {m.text}
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : (
        <>
          <SchemaForm
            id="interaction-form"
            schema={interaction.paramsSchema as JsonSchema | null}
            formData={formData}
            onChange={setFormData}
            onSubmit={(data) => void fire(data)}
            extraErrors={extraErrors}
            disabled={busy}
          />
          <label className="field">
            <span>Reason (kept in the history)</span>
            <input type="text" value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
        </>
      )}
    </Dialog>
  );
}
