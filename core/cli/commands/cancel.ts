/**
 * `stepwise cancel TASK_ID [--reason TEXT] [--yes] [--json]`: cancels every unfinished step;
 * running handlers are aborted. Like every mutating command it shows the preview and asks first
 * (`--yes` to skip; required when stdin is not a terminal). Nothing runs afterwards, so it exits
 * 0 once the task is cancelled.
 */
import type { Command } from 'commander';
import { addEngineOptions } from '../context.js';
import type { CommandContext } from '../main.js';
import { runOperation, type FinalOpCliOptions } from '../opsCommand.js';

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('cancel')
    .description('Cancel a task: unfinished steps are cancelled and never retried.')
    .argument('<taskId>', 'the task')
    .option('-r, --reason <text>', 'why (kept in the transitions)', 'cancelled from the CLI')
    .option('-y, --yes', 'apply without asking (required when stdin is not a terminal)')
    .option('--json', 'print the operation and the task as JSON');
  addEngineOptions(command).action(async (taskId: string, options: FinalOpCliOptions) => {
    await runOperation(ctx, options, taskId, (task) => ({ op: 'cancelTask', taskId: task.id }), 'cancelled from the CLI', { after: 'none' });
  });
}
