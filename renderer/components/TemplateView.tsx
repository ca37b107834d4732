/** A template drawn as a flowchart, with its problems and the Start task form. */
import { useMemo, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { useQuery } from '@tanstack/react-query';
import { errorText } from '../lib/context.js';
import { toGraphView } from '../lib/graphView.js';
import { concreteDirection, type DirectionChoice } from '../lib/readableFit.js';
import { useTRPC } from '../lib/trpc.js';
import { GraphCanvas } from './GraphCanvas.js';
import { Inspector } from './Inspector.js';
import { Toolbar } from './Toolbar.js';
// Issue 7: export and the template editor.
import { ExportMenu } from './debug/ExportMenu.js';
// Loaded on first use (./lazyParts.tsx).
import { StartTaskDialog, TemplateEditor } from './lazyParts.js';

interface Props {
  templateRef: string;
  direction: DirectionChoice;
  onDirection: (d: DirectionChoice) => void;
  onTaskStarted: (taskId: string) => void;
}

export function TemplateView({ templateRef, direction, onDirection, onTaskStarted }: Props) {
  const trpc = useTRPC();
  // Read again on every workspace reload (the template may have changed): see App.
  // The layout comes with the graph (one round trip); another direction asks again, showing
  // this template's graph meanwhile.
  const result = useQuery({
    ...trpc.templateGraph.queryOptions({ ref: templateRef, direction: concreteDirection(direction) }),
    placeholderData: (previous) => (previous?.template.ref === templateRef ? previous : undefined),
  });
  const [selected, setSelected] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  // The editor stays open across a reload (kept per template in localStorage).
  const [editing, setEditingState] = useState(() => localStorage.getItem('stepwise.editing') === templateRef);
  const setEditing = (on: boolean) => {
    if (on) localStorage.setItem('stepwise.editing', templateRef);
    else localStorage.removeItem('stepwise.editing');
    setEditingState(on);
  };
  const view = useMemo(() => (result.data ? toGraphView(result.data.graph) : null), [result.data]);
  const template = result.data?.template;
  const selectedNode = view?.nodes.find((n) => n.id === selected) ?? null;
  if (editing) return <TemplateEditor templateRef={templateRef} direction={concreteDirection(direction)} onClose={() => setEditing(false)} />;
  return (
    <div style={{ display: 'contents' }}>
      <main className="main" aria-label="Template">
        <Toolbar
          title={template ? `${template.namespace}/${template.name}` : templateRef}
          subtitle={
            template ? (
              <span className="ref">
                v{template.version} · {template.kind} · {template.nodeCount} {template.kind === 'flow' ? 'states' : 'steps'}
                {template.file ? ` · ${template.file}` : ''}
              </span>
            ) : null
          }
          {...(template ? { subtitleText: `v${template.version} · ${template.kind} · ${template.nodeCount} ${template.kind === 'flow' ? 'states' : 'steps'}${template.file ? ` · ${template.file}` : ''}` } : {})}
          direction={direction}
          onDirection={onDirection}
        >
          <button className="btn primary" disabled={!template || !template.valid} onClick={() => setStarting(true)} title={template && !template.valid ? 'Fix the template problems first' : undefined}>
            ▶ Start task
          </button>
          <button className="btn" disabled={!template} onClick={() => setEditing(true)} title={template?.sourceKind === 'yaml' ? 'Edit this template (add steps, connect them, change properties)' : 'Show how this template is defined (TypeScript templates are read-only here)'}>
            {template?.sourceKind === 'yaml' ? 'Edit' : 'View source'}
          </button>
          <ExportMenu source={{ ref: templateRef }} direction={concreteDirection(direction)} />
        </Toolbar>
        {result.error ? <div className="banner error">{errorText(result.error)}</div> : null}
        {template && template.problems.length > 0 ? (
          <div className={`banner ${template.valid ? 'warn' : 'error'}`} role="alert" data-testid="template-problems">
            {template.valid ? 'Warnings' : `This template has ${template.problems.length} problem(s); it cannot run until they are fixed.`}
            <ul>
              {template.problems.map((p, i) => (
                <li key={i}>{p.text}</li>
              ))}
            </ul>
          </div>
        ) : null}
        {view ? (
          <ReactFlowProvider>
            <GraphCanvas view={view} direction={direction} live={null} selected={selected} onOpenNode={setSelected} prefetched={result.data?.layout ?? null} />
          </ReactFlowProvider>
        ) : (
          <div className="canvas-wrap" />
        )}
      </main>
      {selectedNode && view ? <Inspector node={selectedNode} graph={view} onClose={() => setSelected(null)} /> : <span />}
      {starting && template ? (
        <StartTaskDialog
          template={template}
          onClose={() => setStarting(false)}
          onStarted={(id) => {
            setStarting(false);
            onTaskStarted(id);
          }}
        />
      ) : null}
    </div>
  );
}
