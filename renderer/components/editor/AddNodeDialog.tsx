/** "Add step" (or state): name, type, handler and, for a step, what it depends on. */
import { useState } from 'react';
import { Dialog } from '../debug/Dialog.js';

export type NewNode =
  | { kind: 'addStep'; step: { name: string; type?: string; handler?: string; dependsOn?: string[] } }
  | { kind: 'addState'; state: { name: string; type: 'action' | 'decision' | 'wait' | 'result'; handler?: string } };

interface Props {
  templateKind: 'workflow' | 'flow';
  names: string[];
  handlers: string[];
  /** Pre-selected dependency (the selected step). */
  after: string | null;
  onAdd: (node: NewNode) => Promise<string | null>;
  onClose: () => void;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function AddNodeDialog({ templateKind, names, handlers, after, onAdd, onClose }: Props) {
  const flow = templateKind === 'flow';
  const [name, setName] = useState('');
  const [type, setType] = useState(flow ? 'action' : 'standard');
  const [handler, setHandler] = useState('');
  const [deps, setDeps] = useState<string[]>(after && !flow ? [after] : []);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameError = name === '' ? null : !NAME.test(name) ? 'Letters, digits, _ and -; not starting with a digit.' : names.includes(name) ? `There already is a ${flow ? 'state' : 'step'} ${name}.` : null;
  const submit = async () => {
    if (!name || nameError) return;
    setBusy(true);
    const node: NewNode = flow
      ? { kind: 'addState', state: { name, type: type as 'action', ...(handler ? { handler } : {}) } }
      : // A step needs a handler: an empty field means the step's name, as the placeholder says (written out, so the file is valid).
        { kind: 'addStep', step: { name, ...(type !== 'standard' ? { type } : {}), handler: handler || name, ...(deps.length ? { dependsOn: deps } : {}) } };
    const refusal = await onAdd(node);
    setBusy(false);
    if (refusal) setError(refusal);
    else onClose();
  };
  return (
    <Dialog
      label={flow ? 'Add state' : 'Add step'}
      title={flow ? 'Add state' : 'Add step'}
      onClose={onClose}
      testId="add-node-dialog"
      footer={
        <>
          <button className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn primary" disabled={!name || nameError !== null || busy} onClick={() => void submit()}>
            Add {flow ? 'state' : 'step'}
          </button>
        </>
      }
    >
      {error ? (
        <div className="form-error" role="alert">
          {error}
        </div>
      ) : null}
      <label className="field">
        <span>Name</span>
        <input type="text" value={name} data-autofocus onChange={(e) => setName(e.target.value.trim())} aria-invalid={nameError !== null} onKeyDown={(e) => e.key === 'Enter' && void submit()} />
        {nameError ? <span className="field-error">{nameError}</span> : null}
      </label>
      <label className="field">
        <span>Type</span>
        <select value={type} onChange={(e) => setType(e.target.value)}>
          {(flow ? ['action', 'decision', 'wait', 'result'] : ['standard', 'decision', 'deferred_convergence', 'batchable', 'batch_worker', 'wait', 'subtask']).map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Handler</span>
        <input type="text" list="add-handlers" value={handler} onChange={(e) => setHandler(e.target.value.trim())} placeholder={flow ? '' : 'defaults to the step name'} />
        <datalist id="add-handlers">
          {handlers.map((h) => (
            <option key={h} value={h} />
          ))}
        </datalist>
      </label>
      {!flow ? (
        <fieldset className="field deps">
          <legend>Depends on</legend>
          {after && deps.includes(after) ? (
            <p className="field-note" data-testid="deps-note">
              <code>{after}</code> is ticked because it is selected: untick it to add the step unconnected.
            </p>
          ) : null}
          <div className="dep-options">
            {names.map((n) => (
              <label key={n} className="check">
                <input type="checkbox" checked={deps.includes(n)} onChange={(e) => setDeps(e.target.checked ? [...deps, n] : deps.filter((d) => d !== n))} /> {n}
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
    </Dialog>
  );
}
