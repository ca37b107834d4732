/**
 * `stepwise graph TEMPLATE --format dot|mermaid|svg|json|layout [--out FILE]`: draws a template;
 * with `--task TASK_ID`, draws a live task coloured by the state of each step (or the flow's
 * current state) from the database. `layout` prints the workbench's ELK layout of the graph
 * (node positions, edge routes), from the layout cache next to the database that the workbench
 * shares (computed and stored there when missing).
 */
import { existsSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { StepwiseError } from '../../model/errors.js';
import { formatProblem, type Problem } from '../../model/problem.js';
import type { Template } from '../../model/template.js';
import { templateGraph, type TemplateGraph } from '../../export/graphModel.js';
import { runtimeGraph } from '../../export/runtimeGraph.js';
import { toDot } from '../../export/dot.js';
import { toMermaid } from '../../export/mermaid.js';
import { toGraphView } from '../../export/graphView.js';
import { layoutRequestOf } from '../../export/layout.js';
import { DEFAULT_SVG_LIMITS, renderSvg } from '../../export/svgOffThread.js';
import { readTemplateFile } from '../../template/loadTemplate.js';
import { loadTsTemplates } from '../../template/loadTsTemplates.js';
import { createModuleLoader } from '../../template/moduleLoader.js';
import { createTemplateRegistry } from '../../template/registry.js';
import { loadWorkspace } from '../../template/workspace.js';
import { DB_OPTION_HELP, databaseOf, describeDatabase, openDatabase } from '../database.js';
import { resolveTask } from '../taskRef.js';
import type { CommandContext } from '../main.js';

const FORMATS = ['dot', 'mermaid', 'svg', 'json', 'layout'] as const;
type Format = (typeof FORMATS)[number];

interface GraphOptions {
  workspace?: string;
  format: Format;
  out?: string;
  direction: 'TB' | 'LR';
  task?: string;
  db?: string;
  maxNodes?: string;
  timeout?: string;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('graph')
    .description('Draw a template (or, with --task, a live task coloured by state) as DOT, Mermaid, SVG or JSON, or print its workbench layout.')
    .argument('[template]', 'namespace/name, name, namespace/name@version, or a template file (optional with --task)')
    .option('-w, --workspace <dir>', 'workspace folder (default: the current folder)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('dot'))
    .option('-o, --out <file>', 'write to this file instead of standard output')
    .addOption(new Option('--direction <dir>', 'layout direction').choices(['TB', 'LR']).default('TB'))
    .option('--task <taskId>', 'draw this task of the database, coloured by state')
    .option('--db <file|url>', DB_OPTION_HELP)
    .option('--max-nodes <n>', `svg: draw graphs of up to this many nodes (default ${DEFAULT_SVG_LIMITS.maxNodes}; GraphViz is slow on large graphs)`)
    .option('--timeout <seconds>', `svg: give up when GraphViz takes longer (default ${DEFAULT_SVG_LIMITS.timeoutMs / 1000})`)
    .action(async (ref: string | undefined, options: GraphOptions) => {
      if (!ref && !options.task) throw new StepwiseError('USAGE', 'Name a template (stepwise graph order_fulfillment) or a task (--task TASK_ID).');
      const graph = options.task ? await taskGraph(ctx, options.task, ref, options) : templateGraph(await loadTemplate(ctx, ref!, options));
      const text = await render(graph, options);
      if (options.out) {
        await writeAtomically(options.out, text);
        ctx.io.err(`wrote ${options.format} of ${graph.id}${graph.taskId ? ` (task ${graph.taskId})` : ''} to ${options.out}`);
      } else {
        ctx.io.out(text);
      }
      ctx.setExit(0);
    });
}

async function render(graph: TemplateGraph, options: GraphOptions): Promise<string> {
  switch (options.format) {
    case 'dot':
      return toDot(graph, { rankdir: options.direction });
    case 'mermaid':
      return toMermaid(graph, { direction: options.direction });
    case 'json':
      return JSON.stringify(graph, null, 2) + '\n';
    case 'svg': {
      // In a worker thread with a node limit and a time budget (GraphViz cannot be interrupted
      // otherwise); the wasm GraphViz is only loaded there, for SVG.
      const limits = {
        ...(options.maxNodes !== undefined ? { maxNodes: positive(options.maxNodes, '--max-nodes', true) } : {}),
        ...(options.timeout !== undefined ? { timeoutMs: positive(options.timeout, '--timeout', false) * 1000 } : {}),
      };
      return renderSvg(graph, { rankdir: options.direction, limits, hints: { dot: 'Use --format dot and draw it with GraphViz yourself (dot -Tsvg)', raise: 'raise the limit with --max-nodes N' } });
    }
    case 'layout':
      return JSON.stringify(await workbenchLayout(graph, options), null, 2) + '\n';
  }
}

function positive(value: string, option: string, whole: boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (whole && !Number.isInteger(n))) {
    throw new StepwiseError('USAGE', `${option} must be a positive ${whole ? 'whole ' : ''}number; got '${value}'.`);
  }
  return n;
}

/** The layout the workbench draws this graph with, through the cache it shares with the workbench. */
async function workbenchLayout(graph: TemplateGraph, options: GraphOptions) {
  const workspace = await loadWorkspace(options.workspace ?? process.cwd());
  const database = databaseOf(options.db, workspace.config.database);
  const { createLayoutService, layoutCacheDir } = await import('../../host/layoutService.js');
  const layouts = createLayoutService({ dir: layoutCacheDir(database, workspace.root) });
  try {
    const direction = options.direction === 'LR' ? 'RIGHT' : 'DOWN';
    const outcome = await layouts.layout(layoutRequestOf(toGraphView(graph), direction));
    return { graph: graph.id, ...(graph.taskId ? { taskId: graph.taskId } : {}), direction, key: outcome.key, source: outcome.source, ...(outcome.warning ? { warning: outcome.warning } : {}), layout: outcome.result };
  } finally {
    await layouts.close();
  }
}

/** Writes next to the target, then renames: an interrupted write never leaves half a file. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const target = resolve(file);
  const temp = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    const reason = err instanceof Error ? err.message : String(err);
    throw new StepwiseError('USAGE', `Cannot write ${target}: ${reason}. Check that its folder exists and is writable.`, { file: target });
  }
}

const TEMPLATE_FILE = /\.(ya?ml|[cm]?[jt]s)$/;

/** A template by file path (no workspace needed) or by reference in the workspace. */
async function loadTemplate(ctx: CommandContext, ref: string, options: GraphOptions): Promise<Template> {
  if (TEMPLATE_FILE.test(ref) && existsSync(ref) && !options.workspace) return loadTemplateFile(ctx, ref);
  const workspace = await loadWorkspace(options.workspace ?? process.cwd());
  const template = createTemplateRegistry(workspace.templates, { root: workspace.root }).resolve(ref);
  warnAbout(ctx, workspace.problems.filter((p) => template.source.file !== undefined && p.file === template.source.file));
  return template;
}

async function loadTemplateFile(ctx: CommandContext, file: string): Promise<Template> {
  const problems: Problem[] = [];
  let templates: Template[];
  if (/\.ya?ml$/.test(file)) {
    const read = await readTemplateFile(resolve(file));
    problems.push(...read.problems);
    templates = read.template ? [read.template] : [];
  } else {
    templates = await loadTsTemplates(resolve(file), await createModuleLoader(), problems);
  }
  if (templates.length !== 1) {
    for (const p of problems) ctx.io.err(formatProblem(p));
    const why = templates.length === 0 ? 'holds no template that could be read' : `holds ${templates.length} templates; name one of them instead`;
    throw new StepwiseError('TEMPLATE_INVALID', `${file} ${why}.`, { file });
  }
  warnAbout(ctx, problems);
  return templates[0]!;
}

/** The drawing still helps with a broken template (it shows the cycle), so problems only warn. */
function warnAbout(ctx: CommandContext, problems: Problem[]): void {
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length === 0) return;
  ctx.io.err(`warning: ${errors.length} problem(s) in the template; the drawing may be incomplete:`);
  for (const p of errors) ctx.io.err(formatProblem(p));
}

async function taskGraph(ctx: CommandContext, taskId: string, ref: string | undefined, options: GraphOptions): Promise<TemplateGraph> {
  const workspace = await loadWorkspace(options.workspace ?? process.cwd());
  const database = databaseOf(options.db, workspace.config.database);
  // Read-only: drawing a task never changes the database (a missing file is not created).
  const storage = await openDatabase(database, { mustExist: true, readOnly: true });
  try {
    const task = await resolveTask(storage, taskId, describeDatabase(database));
    const registry = createTemplateRegistry(workspace.templates, { root: workspace.root });
    const template = ref ? await loadTemplate(ctx, ref, options) : registry.resolve(task.templateRef);
    if (template.kind === 'workflow') return runtimeGraph(template, await storage.getSteps(task.id));
    return runtimeGraph(template, task, await storage.listTransitions(task.id));
  } finally {
    await storage.close();
  }
}
