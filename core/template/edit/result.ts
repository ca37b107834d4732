/**
 * The end of every edit: apply the text changes, check the result is still YAML (a failure here
 * is a bug in the editor, and nothing is returned), then read and validate it with the same
 * reader and validator as loading, so problems carry positions in the new text.
 */
import type { Problem } from '../../model/problem.js';
import { readTemplateText } from '../loadTemplate.js';
import { parseYamlDocument } from '../yamlTree.js';
import { validateTemplate, type ValidateOptions } from '../validate.js';
import { TemplateEditError } from './errors.js';
import { TemplateDoc } from './document.js';
import type { Splicer } from './splice.js';
import { applyEdits } from './text.js';

export interface EditOptions {
  /** The file the text belongs to: problems are placed in it. Default `template.yaml`. */
  file?: string;
  /** Handler lookups (the workspace's), so problems include UNKNOWN_HANDLER. */
  validate?: ValidateOptions;
}

export interface EditResult {
  /** The whole new YAML text. Keep the previous one to undo. */
  text: string;
  /** Problems of the edited template (syntax, types, graph, handlers), positioned in `text`. */
  problems: Problem[];
  /** Other steps or states the edit changed too: dependents of a removed step, references to a renamed one. */
  changed: string[];
}

/** Problems of a template text as it stands (the editor shows them after every change and undo). */
export function templateProblems(text: string, options: EditOptions = {}): Problem[] {
  const read = readTemplateText(text, options.file ?? 'template.yaml');
  return read.template ? [...read.problems, ...validateTemplate(read.template, options.validate ?? {})] : read.problems;
}

/**
 * One pass of an edit: changes computed on `text` as parsed now. Edits that change several
 * places that could touch (a step and the dependency lists after it) run one pass per place, so
 * each pass sees the positions the previous one left.
 */
export function pass(text: string, fn: (doc: TemplateDoc, s: Splicer) => void): string {
  const doc = new TemplateDoc(text);
  const s = doc.splicer();
  fn(doc, s);
  return applyEdits(text, s.edits);
}

export function finish(input: Splicer | string, options: EditOptions, changed: readonly string[] = []): EditResult {
  const text = typeof input === 'string' ? input : applyEdits(input.text, input.edits);
  const reparsed = parseYamlDocument(text);
  if (reparsed.errors.length > 0) {
    throw new TemplateEditError('NOT_EDITABLE', `Internal error: the edit would leave YAML that does not parse (${reparsed.errors[0]!.message.split('\n')[0]}); nothing was changed. Please report this with the template.`, { text });
  }
  return { text, problems: templateProblems(text, options), changed: [...new Set(changed)] };
}
