/** Reading one YAML template (workflow or flow) from text or a file, with every problem located. */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Problem } from '../model/problem.js';
import type { Template } from '../model/template.js';
import { applyEnvironment } from './environments.js';
import { MapReader, ReadContext } from './mapReader.js';
import { readFlow } from './readFlow.js';
import { readHeader } from './readHeader.js';
import { readWorkflow } from './readWorkflow.js';
import { parseYamlTree } from './yamlTree.js';

export interface ReadOptions {
  /** tasker-core `environments:` key to apply to workflow templates. */
  environment?: string;
}

export interface ReadResult {
  /** Absent only when the file could not be read as a template at all (syntax error, not a map). */
  template?: Template;
  problems: Problem[];
}

/** Parse YAML text into a template. Never throws: everything wrong is in `problems`. */
export function readTemplateText(text: string, file: string, options: ReadOptions = {}): ReadResult {
  const parsed = parseYamlTree(text, file);
  if (parsed.problems.length > 0) return { problems: parsed.problems };
  const ctx = new ReadContext(file);
  const root = parsed.root;
  if (root === null) {
    ctx.report('MISSING_FIELD', 'the file is empty', { file, line: 1, col: 1 }, { hint: 'write a workflow (name + steps) or a flow (kind: flow, name, states)' });
    return { problems: ctx.problems };
  }
  const r = MapReader.of(ctx, root, 'a template', '`name: ...` followed by `steps:` or `states:`');
  if (!r) return { problems: ctx.problems };
  const kind = templateKind(r);
  if (!kind) return { problems: ctx.problems };
  const header = readHeader(r, basename(file, extname(file)));
  // From here on, messages name the template ("flow `user_onboarding`: ...").
  const body = new MapReader(ctx, r.node, `${kind} \`${header.name}\``);
  let template: Template = kind === 'flow' ? readFlow(body, header) : readWorkflow(body, header);
  if (options.environment && template.kind === 'workflow') template = applyEnvironment(template, options.environment);
  return { template, problems: ctx.problems };
}

export async function readTemplateFile(file: string, options: ReadOptions = {}): Promise<ReadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { problems: [{ code: 'MODULE_LOAD_FAILED', severity: 'error', message: `cannot read the file: ${message}`, file, line: 1, col: 1, hint: 'check the path and its permissions' }] };
  }
  return readTemplateText(text, file, options);
}

/** `kind:` when given; otherwise a file with `states:` is a flow and one with `steps:` a workflow. */
function templateKind(r: MapReader): 'workflow' | 'flow' | undefined {
  const kind = r.string('kind');
  if (kind === 'workflow' || kind === 'flow') return kind;
  if (kind !== undefined) {
    r.ctx.report('WRONG_TYPE', `unknown template kind \`${kind}\``, r.loc('kind'), { hint: 'use kind: workflow or kind: flow' });
    return undefined;
  }
  if (r.has('kind')) return undefined;
  if (r.has('states')) return 'flow';
  if (r.has('steps')) return 'workflow';
  r.ctx.report('MISSING_FIELD', 'this is neither a workflow (no `steps:`) nor a flow (no `states:`)', r.node.loc, {
    hint: 'a workflow lists `steps:`; a flow has `kind: flow` and `states:`',
  });
  return undefined;
}
