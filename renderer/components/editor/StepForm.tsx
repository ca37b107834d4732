/**
 * The editor's side form for the selected step (or flow state): name, type, handler,
 * description; for steps dependencies, retry, timeout and concurrency; for flow states where an
 * action goes, a decision's condition and branches, a wait's conditions. A field is applied when it is
 * committed (Enter, leaving it, or choosing an option); an empty field removes the property.
 */
import { useState } from 'react';
import type { FlowStateFields, StepFields, WaitCondition } from '../../lib/templateFields.js';

export type PropertyChange = { kind: 'setProperty'; name: string; path: string; value?: unknown } | { kind: 'rename'; from: string; to: string } | { kind: 'connect' | 'disconnect'; from: string; to: string } | { kind: 'remove'; name: string };

const STEP_TYPES = ['standard', 'decision', 'deferred_convergence', 'batchable', 'batch_worker', 'wait', 'subtask'];
const STATE_TYPES = ['action', 'decision', 'wait', 'result'];
const BACKOFFS = ['exponential', 'linear', 'fixed'];

interface Props {
  kind: 'workflow' | 'flow';
  fields: StepFields;
  /** Every node name, for adding a dependency. */
  names: string[];
  handlers: string[];
  problems: string[];
  onChange: (change: PropertyChange) => void;
}

function TextField({ label, value, onCommit, placeholder, list, type = 'text', testId }: { label: string; value: string; onCommit: (v: string) => void; placeholder?: string; list?: string; type?: string; testId?: string }) {
  const [draft, setDraft] = useState(value);
  // A new value from outside (undo, another edit) replaces the draft.
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setDraft(value);
  }
  const commit = () => draft !== value && onCommit(draft);
  return (
    <label className="pf-field">
      <span>{label}</span>
      <input
        type={type}
        value={draft}
        placeholder={placeholder}
        list={list}
        data-testid={testId}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') setDraft(value);
        }}
      />
    </label>
  );
}

const num = (v: string): number | undefined => (v.trim() === '' ? undefined : Number(v));

