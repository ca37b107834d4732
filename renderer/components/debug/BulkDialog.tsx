/**
 * One confirmation for an operation over many tasks (retry, cancel, mark complete), like the
 * single-task one: core/ops's preview for every task (what will change, or why the task is left
 * out), one reason kept in each task's history, then what happened to each task (a task that
 * changed since the preview is refused, STALE, and the others still apply).
 */
import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { BulkItem, BulkOp, BulkOutcome, Json } from '../../../core/host/protocol.js';
import { announce } from '../../lib/announce.js';
import { errorText, useServices } from '../../lib/context.js';
import { parseJson } from '../../lib/ops.js';
import { useSettled } from '../../lib/useSettled.js';
import { Dialog } from './Dialog.js';

export const BULK_INFO: Record<BulkOp, { label: string; verb: string; does: string; danger: boolean }> = {
  retry: { label: 'Retry', verb: 'retry', does: 'Runs each failed step again as a new attempt (a failed flow: its current state).', danger: false },
  cancel: { label: 'Cancel', verb: 'cancel', does: 'Cancels each task: running steps are aborted and nothing else runs.', danger: true },
  markCompleted: { label: 'Mark complete', verb: 'mark complete', does: "Ends each task's failed step as resolved manually with the results you give; dependents may then run.", danger: false },
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function describe(item: BulkItem): string {
  if (item.skipped !== null) return `left out: ${item.skipped}`;
  const what = item.requests.map((r) => ('step' in r ? `${r.op} ${r.step}` : r.op)).join(', ');
  return `${what} · ${plural(item.changes.length, 'change')}`;
}

export function BulkDialog({ op, taskIds, onClose }: { op: BulkOp; taskIds: string[]; onClose: () => void }) {
  const { client } = useServices();
  const info = BULK_INFO[op];
  const [resultsText, setResultsText] = useState('{}');
  const [reason, setReason] = useState('');
  const [applying, setApplying] = useState(false);
  const [outcome, setOutcome] = useState<BulkOutcome[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const parsed = useMemo(() => (op === 'markCompleted' ? parseJson(resultsText) : ({ ok: true, value: null } as const)), [op, resultsText]);
  const results = useSettled(parsed.ok ? parsed.value : undefined, 250);
  const request = useMemo(() => ({ op, taskIds, ...(op === 'markCompleted' && results !== undefined ? { results: results as Json } : {}) }), [op, taskIds, results]);
  const preview = useQuery({ queryKey: ['bulkPreview', request], queryFn: () => client.bulk.preview.query(request), enabled: parsed.ok, gcTime: 0, retry: false });
  const items = preview.data ?? [];
  const applicable = items.filter((i) => i.skipped === null);
  const canConfirm = parsed.ok && preview.data !== undefined && applicable.length > 0 && reason.trim() !== '' && !applying && outcome === null;

  const confirm = async () => {
    setApplying(true);
    setError(null);
    try {
      const expected = Object.fromEntries(applicable.map((i) => [i.taskId, i.version!]));
      const out = await client.bulk.perform.mutate({ ...request, taskIds: applicable.map((i) => i.taskId), expected, reason: reason.trim() });
      setOutcome(out);
      const ok = out.filter((o) => o.ok).length;
      announce(`${info.label}: ${ok} of ${plural(out.length, 'task')} done${ok < out.length ? `, ${out.length - ok} refused` : ''}.`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setApplying(false);
    }
  };

  return (
    <Dialog
      label={`${info.label} ${plural(taskIds.length, 'task')}`}
      title={`${info.label} · ${plural(taskIds.length, 'task')}`}
      onClose={onClose}
      testId="bulk-dialog"
      wide
      footer={
        outcome ? (
          <button className="btn primary" onClick={onClose}>
            Done
          </button>
        ) : (
          <>
            <span className="dialog-hint">{preview.data ? `${applicable.length} of ${plural(items.length, 'task')} will change` : 'Loading preview…'}</span>
            <button className="btn" onClick={onClose}>
              Cancel
            </button>
            <button className={`btn ${info.danger ? 'danger' : 'primary'}`} disabled={!canConfirm} onClick={() => void confirm()} title={reason.trim() === '' ? 'Give a reason' : undefined}>
              {applying ? 'Applying…' : `Confirm: ${info.verb} ${plural(applicable.length, 'task')}`}
            </button>
          </>
        )
      }
    >
      <p className="dialog-lead">{info.does}</p>
      {op === 'markCompleted' && !outcome ? (
        <label className="field">
          <span>Results for each failed step (JSON)</span>
          <textarea className="code-input" rows={4} value={resultsText} spellCheck={false} aria-invalid={!parsed.ok} onChange={(e) => setResultsText(e.target.value)} />
          {!parsed.ok ? (
            <span className="field-error" role="alert">
              {parsed.error}
            </span>
          ) : null}
        </label>
      ) : null}
      <div className="preview" aria-live="polite" data-testid="bulk-preview" data-loaded={String(preview.data !== undefined)}>
        <div className="preview-head">{outcome ? 'What happened' : 'Preview'}</div>
        {preview.error ? <div className="form-error">{errorText(preview.error)}</div> : null}
        {!preview.data && !preview.error ? (
          <div className="empty">
            <span className="spinner" /> Computing what will change…
          </div>
        ) : null}
        <table className="changes">
          <tbody>
            {(outcome ?? items).map((row) => {
              const item = items.find((i) => i.taskId === row.taskId);
              const text = outcome ? (row as BulkOutcome).message : describe(row as BulkItem);
              const ok = outcome ? (row as BulkOutcome).ok : (row as BulkItem).skipped === null;
              return (
                <tr key={row.taskId} data-bulk-task={row.taskId} data-ok={String(ok)}>
                  <td className="mono">{row.shortId}</td>
                  <td className="mono">{item?.templateRef.replace(/@.*/, '') ?? ''}</td>
                  <td className={ok ? '' : 'muted'}>{outcome ? `${ok ? '✓' : '✗'} ${text}` : text}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {!outcome ? (
        <label className="field">
          <span>Reason (kept in each task's history)</span>
          <input type="text" value={reason} data-autofocus onChange={(e) => setReason(e.target.value)} placeholder="e.g. the ledger is back online" onKeyDown={(e) => e.key === 'Enter' && canConfirm && void confirm()} />
        </label>
      ) : null}
      {error ? (
        <div className="form-error" role="alert">
          {error}
        </div>
      ) : null}
    </Dialog>
  );
}
