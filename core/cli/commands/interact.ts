/**
 * `stepwise interact TASK_ID NAME [--params JSON|@file] [--no-run] [--json]`: fires a flow
 * interaction. Refused (exit 1, nothing changed) outside its `when` states or with params that
 * fail its schema. Once accepted, the flow is woken and driven like `stepwise run` does (same
 * report, same exit codes: 0 completed, 1 failed, 3 still waiting) — unless an engine (runner,
 * workbench) is serving the database, or `--no-run` is given: then the flow is only made due now
 * and that engine continues it.
 */
import type { Command } from 'commander';
import { StepwiseError } from '../../model/errors.js';
import type { JsonObject } from '../../model/runtime.js';
import { flowReportJson, formatFlowReport } from '../../engine/flow/report.js';
import { addEngineOptions, liveServers, openCliContext, readJsonOption, type EngineCliOptions } from '../context.js';
import { describeRunner } from '../whoRuns.js';
import { driveAndReport } from '../drive.js';
import { printJson } from '../io.js';
import type { CommandContext } from '../main.js';
import { resolveTask } from '../taskRef.js';

interface InteractOptions extends EngineCliOptions {
  params?: string;
  json?: boolean;
  run: boolean;
}

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('interact')
    .description('Fire an interaction of a flow task; refused (exit 1) outside its `when` states.')
    .argument('<taskId>', 'the flow task')
    .argument('<name>', 'the interaction')
    .option('-p, --params <json>', 'params as JSON, or @file.json', undefined)
    .option('--no-run', 'only record the interaction and make the flow due; do not run it here')
    .option('--json', 'print { task, transitions } as JSON');
  addEngineOptions(command, { executor: true }).action(async (taskId: string, name: string, options: InteractOptions) => {
    const params = ((await readJsonOption(options.params, '--params', { object: true })) ?? {}) as JsonObject;
    const cli = await openCliContext(options, { mustExist: true });
    try {
      const { engine, storage } = cli;
      const task = await resolveTask(storage, taskId, cli.dbFile);
      taskId = task.id;
      if (task.kind !== 'flow') throw new StepwiseError('USAGE', `Task ${taskId} is a workflow; workflows take signals (stepwise signal), not interactions.`, { taskId });
      const alive = await liveServers(storage, engine.context.clock.now());
      if (!options.run || alive.length > 0) {
        const after = await engine.flows.fireInteraction(taskId, name, params, { wake: false });
        const transitions = await storage.listTransitions(taskId);
        if (options.json) printJson(ctx.io, flowReportJson(after, transitions));
        else {
          const who = alive.length > 0 ? await describeRunner(storage, taskId, alive) : 'run `stepwise runner` or `stepwise wake` to continue it';
          ctx.io.out(`${name} accepted; the flow is due now: ${who}.\n${formatFlowReport(after, transitions, engine.context.clock.now())}`);
        }
        ctx.setExit(0);
        return;
      }
      await engine.flows.fireInteraction(taskId, name, params);
      if (!options.json) ctx.io.out(`${name} accepted.`);
      // Drives what the flow started too (sub-tasks), and reports like `run`.
      ctx.setExit(await driveAndReport(cli, ctx.io, taskId, { json: options.json ?? false }));
    } finally {
      await cli.close();
    }
  });
}