function StateSelect({ label, value, states, onChange }: { label: string; value: string; states: string[]; onChange: (v: string | undefined) => void }) {
  const options = value && !states.includes(value) ? [value, ...states] : states;
  return (
    <label className="pf-field">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">—</option>
        {options.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A wait's conditions as the YAML holds them (empty keys left out). */
const conditionsValue = (list: WaitCondition[]) => list.map((c) => ({ ...(c.condition ? { condition: c.condition } : {}), ...(c.go_to ? { go_to: c.go_to } : {}) }));

function FlowStateForm({ type, fields, states, set }: { type: string; fields: FlowStateFields; states: string[]; set: (path: string, value: unknown) => void }) {
  if (type === 'action') return <StateSelect label="Go to" value={fields.goTo} states={states} onChange={(v) => set('go_to', v)} />;
  if (type === 'decision') {
    return (
      <div className="pf-group">
        <div className="pf-title">Decision</div>
        <TextField label="Condition" value={fields.condition} list="editor-handlers" onCommit={(v) => set('condition', v.trim() || undefined)} placeholder="a condition handler" testId="pf-condition" />
        <div className="pf-row">
          <StateSelect label="If true" value={fields.ifTrue} states={states} onChange={(v) => set('if_true', v)} />
          <StateSelect label="If false" value={fields.ifFalse} states={states} onChange={(v) => set('if_false', v)} />
        </div>
      </div>
    );
  }
  if (type === 'wait') {
    const list = fields.conditions;
    const setAt = (i: number, patch: Partial<WaitCondition>) => set('conditions', conditionsValue(list.map((c, j) => (j === i ? { ...c, ...patch } : c))));
    return (
      <div className="pf-group" data-testid="pf-wait-conditions">
        <div className="pf-title">Wait until</div>
        {list.length === 0 ? <div className="muted">no condition: only an interaction or the timeout moves on</div> : null}
        {list.map((c, i) => (
          <div key={i} className="pf-row pf-condition">
            <TextField label={`Condition ${i + 1}`} value={c.condition} list="editor-handlers" onCommit={(v) => setAt(i, { condition: v.trim() })} />
            <StateSelect label="then go to" value={c.go_to} states={states} onChange={(v) => setAt(i, { go_to: v ?? '' })} />
            <button className="icon-btn" aria-label={`Remove condition ${i + 1}`} onClick={() => set('conditions', list.length > 1 ? conditionsValue(list.filter((_, j) => j !== i)) : undefined)}>
              ×
            </button>
          </div>
        ))}
        <button className="btn sm" onClick={() => set('conditions', [...conditionsValue(list), { condition: 'condition_name', go_to: states[0] ?? '' }])}>
          + add condition
        </button>
      </div>
    );
  }
  return null;
}

export function StepForm({ kind, fields, names, handlers, problems, onChange }: Props) {
  const name = fields.name;
  const set = (path: string, value: unknown) => onChange({ kind: 'setProperty', name, path, ...(value === undefined || value === '' ? {} : { value }) });
  const candidates = names.filter((n) => n !== name && !fields.dependsOn.includes(n));
  return (
    <div className="prop-form" aria-label={`Properties of ${name}`} data-testid="prop-form">
      {problems.length > 0 ? (
        <ul className="pf-problems" role="alert">
          {problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      ) : null}
      <TextField label="Name" value={name} onCommit={(v) => v.trim() && onChange({ kind: 'rename', from: name, to: v.trim() })} testId="pf-name" />
      <label className="pf-field">
        <span>Type</span>
        <select value={fields.type} onChange={(e) => set('type', e.target.value)}>
          {(kind === 'flow' ? STATE_TYPES : STEP_TYPES).map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </label>
      <TextField label="Handler" value={fields.handler} list="editor-handlers" onCommit={(v) => set('handler', v.trim() || undefined)} placeholder="a handler name" testId="pf-handler" />
      <datalist id="editor-handlers">
        {handlers.map((h) => (
          <option key={h} value={h} />
        ))}
      </datalist>
      <TextField label="Description" value={fields.description} onCommit={(v) => set('description', v || undefined)} />
      {kind === 'workflow' ? (
        <>
          <div className="pf-group">
            <div className="pf-title">Depends on</div>
            {fields.dependsOn.length === 0 ? <div className="muted">nothing (a root step)</div> : null}
            <div className="pf-chips">
              {fields.dependsOn.map((d) => (
                <span key={d} className="pf-chip">
                  {d}
                  <button aria-label={`Remove dependency on ${d}`} onClick={() => onChange({ kind: 'disconnect', from: d, to: name })}>
                    ×
                  </button>
                </span>
              ))}
            </div>
            {candidates.length > 0 ? (
              <select aria-label="Add a dependency" value="" onChange={(e) => e.target.value && onChange({ kind: 'connect', from: e.target.value, to: name })}>
                <option value="">+ add dependency…</option>
                {candidates.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            ) : null}
          </div>
          <div className="pf-group">
            <div className="pf-title">Retry</div>
            <label className="check">
              <input type="checkbox" checked={fields.retry?.retryable ?? false} onChange={(e) => set('retry.retryable', e.target.checked)} /> retryable
            </label>
            <div className="pf-row">
              <TextField label="Max attempts" type="number" value={fields.retry?.max_attempts !== undefined ? String(fields.retry.max_attempts) : ''} onCommit={(v) => set('retry.max_attempts', num(v))} />
              <label className="pf-field">
                <span>Backoff</span>
                <select value={fields.retry?.backoff ?? ''} onChange={(e) => set('retry.backoff', e.target.value || undefined)}>
                  <option value="">default</option>
                  {BACKOFFS.map((b) => (
                    <option key={b} value={b}>
                      {b}
                    </option>
                  ))}
                </select>
              </label>
            </div>
            <TextField label="Backoff base (ms)" type="number" value={fields.retry?.backoff_base_ms !== undefined ? String(fields.retry.backoff_base_ms) : ''} onCommit={(v) => set('retry.backoff_base_ms', num(v))} />
          </div>
          <div className="pf-group">
            <div className="pf-title">Limits</div>
            <TextField label="Timeout (seconds)" type="number" value={fields.timeoutSeconds !== null ? String(fields.timeoutSeconds) : fields.timeout ?? ''} onCommit={(v) => set(fields.timeout !== null && fields.timeoutSeconds === null ? 'timeout' : 'timeout_seconds', fields.timeout !== null && fields.timeoutSeconds === null ? v || undefined : num(v))} />
            <div className="pf-row">
              <TextField label="Concurrency key" value={fields.concurrency?.key ?? ''} onCommit={(v) => set('concurrency.key', v || undefined)} placeholder="{{ input.account_id }}" />
              <TextField label="Limit" type="number" value={fields.concurrency?.limit !== undefined ? String(fields.concurrency.limit) : ''} onCommit={(v) => set('concurrency.limit', num(v))} />
            </div>
          </div>
        </>
      ) : fields.flow ? (
        <FlowStateForm type={fields.type} fields={fields.flow} states={names.filter((n) => n !== name && !n.startsWith('interaction:'))} set={set} />
      ) : null}
      <button className="btn sm danger-outline" onClick={() => onChange({ kind: 'remove', name })}>
        Delete {kind === 'flow' ? 'state' : 'step'} {name}
      </button>
    </div>
  );
}
