/** A workspace template by exact ref, or NOT_FOUND naming the known ones (as the app router's). */
import { NotFoundError } from '../../model/errors.js';
import { templateRef, type Template } from '../../model/template.js';
import type { Workspace } from '../../model/workspace.js';

export function templateByRef(ws: Workspace, ref: string): Template {
  const found = ws.templates.find((t) => templateRef(t) === ref);
  if (!found) throw new NotFoundError('Template', ref, `Known templates: ${ws.templates.map(templateRef).join(', ') || 'none'}.`);
  return found;
}
