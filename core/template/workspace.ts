/**
 * Loading a workspace: config, templates (YAML and TypeScript), flows, handler modules; then
 * validating every template against the loaded handlers. Nothing here throws for bad content —
 * a broken file is a problem with its position — only a missing workspace folder does.
 */
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StepwiseError } from '../model/errors.js';
import type { Problem } from '../model/problem.js';
import { templateRef, type Template } from '../model/template.js';
import type { HandlerEntry, Workspace } from '../model/workspace.js';
import { loadConfig } from './config.js';
import { applyEnvironment } from './environments.js';
import { loadHandlerModule, moduleLoadFailed } from './loadHandlers.js';
import { readTemplateFile } from './loadTemplate.js';
import { loadTsTemplates } from './loadTsTemplates.js';
import { createModuleLoader, type ModuleLoader } from './moduleLoader.js';
import { makeProblem } from './problems.js';
import { validateTemplate } from './validate.js';
import { handlerChecks } from './validateCommon.js';
import { validateSubtaskTemplates } from './validateWorkspace.js';

export interface LoadWorkspaceOptions {
  /** tasker-core environment to apply; overrides the config's `environment`. */
  environment?: string;
}

const YAML = /\.ya?ml$/;
const CODE = /\.(ts|mts|js|mjs|cjs)$/;
const NOT_CODE = /(\.d\.ts|\.test\.[cm]?[jt]s|\.spec\.[cm]?[jt]s)$/;

export async function loadWorkspace(root: string, options: LoadWorkspaceOptions = {}): Promise<Workspace> {
  const dir = resolve(root);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new StepwiseError('WORKSPACE_INVALID', `The workspace folder ${dir} does not exist. Pass --workspace DIR, or run in a folder with templates/ and handlers/ (stepwise init creates one).`, { root: dir });
  }
  const loader = await createModuleLoader();
  const problems: Problem[] = [];
  const { config, file: configFile, problems: configProblems } = await loadConfig(dir, loader);
  problems.push(...configProblems);
  const environment = options.environment ?? config.environment;
  if (options.environment !== undefined) config.environment = options.environment;

  const templateFiles = [...(await listFiles(join(dir, 'templates'))), ...(await listFiles(join(dir, 'flows')))];
  const handlerFiles = (await listFiles(join(dir, 'handlers'))).filter((f) => CODE.test(f) && !NOT_CODE.test(f));
  if (!existsSync(join(dir, 'templates')) && !existsSync(join(dir, 'flows'))) {
    problems.push(makeProblem('MISSING_FIELD', 'the workspace has no templates/ (or flows/) folder', { file: dir }, { severity: 'warning', hint: 'put workflow and flow templates in templates/' }));
  }

  for (const file of config.setup ?? []) await runSetupModule(file, loader, problems);
  const handlers = new Map<string, HandlerEntry>();
  for (const file of handlerFiles) await loadHandlerModule(file, loader, handlers, problems);

  const templates: Template[] = [];
  const files: string[] = [];
  for (const file of templateFiles) {
    if (YAML.test(file)) {
      files.push(file);
      const read = await readTemplateFile(file, environment ? { environment } : {});
      problems.push(...read.problems);
      if (read.template) templates.push(read.template);
    } else if (CODE.test(file) && !NOT_CODE.test(file)) {
      files.push(file);
      for (const t of await loadTsTemplates(file, loader, problems)) {
        templates.push(environment && t.kind === 'workflow' ? applyEnvironment(t, environment) : t);
      }
    }
  }
  problems.push(...duplicateTemplates(templates));
  problems.push(...validateSubtaskTemplates(templates, dir));
  for (const t of templates) problems.push(...validateTemplate(t, handlerChecks(handlers)));

  return {
    root: dir,
    config,
    templates,
    handlers,
    problems,
    files: [...(configFile ? [configFile] : []), ...files, ...handlerFiles],
  };
}

/** Files under `dir` (recursively, sorted, hidden ones skipped); none when it does not exist. */
async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !f.slice(dir.length).split('/').some((part) => part.startsWith('.') || part === 'node_modules'))
    .sort();
}

function duplicateTemplates(templates: Template[]): Problem[] {
  const seen = new Map<string, Template>();
  const problems: Problem[] = [];
  for (const t of templates) {
    const ref = templateRef(t);
    const first = seen.get(ref);
    if (!first) {
      seen.set(ref, t);
      continue;
    }
    const at = t.fieldLocs?.name ?? t.loc ?? { file: t.source.file };
    problems.push(makeProblem('DUPLICATE_TEMPLATE', `template ${ref} is also defined in ${first.source.file ?? 'another file'}`, at, { template: ref }));
  }
  return problems;
}

export type { ModuleLoader };

const setupRun = new Set<string>();

/**
 * A workspace setup module runs once per process (reloads do not start an SDK twice), before
 * the handler modules; worker threads of the `threads` executor run it once each as well.
 */
async function runSetupModule(file: string, loader: ModuleLoader, problems: Problem[]): Promise<void> {
  if (setupRun.has(file)) return;
  try {
    await loader.load(file);
    setupRun.add(file);
  } catch (err) {
    problems.push(moduleLoadFailed(file, err, 'setup module'));
  }
}
