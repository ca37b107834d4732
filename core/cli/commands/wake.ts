/**
 * `stepwise wake TASK_ID`: what the task waits for by time becomes due now (a flow's wake time,
 * a workflow's retry backoffs and timed waits), recorded as a user transition, and the task runs
 * here like `stepwise run` (or is left to the engine serving the database, or `--no-run`). A task
 * with nothing scheduled is simply run.
 */
import type { Command } from 'commander';
import { hasCode } from '../../model/errors.js';
import { isTaskFinished } from '../../model/states.js';
import { createOps } from '../../ops/ops.js';
import type { OpResult } from '../../ops/types.js';
import { openCliContext } from '../context.js';
import type { CommandContext } from '../main.js';
import { addOpOptions, continueAfter, loadTask, type OpCliOptions } from '../opsCommand.js';

export function register(program: Command, ctx: CommandContext): void {
  const command = program.command('wake').description('Make what a task waits for due now, and run it.').argument('<taskId>', 'the task');
  addOpOptions(command, { confirm: false }).action(async (taskId: string, options: OpCliOptions) => {
    const cli = await openCliContext(options, { mustExist: true });
    try {
      const task = await loadTask(cli, taskId);
      taskId = task.id;
      let result: OpResult | null = null;
      const ops = createOps(cli.engine);
      try {
        result = await ops.apply({ op: 'wakeNow', taskId }, { expectedVersion: task.version, reason: options.reason ?? 'woken from the CLI' });
      } catch (err) {
        // Nothing scheduled (an active flow, a running workflow): there is nothing to make due, only to run.
        if (!hasCode(err, 'INVALID_STATE') || isTaskFinished(task.kind, task.status)) throw err;
      }
      const announce = result ? `${taskId}: ${result.changes.length} wait${result.changes.length === 1 ? '' : 's'} made due now.` : `${taskId}: nothing scheduled; running it.`;
      ctx.setExit(await continueAfter(ctx, cli, taskId, options, result, announce));
    } finally {
      await cli.close();
    }
  });
}
