/**
 * Template editing (offline design) of a YAML template: add and delete steps, connect and
 * disconnect them on the canvas, edit properties in the side form. Every change goes through the
 * host's editor API, which returns the new text with its problems (marked on the nodes) and
 * graph; undo/redo walk the texts; Save writes the file back keeping comments and order, refused
 * when the file changed on disk meanwhile. TypeScript templates are shown read-only.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ReactFlowProvider } from '@xyflow/react';
import type { EditOp, EditorState } from '../../../core/host/protocol.js';
import { announce } from '../../lib/announce.js';
import { errorText, useServices } from '../../lib/context.js';
import { clock } from '../../lib/format.js';
import { canRedo, canUndo, current, push, redo, startHistory, undo, type History } from '../../lib/editHistory.js';
import { toGraphView } from '../../lib/graphView.js';
import type { Direction } from '../../lib/layout.js';
import { readStepFields } from '../../lib/templateFields.js';
import { useTRPC, type Outputs } from '../../lib/trpc.js';
import { AddNodeDialog, type NewNode } from './AddNodeDialog.js';
import { EditorCanvas } from './EditorCanvas.js';
import { StepForm, type PropertyChange } from './StepForm.js';
import './editor.css';

interface Props {
  templateRef: string;
  direction: Direction;
  onClose: () => void;
}

export function TemplateEditor({ templateRef, direction, onClose }: Props) {
  const { client } = useServices();
  const trpc = useTRPC();
  // The text as opened: kept across workspace reloads and reconnects (the edits build on it);
  // read again only when the user asks to reload it from disk.
  const opened = useQuery({ ...trpc.edit.open.queryOptions({ ref: templateRef }), meta: { keep: true }, gcTime: 0 });
  const workspace = useQuery(trpc.workspace.queryOptions());
  const [session, setSession] = useState<{ from: Outputs['edit']['open']; history: History<EditorState>; hash: string | null; savedText: string } | null>(null);
  // A new answer (first open, or reloaded from disk) starts a new edit session.
  if (opened.data && opened.data !== session?.from) {
    const o = opened.data;
    setSession({ from: o, history: startHistory({ text: o.text, problems: o.problems, graph: o.graph, changed: [] }), hash: o.hash, savedText: o.text });
  }
  const history = session?.history ?? null;
  const setHistory = useCallback((h: History<EditorState>) => setSession((s) => (s ? { ...s, history: h } : s)), []);
  const hash = session?.hash ?? null;
  const savedText = session?.savedText ?? '';
  const [selected, setSelected] = useState<string | null>(null);
  const [selectedEdge, setSelectedEdge] = useState<{ from: string; to: string } | null>(null);
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState(false);
  // Shown beside Save (not only announced): which file was written, and when.
  const [savedAt, setSavedAt] = useState<{ file: string; at: number } | null>(null);
  const [tab, setTab] = useState<'problems' | 'yaml'>('problems');

  const state = history ? current(history) : null;
  const view = useMemo(() => (state?.graph ? toGraphView(state.graph) : null), [state]);
  const editable = opened.data?.editable === true;
  const kind = opened.data?.kind ?? 'workflow';
  const dirty = state !== null && state.text !== savedText;
  const errors = state?.problems.filter((p) => p.severity === 'error').length ?? 0;
  const names = useMemo(() => view?.nodes.map((n) => n.id) ?? [], [view]);

  const perform = useCallback(
    async (op: EditOp): Promise<string | null> => {
      if (!history) return 'Nothing is open.';
      setBusy(true);
      setError(null);
      try {
        const next = await client.edit.perform.mutate({ ref: templateRef, text: current(history).text, op });
        setHistory(push(history, next));
        const errs = next.problems.filter((p) => p.severity === 'error').length;
        announce(`${op.kind} applied; ${errs === 0 ? 'no problems' : `${errs} problem${errs === 1 ? '' : 's'}`}.`);
        if (op.kind === 'rename' && selected === op.from) setSelected(op.to);
        if (op.kind === 'remove' && selected === op.name) setSelected(null);
        return null;
      } catch (err) {
        const text = errorText(err);
        setError(text);
        return text;
      } finally {
        setBusy(false);
      }
    },
    [client, templateRef, history, selected, setHistory],
  );

  const save = useCallback(async () => {
    if (!state || !hash || !dirty) return;
    // A file with errors makes the template invalid for everyone (the workspace reports it, no task can start): ask first.
    if (errors > 0 && !window.confirm(`The template has ${errors} error${errors === 1 ? '' : 's'}. Save it anyway? Until fixed it is invalid: no task of it can start.`)) return;
    setBusy(true);
    setError(null);
    try {
      const saved = await client.edit.save.mutate({ ref: templateRef, text: state.text, expectedHash: hash });
      setSession((s) => (s ? { ...s, hash: saved.hash, savedText: state.text } : s));
      setSavedAt({ file: saved.file, at: Date.now() });
      announce(`Saved ${saved.file}.`);
    } catch (err) {
      const code = (err as { data?: { stepwise?: { code?: string } } }).data?.stepwise?.code;
      setStale(code === 'STALE');
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }, [client, templateRef, state, hash, dirty, errors]);

  const deleteSelection = useCallback(() => {
    if (!editable) return;
    if (selectedEdge) {
      void perform({ kind: 'disconnect', from: selectedEdge.from, to: selectedEdge.to });
      setSelectedEdge(null);
    } else if (selected) void perform({ kind: 'remove', name: selected });
  }, [editable, selected, selectedEdge, perform]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || !history) return;
      const k = e.key.toLowerCase();
      if (k === 's') {
        e.preventDefault();
        void save();
      } else if ((k === 'z' && e.shiftKey) || k === 'y') {
        e.preventDefault();
        setHistory(redo(history));
      } else if (k === 'z') {
        if ((e.target as HTMLElement).closest('input, textarea')) return;
        e.preventDefault();
        setHistory(undo(history));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [history, save, setHistory]);

  const fields = selected && state ? readStepFields(state.text, selected) : null;
  const close = () => {
    if (dirty && !window.confirm('Discard the unsaved changes to this template?')) return;
    onClose();
  };

  return (
    <div style={{ display: 'contents' }}>
      <main className="main editor" aria-label="Template editor">
        <div className="toolbar view-toolbar" role="toolbar" aria-label="Editor">
          <div className="toolbar-title">
            <span className="editing-tag">{editable ? 'editing' : 'read-only'}</span>
            <h1 title={templateRef}>
              {templateRef.replace(/@.*/, '')}
              {dirty ? <span className="dirty" title="Unsaved changes"> ●</span> : null}
            </h1>
            <span className="ref toolbar-sub" title={opened.data?.file ?? ''}>
              {opened.data?.file ?? ''}
            </span>
          </div>
          <div className="toolbar-actions">
            {editable ? (
              <>
                <button className="btn" onClick={() => setAdding(true)} disabled={busy || !state}>
                  + Add {kind === 'flow' ? 'state' : 'step'}
                </button>
                <button className="btn" onClick={deleteSelection} disabled={busy || (!selected && !selectedEdge)} title={selectedEdge ? `Disconnect ${selectedEdge.from} → ${selectedEdge.to} (Delete)` : selected ? `Delete ${selected} (Delete)` : 'Select a node or an edge'}>
                  {selectedEdge ? 'Disconnect' : 'Delete'}
                </button>
                <div className="seg" role="group" aria-label="History">
                  <button onClick={() => history && setHistory(undo(history))} disabled={!history || !canUndo(history)} title="Undo (Ctrl+Z)">
                    Undo
                  </button>
                  <button onClick={() => history && setHistory(redo(history))} disabled={!history || !canRedo(history)} title="Redo (Ctrl+Shift+Z)">
                    Redo
                  </button>
                </div>
                <span className={`problem-count${errors ? ' bad' : ''}`} data-testid="editor-problems-count">
                  {errors ? `${errors} error${errors === 1 ? '' : 's'}` : 'valid'}
                </span>
                {savedAt && !dirty ? (
                  <span className="save-status" data-testid="editor-saved" title={savedAt.file}>
                    Saved {clock(savedAt.at)}
                  </span>
                ) : null}
                <button className="btn primary" onClick={() => void save()} disabled={!dirty || busy} title={errors ? `Save to the file (Ctrl+S): it has ${errors} error${errors === 1 ? '' : 's'}, you will be asked first` : 'Save to the file (Ctrl+S)'}>
                  {errors ? 'Save…' : 'Save'}
                </button>
              </>
            ) : null}
            <button className="btn" onClick={close}>
              Close editor
            </button>
          </div>
        </div>
        {opened.error ? <div className="banner error">{errorText(opened.error)}</div> : null}
        {opened.data && !editable ? (
          <div className="banner warn" role="note" data-testid="read-only">
            Read-only: {opened.data.readOnlyReason}
          </div>
        ) : null}
        {error ? (
          <div className="banner error" role="alert">
            {error}
            {stale ? (
              <button className="btn sm" style={{ marginLeft: 8 }} onClick={() => {
                  setStale(false);
                  setError(null);
                  void opened.refetch();
                }}>
                Reload from disk (drops your edits)
              </button>
            ) : null}
          </div>
        ) : null}
        {view ? (
          <ReactFlowProvider>
            <EditorCanvas
              view={view}
              direction={direction}
              problems={state?.problems ?? []}
              selected={selected}
              selectedEdge={selectedEdge}
              onSelect={(id) => {
                setSelected(id);
                setSelectedEdge(null);
              }}
              onSelectEdge={(e) => {
                setSelectedEdge(e);
                if (e) setSelected(null);
              }}
              onConnect={(from, to) => editable && void perform({ kind: 'connect', from, to })}
              onDeleteSelection={deleteSelection}
            />
          </ReactFlowProvider>
        ) : (
          <div className="canvas-wrap">{state && !state.graph ? <div className="canvas-status">The text is not a readable template: see the problems.</div> : null}</div>
        )}
        {editable ? (
        <section className="editor-bottom" aria-label="Problems and YAML">
          <div className="dock-tabs" role="tablist">
            <button role="tab" aria-selected={tab === 'problems'} onClick={() => setTab('problems')}>
              Problems {state ? `(${state.problems.length})` : ''}
            </button>
            <button role="tab" aria-selected={tab === 'yaml'} onClick={() => setTab('yaml')}>
              YAML
            </button>
          </div>
          <div className="editor-bottom-body" role="tabpanel">
            {tab === 'problems' ? (
              state && state.problems.length === 0 ? (
                <div className="empty">No problems: the template is valid.</div>
              ) : (
                <ul className="problem-list" data-testid="editor-problems">
                  {state?.problems.map((p, i) => (
                    <li key={i} className={p.severity}>
                      <button className="link" onClick={() => p.node && setSelected(p.node)} disabled={!p.node}>
                        {p.text}
                      </button>
                    </li>
                  ))}
                </ul>
              )
            ) : (
              <pre className="yaml-view" data-testid="editor-yaml">
                {state?.text}
              </pre>
            )}
          </div>
        </section>
        ) : null}
      </main>
      <aside className="inspector editor-side" aria-label="Properties">
        <div className="inspector-head">
          <h2>{selected ?? (selectedEdge ? `${selectedEdge.from} → ${selectedEdge.to}` : 'Properties')}</h2>
        </div>
        <div className="inspector-body">
          {fields && editable ? (
            <StepForm
              key={`${selected}:${history?.index}`}
              kind={kind}
              fields={fields}
              names={names}
              handlers={workspace.data?.handlers ?? []}
              problems={(state?.problems ?? []).filter((p) => p.node === selected).map((p) => `${p.code}: ${p.message}`)}
              onChange={(c: PropertyChange) => void perform(c as EditOp)}
            />
          ) : selectedEdge && editable ? (
            <div>
              <p className="muted">
                {kind === 'flow' ? 'A transition' : `${selectedEdge.to} depends on ${selectedEdge.from}`}.
              </p>
              <button className="btn sm" onClick={deleteSelection}>
                Disconnect
              </button>
            </div>
          ) : (
            <div className="empty">
              {editable
                ? 'Select a node to edit its properties. Drag from a node’s right handle to another node to connect them; select an edge and press Delete to disconnect.'
                : `Read-only: ${opened.data?.file ?? 'defined in code'}. ${view ? `${view.nodes.length} ${kind === 'flow' ? 'states' : 'steps'}.` : ''}`}
            </div>
          )}
        </div>
      </aside>
      {adding ? (
        <AddNodeDialog
          templateKind={kind}
          names={names}
          handlers={workspace.data?.handlers ?? []}
          after={selected}
          onAdd={(node: NewNode) => perform(node.kind === 'addStep' ? { kind: 'addStep', step: node.step, ...(selected ? { after: selected } : {}) } : node)}
          onClose={() => setAdding(false)}
        />
      ) : null}
    </div>
  );
}
