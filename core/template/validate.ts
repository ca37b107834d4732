/** Validation of any template: every problem at once, each with file, line, column and a hint. */
import type { Problem } from '../model/problem.js';
import type { Template } from '../model/template.js';
import { assertNever } from '../model/errors.js';
import { validateFlow } from './validateFlow.js';
import { validateWorkflow } from './validateWorkflow.js';
import type { ValidateOptions } from './validateCommon.js';

export type { ValidateOptions } from './validateCommon.js';

export function validateTemplate(template: Template, options: ValidateOptions = {}): Problem[] {
  switch (template.kind) {
    case 'workflow':
      return validateWorkflow(template, options);
    case 'flow':
      return validateFlow(template, options);
    default:
      return assertNever(template, 'template kind');
  }
}
