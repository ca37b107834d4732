/** Pure mapping from a loaded Workspace to what the sidebar shows. */
import path from 'node:path';
import { formatProblem, type Problem } from '../model/problem.js';
import { templateRef, type Template } from '../model/template.js';
import type { Workspace } from '../model/workspace.js';
import type { ProblemView, TemplateSummary, WorkspaceChange, WorkspaceInfo } from './protocol.js';

export function relativeTo(root: string, file: string | undefined): string | null {
  if (!file) return null;
  return path.isAbsolute(file) ? path.relative(root, file) : file;
}

export function problemView(root: string, p: Problem): ProblemView {
  const file = relativeTo(root, p.file) ?? undefined;
  const shown: Problem = { ...p, file };
  return { ...shown, text: formatProblem(shown) };
}

/** A problem concerns a template when it names it, or names its file and no other template. */
function problemsOf(ws: Workspace, template: Template): Problem[] {
  const ref = templateRef(template);
  const short = `${template.namespace}/${template.name}`;
  const file = template.source.file;
  const sameFile = ws.templates.filter((t) => t.source.file === file).length;
  return ws.problems.filter((p) => {
    if (p.template !== undefined) return p.template === ref || p.template === short || p.template === template.name;
    return file !== undefined && p.file !== undefined && path.resolve(ws.root, p.file) === path.resolve(ws.root, file) && sameFile === 1;
  });
}

export function summarizeTemplate(ws: Workspace, template: Template): TemplateSummary {
  const problems = problemsOf(ws, template).map((p) => problemView(ws.root, p));
  return {
    ref: templateRef(template),
    namespace: template.namespace,
    name: template.name,
    version: template.version,
    kind: template.kind,
    description: template.description ?? null,
    file: relativeTo(ws.root, template.source.file),
    sourceKind: template.source.kind,
    nodeCount: template.kind === 'workflow' ? template.steps.length : template.states.length,
    valid: !problems.some((p) => p.severity === 'error'),
    problems,
    inputSchema: (template.kind === 'workflow' ? template.inputSchema : template.attributesSchema) ?? null,
  };
}

/** Sorted by namespace, then name, then version, so the sidebar order is stable. */
export function summarizeTemplates(ws: Workspace): TemplateSummary[] {
  return ws.templates
    .map((t) => summarizeTemplate(ws, t))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

export function workspaceInfo(ws: Workspace, database: string, lastChange: WorkspaceChange | null): WorkspaceInfo {
  return {
    root: ws.root,
    name: path.basename(ws.root),
    database,
    files: ws.files.map((f) => relativeTo(ws.root, f) ?? f).sort(),
    handlers: [...ws.handlers.keys()].sort(),
    templateCount: ws.templates.length,
    problems: ws.problems.map((p) => problemView(ws.root, p)),
    lastChange,
  };
}
