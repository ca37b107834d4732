/**
 * `stepwise signal TASK_ID STEP [--payload JSON|@file] [--no-run] [--json]`: completes a waiting
 * `wait` step with the payload. Then, unless an engine (runner, workbench) is serving the
 * database, runs the task on like `stepwise run` does.
 */
import type { Command } from 'commander';
import type { Json } from '../../model/runtime.js';
import { addEngineOptions, liveServers, openCliContext, readJsonOption, type EngineCliOptions } from '../context.js';
import { describeRunner } from '../whoRuns.js';
import { driveAndReport } from '../drive.js';
import type { CommandContext } from '../main.js';
import { resolveTask } from '../taskRef.js';

interface SignalOptions extends EngineCliOptions {
  payload?: string;
  run: boolean;
  json?: boolean;
}

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('signal')
    .description('Complete a waiting wait step with a payload, then run the task on.')
    .argument('<taskId>', 'the task')
    .argument('<step>', 'the wait step')
    .option('-p, --payload <json>', 'the step results, as JSON or @file.json (default null)')
    .option('--no-run', 'only record the signal; leave running the task to a runner')
    .option('--json', 'print { task, steps } as JSON');
  addEngineOptions(command, { executor: true }).action(async (taskId: string, step: string, options: SignalOptions) => {
    const payload = ((await readJsonOption(options.payload, '--payload')) ?? null) as Json;
    const cli = await openCliContext(options, { mustExist: true });
    try {
      taskId = (await resolveTask(cli.storage, taskId, cli.dbFile)).id;
      await cli.engine.signal(taskId, step, payload);
      const alive = await liveServers(cli.storage, cli.engine.context.clock.now());
      if (!options.run || alive.length > 0) {
        const who = alive.length > 0 ? await describeRunner(cli.storage, taskId, alive) : 'run it with `stepwise runner`';
        ctx.io.out(`${step} signalled; ${who}.`);
        return;
      }
      ctx.setExit(await driveAndReport(cli, ctx.io, taskId, { json: options.json ?? false }));
    } finally {
      await cli.close();
    }
  });
}
