/**
 * Template editing over the protocol (core/template/edit does the work). The host keeps no
 * editor state: the client sends the text it holds with each edit and gets the new text, its
 * problems (positioned, with the workspace's handlers known) and the graph to draw; undo/redo are
 * texts the client keeps. Save names the hash of the text it opened and is refused with STALE
 * when the file changed on disk since. Only YAML templates are editable; TypeScript ones are
 * described read-only with their file.
 */
import path from 'node:path';
import { z } from 'zod';
import { StepwiseError } from '../../model/errors.js';
import type { Template } from '../../model/template.js';
import type { Workspace } from '../../model/workspace.js';
import { templateGraph, type TemplateGraph } from '../../export/graphModel.js';
import { handlerChecks } from '../../template/validateCommon.js';
import { readTemplateText } from '../../template/loadTemplate.js';
import {
  addState,
  addStep,
  connect,
  disconnect,
  readTemplateForEdit,
  removeState,
  removeStep,
  renameState,
  renameStep,
  saveTemplate,
  setStateProperty,
  setStepProperty,
  templateProblems,
  type EditOptions,
  type EditResult,
  type NewState,
  type NewStep,
} from '../../template/edit/index.js';
import { placeProblems } from '../../template/edit/problemNodes.js';
import { EDIT_TEXT_TOO_LONG, MAX_EDIT_TEXT_CHARS } from '../limits.js';
import type { ProblemView } from '../protocol.js';
import { templateByRef as findTemplate } from './findTemplate.js';
import { problemView } from '../summaries.js';
import { procedure, router } from '../trpc.js';

const name = z.string().min(1).max(500);
const text = z.string().max(MAX_EDIT_TEXT_CHARS, EDIT_TEXT_TOO_LONG);

export const editOp = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('addStep'),
    step: z.object({
      name,
      type: z.string().max(100).optional(),
      handler: z.string().max(500).optional(),
      dependsOn: z.array(name).max(500).optional(),
      description: z.string().max(5000).optional(),
    }),
    after: name.optional(),
  }),
  z.object({ kind: z.literal('addState'), state: z.object({ name, type: z.enum(['action', 'decision', 'wait', 'result']), handler: z.string().max(500).optional(), goTo: z.string().max(500).optional() }) }),
  z.object({ kind: z.literal('remove'), name }),
  z.object({ kind: z.literal('rename'), from: name, to: name }),
  z.object({ kind: z.literal('connect'), from: name, to: name }),
  z.object({ kind: z.literal('disconnect'), from: name, to: name }),
  /** `value` undefined (absent) removes the property. */
  z.object({ kind: z.literal('setProperty'), name, path: z.string().min(1).max(200), value: z.json().optional() }),
]);
export type EditOp = z.infer<typeof editOp>;

export interface EditorState {
  /** Text after the edit (or as read). */
  text: string;
  problems: ProblemView[];
  /** Null when the text cannot be read as a template (syntax errors): the problems say why. */
  graph: TemplateGraph | null;
  /** Steps or states the edit changed besides its target. */
  changed: string[];
}

export interface EditorOpen extends EditorState {
  ref: string;
  kind: Template['kind'];
  /** Relative to the workspace. */
  file: string | null;
  editable: boolean;
  /** Why not, when not editable. */
  readOnlyReason: string | null;
  /** sha256 of the text on disk: pass back to save. */
  hash: string | null;
}

function fileOf(ws: Workspace, template: Template): string {
  const file = template.source.file;
  if (!file || template.source.kind !== 'yaml') {
    throw new StepwiseError('USAGE', `${template.namespace}/${template.name} is defined in ${template.source.kind === 'ts' ? `TypeScript (${file ? path.relative(ws.root, file) : 'inline'})` : 'code'}; only YAML templates are edited in the workbench. Edit its file in your editor.`);
  }
  return path.resolve(ws.root, file);
}

function options(ws: Workspace, file: string): EditOptions {
  return { file, validate: handlerChecks(ws.handlers) };
}

