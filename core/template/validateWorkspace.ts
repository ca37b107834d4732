/**
 * Checks that need the whole workspace rather than one template: a `subtask` step must name a
 * template the workspace has, or it would only fail when a task reaches that step.
 */
import { StepwiseError } from '../model/errors.js';
import type { Problem } from '../model/problem.js';
import { templateRef, type Template } from '../model/template.js';
import { closest, makeProblem } from './problems.js';
import { createTemplateRegistry } from './registry.js';

export function validateSubtaskTemplates(templates: readonly Template[], root?: string): Problem[] {
  const registry = createTemplateRegistry(templates, root !== undefined ? { root } : {});
  const known = [...new Set(templates.map((t) => `${t.namespace}/${t.name}`))].sort();
  const problems: Problem[] = [];
  for (const t of templates) {
    if (t.kind !== 'workflow') continue;
    for (const step of t.steps) {
      const ref = step.subtask?.template;
      if (ref === undefined || ref === '') continue;
      try {
        registry.resolve(ref);
      } catch (err) {
        if (!(err instanceof StepwiseError) || err.code !== 'TEMPLATE_NOT_FOUND') throw err;
        const why = err.message.includes('ambiguous') ? 'which is ambiguous: several namespaces have it' : 'which is not a template of this workspace';
        const near = closest(ref, known);
        const at = step.fieldLocs?.['subtask.template'] ?? step.fieldLocs?.subtask ?? step.loc ?? t.loc ?? (t.source.file !== undefined ? { file: t.source.file } : undefined);
        problems.push(
          makeProblem('UNKNOWN_TEMPLATE', `step \`${step.name}\` starts a subtask of \`${ref}\`, ${why}`, at, {
            template: templateRef(t),
            node: step.name,
            hint: near ? `did you mean \`${near}\`?` : known.length > 0 ? `known templates: ${known.join(', ')}` : 'add the template to templates/',
          }),
        );
      }
    }
  }
  return problems;
}
