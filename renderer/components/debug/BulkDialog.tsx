/**
 * One confirmation for an operation over many tasks (retry, cancel, mark complete), like the
 * single-task one: the selection is rows picked by hand or everything the list's filter matches
 * on the server (not only the rows shown). The preview says how many tasks will change and why
 * the others are left out (counted by reason), with the first rows in detail; one reason is kept
 * in each task's history; then the counts of what happened (a task that changed since the
 * preview is skipped with that reason, and the others still apply).
 */
import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { BulkFilter, BulkItem, BulkOp, BulkResult, Json, ReasonCount } from '../../../core/host/protocol.js';
import { announce } from '../../lib/announce.js';
import { errorText, useServices } from '../../lib/context.js';
import { OP_INFO, parseJson } from '../../lib/ops.js';
import { useSettled } from '../../lib/useSettled.js';
import { Dialog } from './Dialog.js';

export const BULK_INFO: Record<BulkOp, { label: string; verb: string; does: string; danger: boolean }> = {
  retry: { label: 'Retry', verb: 'retry', does: 'Runs each failed step again as a new attempt (a failed flow: its current state).', danger: false },
  cancel: { label: 'Cancel', verb: 'cancel', does: 'Cancels each task: running steps are aborted and nothing else runs.', danger: true },
  markCompleted: { label: 'Mark complete', verb: 'mark complete', does: "Ends each task's failed step as resolved manually with the results you give; dependents may then run.", danger: false },
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What an item's requests do, in words (a request's op is the API's name, e.g. retryStep). */
function requestWords(item: BulkItem): string {
  return item.requests
    .map((r) => {
      const label = (OP_INFO as Partial<Record<string, { label: string }>>)[r.op]?.label ?? r.op;
      return 'step' in r ? `${label} ${r.step}` : label;
    })
    .join(', ');
}

function describe(item: BulkItem): string {
  if (item.skipped !== null) return `left out: ${item.skipped}`;
  return `${requestWords(item)} · ${plural(item.changes.length, 'change')}`;
}

/** Tasks picked by id, or all the task list's filter matches (read by the host). */
export type BulkSelection = { taskIds: string[] } | { filter: BulkFilter };

function Reasons({ reasons, testId }: { reasons: ReasonCount[]; testId: string }) {
  if (reasons.length === 0) return null;
  return (
    <ul className="bulk-reasons" data-testid={testId}>
      {reasons.slice(0, 8).map((r) => (
        <li key={r.reason}>
          <strong>{plural(r.count, 'task')}</strong> {r.reason}
        </li>
      ))}
      {reasons.length > 8 ? <li>and {plural(reasons.slice(8).reduce((n, r) => n + r.count, 0), 'task')} for other reasons</li> : null}
    </ul>
  );
}

export function BulkDialog({ op, selection, onClose }: { op: BulkOp; selection: BulkSelection; onClose: () => void }) {
  const { client } = useServices();
  const info = BULK_INFO[op];
  const [resultsText, setResultsText] = useState('{}');
  const [reason, setReason] = useState('');
  const [applying, setApplying] = useState(false);
  const [outcome, setOutcome] = useState<BulkResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const parsed = useMemo(() => (op === 'markCompleted' ? parseJson(resultsText) : ({ ok: true, value: null } as const)), [op, resultsText]);
  const results = useSettled(parsed.ok ? parsed.value : undefined, 250);
  const extra = useMemo(() => (op === 'markCompleted' && results !== undefined ? { results: results as Json } : {}), [op, results]);
  const request = useMemo(() => ({ op, selection, ...extra }), [op, selection, extra]);
  const preview = useQuery({ queryKey: ['bulkPreview', request], queryFn: () => client.bulk.preview.query(request), enabled: parsed.ok, gcTime: 0, retry: false });
  const items = preview.data?.items ?? [];
  const applicable = preview.data?.applicable ?? 0;
  const total = preview.data?.total ?? ('taskIds' in selection ? selection.taskIds.length : null);
  const canConfirm = parsed.ok && preview.data !== undefined && applicable > 0 && reason.trim() !== '' && !applying && outcome === null;
  const count = total === null ? 'all matching tasks' : plural(total, 'task');

  const confirm = async () => {
    if (!preview.data) return;
    setApplying(true);
    setError(null);
    try {
      const out = await client.bulk.perform.mutate({ op, ...extra, expected: preview.data.expected, reason: reason.trim() });
      setOutcome(out);
      const { done, skipped, refused } = out.counts;
      announce(`${info.label}: ${done} of ${plural(done + skipped + refused, 'task')} done${skipped ? `, ${skipped} skipped` : ''}${refused ? `, ${refused} refused` : ''}.`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setApplying(false);
    }
  };

  return (
    <Dialog
      label={`${info.label} ${count}`}
      title={`${info.label} · ${count}`}
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
            <span className="dialog-hint" data-testid="bulk-summary">{preview.data ? `${applicable} of ${plural(preview.data.total, 'task')} will change` : 'Loading preview…'}</span>
            <button className="btn" onClick={onClose}>
              Cancel
            </button>
            <button className={`btn ${info.danger ? 'danger' : 'primary'}`} disabled={!canConfirm} onClick={() => void confirm()} title={reason.trim() === '' ? 'Give a reason' : undefined}>
              {applying ? 'Applying…' : `Confirm: ${info.verb} ${plural(applicable, 'task')}`}
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
        {preview.data && !outcome ? (
          <div className="bulk-counts" data-testid="bulk-counts">
            <div>
              {applicable} of {plural(preview.data.total, 'task')} will change{preview.data.truncated ? ` (the newest ${preview.data.total} of those matching: run it again for the rest)` : ''}
              {preview.data.skipped.length ? '; left out:' : '.'}
            </div>
            <Reasons reasons={preview.data.skipped} testId="bulk-skipped" />
          </div>
        ) : null}
        {outcome ? (
          <div className="bulk-counts" data-testid="bulk-outcome">
            <div>
              {outcome.counts.done} done, {outcome.counts.skipped} skipped, {outcome.counts.refused} refused{outcome.reasons.length ? ':' : '.'}
            </div>
            <Reasons reasons={outcome.reasons} testId="bulk-outcome-reasons" />
          </div>
        ) : null}
        <table className="changes">
          <tbody>
            {(outcome?.outcomes ?? items).map((row) => {
              const item = items.find((i) => i.taskId === row.taskId);
              // A task done says what was done as the preview said it; skipped or refused, the host's reason.
              const text = 'message' in row ? (row.ok && item && item.requests.length > 0 ? requestWords(item) : row.message) : describe(row);
              const ok = 'message' in row ? row.ok : row.skipped === null;
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
        {preview.data && (outcome?.outcomes ?? items).length < (outcome ? outcome.counts.done + outcome.counts.skipped + outcome.counts.refused : preview.data.total) ? (
          <div className="note">The first {(outcome?.outcomes ?? items).length} tasks are listed; the counts above are of all of them.</div>
        ) : null}
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