function stateOf(ws: Workspace, file: string, result: Pick<EditResult, 'text' | 'problems' | 'changed'>): EditorState {
  const read = readTemplateText(result.text, file);
  return {
    text: result.text,
    // Reading problems (a step without a handler) get their step too, for the node's badge.
    problems: placeProblems(result.text, result.problems).map((p) => problemView(ws.root, p)),
    graph: read.template ? templateGraph(read.template) : null,
    changed: result.changed,
  };
}

function runEdit(textIn: string, op: EditOp, opts: EditOptions, kind: Template['kind']): EditResult {
  switch (op.kind) {
    case 'addStep':
      return addStep(textIn, op.step as NewStep, { ...opts, ...(op.after ? { after: op.after } : {}) });
    case 'addState':
      return addState(textIn, op.state as NewState, opts);
    case 'remove':
      return kind === 'flow' ? removeState(textIn, op.name, opts) : removeStep(textIn, op.name, opts);
    case 'rename':
      return kind === 'flow' ? renameState(textIn, op.from, op.to, opts) : renameStep(textIn, op.from, op.to, opts);
    case 'connect':
      return connect(textIn, op.from, op.to, opts);
    case 'disconnect':
      return disconnect(textIn, op.from, op.to, opts);
    case 'setProperty':
      return kind === 'flow' ? setStateProperty(textIn, op.name, op.path, op.value, opts) : setStepProperty(textIn, op.name, op.path, op.value, opts);
  }
}

export const editRouter = router({
  open: procedure.input(z.object({ ref: name })).query(async ({ ctx, input }): Promise<EditorOpen> => {
    const ws = ctx.services.workspace();
    const template = findTemplate(ws, input.ref);
    const relative = template.source.file ? path.relative(ws.root, path.resolve(ws.root, template.source.file)) : null;
    if (template.source.kind !== 'yaml' || !template.source.file) {
      return {
        ref: input.ref,
        kind: template.kind,
        file: relative,
        editable: false,
        readOnlyReason: `Defined in ${template.source.kind === 'ts' ? 'TypeScript' : 'code'}${relative ? ` (${relative})` : ''}: edit it in your editor; the workbench edits YAML templates only.`,
        hash: null,
        text: '',
        problems: [],
        graph: templateGraph(template),
        changed: [],
      };
    }
    const file = fileOf(ws, template);
    const snap = await readTemplateForEdit(file);
    if (snap.text.length > MAX_EDIT_TEXT_CHARS) {
      // Every edit would be refused (it sends the whole text back): say so once, up front.
      return { ref: input.ref, kind: template.kind, file: relative, editable: false, readOnlyReason: EDIT_TEXT_TOO_LONG, hash: null, text: '', problems: [], graph: templateGraph(template), changed: [] };
    }
    const opts = options(ws, file);
    return { ref: input.ref, kind: template.kind, file: relative, editable: true, readOnlyReason: null, hash: snap.hash, ...stateOf(ws, file, { text: snap.text, problems: templateProblems(snap.text, opts), changed: [] }) };
  }),

  /** One edit of the text the client holds; refused edits (unknown step, duplicate name) throw typed errors. */
  perform: procedure.input(z.object({ ref: name, text, op: editOp })).mutation(({ ctx, input }): EditorState => {
    const ws = ctx.services.workspace();
    const template = findTemplate(ws, input.ref);
    const file = fileOf(ws, template);
    return stateOf(ws, file, runEdit(input.text, input.op, options(ws, file), template.kind));
  }),

  /** Problems and graph of a text as it stands (after undo/redo). */
  check: procedure.input(z.object({ ref: name, text })).query(({ ctx, input }): EditorState => {
    const ws = ctx.services.workspace();
    const file = fileOf(ws, findTemplate(ws, input.ref));
    return stateOf(ws, file, { text: input.text, problems: templateProblems(input.text, options(ws, file)), changed: [] });
  }),

  save: procedure.input(z.object({ ref: name, text, expectedHash: z.string().regex(/^[0-9a-f]{64}$/) })).mutation(async ({ ctx, input }) => {
    const ws = ctx.services.workspace();
    const file = fileOf(ws, findTemplate(ws, input.ref));
    const snap = await saveTemplate(file, input.text, { expectedHash: input.expectedHash });
    return { hash: snap.hash, file: path.relative(ws.root, snap.file) };
  }),
});
