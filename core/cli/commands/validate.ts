/**
 * `stepwise validate [PATH...] [--workspace DIR] [--json]`: checks workspaces and template files
 * and prints every problem as `FILE:LINE:COL: CODE message` with a hint. Exit 0 when there is no
 * error (warnings are printed but allowed), 1 otherwise.
 */
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { formatProblem, type Problem } from '../../model/problem.js';
import { templateRef, type Template } from '../../model/template.js';
import type { Workspace } from '../../model/workspace.js';
import { readTemplateFile } from '../../template/loadTemplate.js';
import { loadTsTemplates } from '../../template/loadTsTemplates.js';
import { createModuleLoader } from '../../template/moduleLoader.js';
import { makeProblem, sortProblems } from '../../template/problems.js';
import { validateTemplate } from '../../template/validate.js';
import { handlerChecks } from '../../template/validateCommon.js';
import { loadWorkspace } from '../../template/workspace.js';
import type { CommandContext } from '../main.js';

interface ValidateOptions {
  workspace?: string;
  json?: boolean;
}

interface Checked {
  templates: Template[];
  problems: Problem[];
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('validate')
    .description('Check workspaces and template files; print every problem with its position and a hint.')
    .argument('[paths...]', 'workspace folders or template files (default: the workspace)')
    .option('-w, --workspace <dir>', 'workspace whose handlers the template files must use (default: the current folder when no path is given)')
    .option('--json', 'print { valid, templates, problems } as JSON')
    .action(async (paths: string[], options: ValidateOptions) => {
      const checked = await check(paths, options);
      const problems = dedupe(sortProblems(checked.problems)).map(relativeToCwd);
      const errors = problems.filter((p) => p.severity === 'error').length;
      if (options.json) {
        ctx.io.out(
          JSON.stringify(
            {
              valid: errors === 0,
              templates: checked.templates.map((t) => ({ ref: templateRef(t), kind: t.kind, file: t.source.file ? relative(process.cwd(), t.source.file) : null })),
              problems,
            },
            null,
            2,
          ),
        );
      } else {
        for (const p of problems) ctx.io.out(formatProblem(p));
        ctx.io.out(summary(checked.templates.length, errors, problems.length - errors));
      }
      ctx.setExit(errors === 0 ? 0 : 1);
    });
}

async function check(paths: string[], options: ValidateOptions): Promise<Checked> {
  const out: Checked = { templates: [], problems: [] };
  const workspace = options.workspace !== undefined || paths.length === 0 ? await loadWorkspace(options.workspace ?? '.') : undefined;
  if (paths.length === 0 && workspace) return { templates: workspace.templates, problems: workspace.problems };
  const files: string[] = [];
  for (const path of paths) {
    const abs = resolve(path);
    if (!existsSync(abs)) {
      out.problems.push(makeProblem('MODULE_LOAD_FAILED', 'no such file or folder', { file: abs }, { hint: 'give a workspace folder or a template file' }));
    } else if (statSync(abs).isDirectory()) {
      const ws = await loadWorkspace(abs);
      out.templates.push(...ws.templates);
      out.problems.push(...ws.problems);
    } else files.push(abs);
  }
  if (files.length > 0) await checkFiles(files, workspace, out);
  return out;
}

/** Template files, checked against the handlers of `workspace` when one is given. */
async function checkFiles(files: string[], workspace: Workspace | undefined, out: Checked): Promise<void> {
  const loader = files.some((f) => !/\.ya?ml$/.test(f)) ? await createModuleLoader() : undefined;
  const environment = workspace?.config.environment;
  const options = workspace ? handlerChecks(workspace.handlers) : {};
  if (workspace) {
    // A handler module that failed to load explains the unknown handlers that follow from it.
    out.problems.push(...workspace.problems.filter((p) => p.code === 'MODULE_LOAD_FAILED' && !files.includes(p.file ?? '')));
  }
  for (const file of files) {
    const templates: Template[] = [];
    if (/\.ya?ml$/.test(file)) {
      const read = await readTemplateFile(file, environment ? { environment } : {});
      out.problems.push(...read.problems);
      if (read.template) templates.push(read.template);
    } else {
      templates.push(...(await loadTsTemplates(file, loader!, out.problems)));
    }
    for (const t of templates) out.problems.push(...validateTemplate(t, options));
    out.templates.push(...templates);
  }
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = formatProblem(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function relativeToCwd(p: Problem): Problem {
  return p.file ? { ...p, file: relative(process.cwd(), p.file) || '.' } : p;
}

function summary(templates: number, errors: number, warnings: number): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (errors === 0) return `ok: ${plural(templates, 'template')} valid${warnings ? ` (${plural(warnings, 'warning')})` : ''}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(templates, 'template')}`;
}
