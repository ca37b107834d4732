/**
 * `stepwise interact TASK_ID NAME [--params JSON|@file]`: fires a flow interaction. Refused
 * (exit 1, nothing changed) outside its `when` states or with params that fail its schema;
 * otherwise the flow wakes and runs on until it waits, completes or fails, and its state is
 * printed like `stepwise show` does (`--json`: `{ task, transitions }`).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { StepwiseError } from '../../model/errors.js';
import type { JsonObject } from '../../model/runtime.js';
import { formatProblem } from '../../model/problem.js';
import { flowReportJson, formatFlowReport } from '../../engine/flow/report.js';
import { createEngine, type Engine } from '../../engine/engine.js';
import { openStorage } from '../../storage/index.js';
import type { Storage } from '../../storage/storage.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../template/registry.js';
import { loadWorkspace } from '../../template/workspace.js';
import { printJson } from '../io.js';
import type { CommandContext } from '../main.js';

interface InteractOptions {
  params?: string;
  workspace?: string;
  db?: string;
  json?: boolean;
}

/** `--params '{"email":"a@b.c"}'` or `--params @params.json`. */
export async function readJsonOption(value: string | undefined, what: string): Promise<JsonObject> {
  if (value === undefined) return {};
  const text = value.startsWith('@') ? await readFile(resolve(value.slice(1)), 'utf8') : value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new StepwiseError('USAGE', `${what} is not valid JSON (${(err as Error).message}). Pass a JSON object, e.g. '{"email":"a@example.com"}', or @file.json.`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new StepwiseError('USAGE', `${what} must be a JSON object, got ${text.trim().slice(0, 80)}.`);
  return parsed as JsonObject;
}

async function openEngine(options: InteractOptions): Promise<{ engine: Engine; storage: Storage }> {
  const workspace = await loadWorkspace(options.workspace ?? process.cwd());
  const errors = workspace.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    throw new StepwiseError('WORKSPACE_INVALID', `The workspace has problems; fix them first (stepwise validate):\n${errors.map(formatProblem).join('\n')}`);
  }
  const storage = await openStorage({ kind: 'sqlite', file: resolve(options.db ?? workspace.config.database) });
  const engine = createEngine({
    storage,
    templates: createTemplateRegistry(workspace.templates, { root: workspace.root }),
    handlers: createHandlerRegistry(workspace.handlers),
    executor: 'inline',
  });
  return { engine, storage };
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('interact')
    .description('Fire an interaction of a flow task; refused (exit 1) outside its `when` states.')
    .argument('<taskId>', 'the flow task')
    .argument('<name>', 'the interaction')
    .option('-p, --params <json>', 'params as JSON, or @file.json', undefined)
    .option('-w, --workspace <dir>', 'workspace folder (default: the current folder)')
    .option('--db <file>', 'database file (default: the workspace config, .stepwise/stepwise.db)')
    .option('--json', 'print { task, transitions } as JSON')
    .action(async (taskId: string, name: string, options: InteractOptions) => {
      const params = await readJsonOption(options.params, '--params');
      const { engine, storage } = await openEngine(options);
      try {
        const task = await storage.getTask(taskId);
        if (!task) throw new StepwiseError('NOT_FOUND', `Task '${taskId}' was not found in ${options.db ?? 'the workspace database'}. List tasks with \`stepwise tasks\`.`);
        if (task.kind !== 'flow') throw new StepwiseError('USAGE', `Task ${taskId} is a workflow; workflows take signals (stepwise signal), not interactions.`);
        await engine.flows.fireInteraction(taskId, name, params);
        // Sub-tasks the flow started run too, like `stepwise run` does.
        const summary = await engine.runUntilIdle({ taskId });
        const after = summary.task ?? (await storage.getTask(taskId))!;
        const transitions = await storage.listTransitions(taskId);
        if (options.json) printJson(ctx.io, flowReportJson(after, transitions));
        else ctx.io.out(`${name} accepted.\n${formatFlowReport(after, transitions, engine.context.clock.now())}`);
        ctx.setExit(after.status === 'failed' || after.status === 'cancelled' ? 1 : 0);
      } finally {
        await engine.close();
        await storage.close();
      }
    });
}
