/**
 * Loading a user's workspace in their tests: templates by reference, handlers for `testState` and
 * `runStep`. A workspace with problems is refused with every problem listed, so a test never runs
 * against a half-loaded workspace.
 */
import { StepwiseError } from '../model/errors.js';
import { formatProblem } from '../model/problem.js';
import type { FlowTemplate, Template, WorkflowTemplate } from '../model/template.js';
import type { HandlerEntry, Workspace } from '../model/workspace.js';
import { createTemplateRegistry } from '../template/registry.js';
import { loadWorkspace } from '../template/workspace.js';

export interface TestWorkspace {
  workspace: Workspace;
  handlers: ReadonlyMap<string, HandlerEntry>;
  template(ref: string): Template;
  workflow(ref: string): WorkflowTemplate;
  flow(ref: string): FlowTemplate;
}

export async function loadTestWorkspace(root: string = process.cwd()): Promise<TestWorkspace> {
  const workspace = await loadWorkspace(root);
  const errors = workspace.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new StepwiseError('WORKSPACE_INVALID', `The workspace ${workspace.root} has problems:\n${errors.map(formatProblem).join('\n')}`);
  }
  const registry = createTemplateRegistry(workspace.templates, { root: workspace.root });
  const ofKind = <K extends Template['kind']>(ref: string, kind: K): Extract<Template, { kind: K }> => {
    const t = registry.resolve(ref);
    if (t.kind !== kind) throw new StepwiseError('USAGE', `Template ${ref} is a ${t.kind}, not a ${kind}.`);
    return t as Extract<Template, { kind: K }>;
  };
  return {
    workspace,
    handlers: workspace.handlers,
    template: (ref) => registry.resolve(ref),
    workflow: (ref) => ofKind(ref, 'workflow'),
    flow: (ref) => ofKind(ref, 'flow'),
  };
}
