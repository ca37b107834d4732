/**
 * Parts of the workbench loaded on first use, not with the page: the forms (@rjsf, ajv) and the
 * template editor (yaml, its canvas). They were a third of the first bundle, parsed and run
 * before anything was drawn. Each renders nothing (the editor: an empty main area) while its
 * chunk loads.
 */
import { lazy, Suspense, type ComponentProps } from 'react';

const StartTaskDialogPart = lazy(() => import('./StartTaskDialog.js').then((m) => ({ default: m.StartTaskDialog })));
const InteractionDialogPart = lazy(() => import('./debug/InteractionDialog.js').then((m) => ({ default: m.InteractionDialog })));
const TemplateEditorPart = lazy(() => import('./editor/TemplateEditor.js').then((m) => ({ default: m.TemplateEditor })));

export function StartTaskDialog(props: ComponentProps<typeof StartTaskDialogPart>) {
  return (
    <Suspense fallback={null}>
      <StartTaskDialogPart {...props} />
    </Suspense>
  );
}

export function InteractionDialog(props: ComponentProps<typeof InteractionDialogPart>) {
  return (
    <Suspense fallback={null}>
      <InteractionDialogPart {...props} />
    </Suspense>
  );
}

export function TemplateEditor(props: ComponentProps<typeof TemplateEditorPart>) {
  return (
    <Suspense fallback={<main className="main" aria-busy="true" aria-label="Template editor" />}>
      <TemplateEditorPart {...props} />
    </Suspense>
  );
}
