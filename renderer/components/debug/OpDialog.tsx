/**
 * Confirmation of a safe operation: shows core/ops's preview (every step that will change and
 * how, and notes), asks for a reason, and applies with the previewed task version. Confirm stays
 * disabled until the preview has loaded (and the results parse as JSON). A STALE refusal lists
 * what happened to the task since the preview and offers to preview again.
 */
import { useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { Json, Preview, ResultsSuggestion, StepwiseEvent } from '../../../core/host/protocol.js';
import { announce } from '../../lib/announce.js';
import { errorText, useServices } from '../../lib/context.js';
import { changeValue, fieldLabel } from '../../lib/format.js';
import { OP_INFO, parseJson, requestOf, type FlowWaitChoice, type OpTarget } from '../../lib/ops.js';
import { useTRPC } from '../../lib/trpc.js';
import { eventMove } from '../../lib/statusWords.js';
import { useSettled } from '../../lib/useSettled.js';
import { Dialog } from './Dialog.js';

interface Props {
  target: OpTarget;
  /** Pre-filled results (the step's current ones) for operations that take results. */
  initialResults?: Json;
  onClose: () => void;
  onDone?: (message: string) => void;
}

function codeOf(err: unknown): string | undefined {
  return (err as { data?: { stepwise?: { code?: string } } } | null)?.data?.stepwise?.code;
}
function detailsOf(err: unknown): Record<string, unknown> {
  return (err as { data?: { stepwise?: { details?: Record<string, unknown> } } } | null)?.data?.stepwise?.details ?? {};
}

function describeEvent(e: StepwiseEvent): string {
  if (e.type === 'op.applied') return `${e.payload.op} by a user${e.payload.reason ? `: ${e.payload.reason}` : ''}`;
  const moved = eventMove(e);
  const move = moved !== null ? ` ${moved}` : '';
  return `${e.type}${e.stepName ? ` · ${e.stepName}` : ''}${move}`;
}

const SOURCE_TEXT: Record<ResultsSuggestion['source'], string> = {
  'own results': 'Prefilled with the results the step has.',
  'last success': 'Prefilled with what its last successful attempt returned',
  'example task': 'Prefilled with what this step returned in',
  'result schema': "Prefilled from the step's result_schema: fill in the real values.",
  'keys read': 'Prefilled with the keys its dependents read; fill in their values.',
  none: 'Nothing to prefill from: no earlier results, and no dependent reads a key of them that its code shows.',
};

/** Where the prefilled results come from, and what the dependents read of them. */
function ResultsHint({ suggestion, step }: { suggestion: ResultsSuggestion; step: string }) {
  return (
    <div className="results-hint" data-testid="results-hint" data-source={suggestion.source}>
      <div>
        {SOURCE_TEXT[suggestion.source]}
        {suggestion.detail ? ` ${suggestion.detail}.` : ''}
      </div>
      {suggestion.readBy.map((r) => (
        <div key={r.step}>
          <code>{r.step}</code> reads {r.keys.length ? r.keys.map((k, i) => <span key={k}>{i ? ', ' : ''}<code>{k}</code></span>) : `${step}'s results (no single key its code shows)`}
        </div>
      ))}
    </div>
  );
}

export function OpDialog({ target, initialResults, onClose, onDone }: Props) {
  const { client, hub } = useServices();
  const trpc = useTRPC();
  const info = OP_INFO[target.op];
  // Mark complete starts from the best guess the host has (see core/host/resultsHint), not `{}`
  // — which only moves the failure to the next step; typing replaces it.
  const suggest = target.op === 'markCompleted' && initialResults === undefined && target.step !== undefined;
  const suggestion = useQuery({ ...trpc.inspect.resultsSuggestion.queryOptions({ taskId: target.taskId, name: target.step ?? '' }), enabled: suggest, gcTime: 0 });
  const [typed, setResultsText] = useState<string | null>(null);
  const resultsText = typed ?? JSON.stringify(initialResults ?? suggestion.data?.value ?? {}, null, 2);
  const [cascade, setCascade] = useState(false);
  const [reason, setReason] = useState('');
  const [previewTick, setPreviewTick] = useState(0);
  const [applying, setApplying] = useState(false);
  const [applyError, setApplyError] = useState<unknown>(null);
  const [changedSince, setChangedSince] = useState<StepwiseEvent[] | null>(null);
  // Skip wait of a flow: its wake (re-check the wait) or its timeout, as the user picks.
  const [which, setWhich] = useState<FlowWaitChoice>(() => (target.step === 'timeout' || (target.flowWait && !target.flowWait.wake) ? 'timeout' : 'wake'));
  const parsed = useMemo(() => (info.results ? parseJson(resultsText) : ({ ok: true, value: null } as const)), [info.results, resultsText]);
  const request = useMemo(() => {
    if (!parsed.ok) return null;
    const { step: _step, ...rest } = target;
    const effective = target.flowWait ? { ...rest, ...(which === 'timeout' ? { step: 'timeout' } : {}) } : target;
    return requestOf(effective, { results: parsed.value, cascade });
  }, [parsed, target, cascade, which]);

  // Preview again whenever the request changes (results typed — once typing pauses — cascade
  // ticked) or is asked for; the event seq it was read at says what changed since, if STALE.
  const asked = useSettled(request, info.results ? 250 : 0);
  const current = asked !== null && asked === request;
  const previewQuery = useQuery({
    queryKey: ['opPreview', asked, previewTick],
    queryFn: async (): Promise<{ preview: Preview; seq: number }> => {
      const seq = hub.lastSeq();
      return { preview: await client.ops.preview.query(asked!), seq };
    },
    enabled: current,
    gcTime: 0,
    retry: false,
  });
  const preview = current ? (previewQuery.data?.preview ?? null) : null;
  const previewError: unknown = current ? previewQuery.error : null;

  const needsCascade = previewError !== null && (detailsOf(previewError).accepts as unknown[] | undefined)?.includes('cascade') === true;
  const canConfirm = preview !== null && request !== null && reason.trim() !== '' && !applying;

  const confirm = async () => {
    if (!preview || !request) return;
    setApplying(true);
    setApplyError(null);
    setChangedSince(null);
    try {
      const result = await client.ops.perform.mutate({ request, expectedVersion: preview.version, reason: reason.trim() });
      const message = `${info.label}${target.step ? ` on ${target.step}` : ''} applied: ${result.changes.length} change${result.changes.length === 1 ? '' : 's'}.`;
      announce(message);
      onDone?.(message);
      onClose();
    } catch (err) {
      setApplyError(err);
      if (codeOf(err) === 'STALE') {
        // What happened to this task since the preview was read.
        const seen: StepwiseEvent[] = [];
        hub.listen(previewQuery.data?.seq ?? hub.lastSeq(), (e) => e.taskId === target.taskId && seen.push(e)).unsubscribe();
        setChangedSince(seen);
        announce(`${info.label} refused: the task changed since the preview.`);
      }
    } finally {
      setApplying(false);
    }
  };

  const stale = codeOf(applyError) === 'STALE';
  return (
    <Dialog
      label={`${info.label}${target.step ? ` ${target.step}` : ''}`}
      title={
        <>
          {info.label}
          {target.step ? <code className="dialog-target"> {target.step}</code> : null}
        </>
      }
      onClose={onClose}
      testId="op-dialog"
      wide
      footer={
        <>
          <span className="dialog-hint">{preview ? `Task version ${preview.version}` : previewError ? '' : 'Loading preview…'}</span>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className={`btn ${info.danger ? 'danger' : 'primary'}`} disabled={!canConfirm} onClick={() => void confirm()} title={!preview ? 'Waiting for the preview' : reason.trim() === '' ? 'Give a reason' : undefined}>
            {applying ? 'Applying…' : `Confirm ${info.label.toLowerCase()}`}
          </button>
        </>
      }
    >
      <p className="dialog-lead">{info.does}</p>
      {info.results ? (
        <label className="field">
          <span>Results (JSON)</span>
          <textarea
            className="code-input"
            rows={6}
            value={resultsText}
            spellCheck={false}
            aria-invalid={!parsed.ok}
            aria-describedby="results-error"
            onChange={(e) => setResultsText(e.target.value)}
          />
          {!parsed.ok ? (
            <span className="field-error" id="results-error" role="alert">
              {parsed.error}
            </span>
          ) : null}
        </label>
      ) : null}
      {suggest && suggestion.data ? <ResultsHint suggestion={suggestion.data} step={target.step!} /> : null}
      {target.flowWait ? (
        <fieldset className="field choice" data-testid="wait-choice">
          <legend>Which wait</legend>
          <label className="check">
            <input type="radio" name="which-wait" checked={which === 'wake'} disabled={!target.flowWait.wake} onChange={() => setWhich('wake')} /> Wake now: check the wait again{target.flowWait.wake ? '' : ' (no wake time is set)'}
          </label>
          <label className="check">
            <input type="radio" name="which-wait" checked={which === 'timeout'} disabled={!target.flowWait.timeout} onChange={() => setWhich('timeout')} /> Time out now
            {target.flowWait.onTimeout ? (
              <>
                : go to <code>{target.flowWait.onTimeout}</code>
              </>
            ) : null}
            {target.flowWait.timeout ? '' : ' (the flow has no timeout)'}
          </label>
        </fieldset>
      ) : null}
      {target.op === 'rerunFromStep' || needsCascade ? (
        <label className="check">
          <input type="checkbox" checked={cascade} onChange={(e) => setCascade(e.target.checked)} /> Also reset the steps downstream that already ran (cascade)
        </label>
      ) : null}
      <div className="preview" aria-live="polite" data-testid="op-preview" data-loaded={String(preview !== null)}>
        <div className="preview-head">Preview</div>
        {!preview && !previewError ? (
          <div className="empty">
            <span className="spinner" /> Computing what will change…
          </div>
        ) : null}
        {previewError ? <div className="form-error">{errorText(previewError)}</div> : null}
        {preview ? (
          preview.changes.length === 0 ? (
            <div className="empty">Nothing would change.</div>
          ) : (
            <table className="changes">
              <thead>
                <tr>
                  <th>{preview.changes.some((c) => c.kind === 'task') ? 'step / task' : 'step'}</th>
                  <th>field</th>
                  <th>from</th>
                  <th>to</th>
                </tr>
              </thead>
              <tbody>
                {preview.changes.map((c, i) => (
                  <tr key={i} data-change-step={c.kind === 'step' ? c.name : undefined} data-change-field={c.field}>
                    <td className="mono">{c.kind === 'task' ? 'task' : c.name}</td>
                    <td className="mono">{fieldLabel(c.field)}</td>
                    <td className="mono muted">{changeValue(c.field, c.from)}</td>
                    <td className="mono">{changeValue(c.field, c.to)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        ) : null}
        {preview?.notes.map((n, i) => (
          <div key={i} className="note">
            {n}
          </div>
        ))}
      </div>
      <label className="field">
        <span>Reason (kept in the history)</span>
        <input type="text" value={reason} data-autofocus onChange={(e) => setReason(e.target.value)} placeholder="e.g. ledger is back online" onKeyDown={(e) => e.key === 'Enter' && canConfirm && void confirm()} />
      </label>
      {applyError ? (
        <div className="form-error" role="alert" data-testid="op-error">
          {stale ? 'The task changed since this preview, so nothing was applied.' : errorText(applyError)}
          {stale && changedSince ? (
            <ul className="changed-since">
              {changedSince.length === 0 ? <li>(changes made by another process)</li> : changedSince.slice(-12).map((e) => <li key={e.seq}>{describeEvent(e)}</li>)}
            </ul>
          ) : null}
          {stale ? (
            <button
              className="btn"
              onClick={() => {
                setApplyError(null);
                setChangedSince(null);
                setPreviewTick((t) => t + 1);
              }}
            >
              Preview again
            </button>
          ) : null}
        </div>
      ) : null}
    </Dialog>
  );
}
