/**
 * `stepwise skip TASK_ID STEP`: the step is skipped (pending, ready, failed, waiting); steps after
 * it run if another of their dependencies ran, else they are skipped too. Previews and asks first
 * (`--yes` to skip), then runs the task like `stepwise run`.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../main.js';
import { addOpOptions, runOperation, type OpCliOptions } from '../opsCommand.js';

export function register(program: Command, ctx: CommandContext): void {
  const command = program.command('skip').description('Skip a step of a workflow task.').argument('<taskId>', 'the workflow task').argument('<step>', 'the step');
  addOpOptions(command).action(async (taskId: string, step: string, options: OpCliOptions) => {
    await runOperation(ctx, options, taskId, (task) => ({ op: 'skipStep', taskId: task.id, step }), 'skipped from the CLI');
  });
}
