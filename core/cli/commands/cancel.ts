/** `stepwise cancel TASK_ID [--reason TEXT] [--json]`: cancels every unfinished step; running handlers are aborted. */
import type { Command } from 'commander';
import { addEngineOptions, openCliContext, type EngineCliOptions } from '../context.js';
import { printJson } from '../io.js';
import type { CommandContext } from '../main.js';
import { taskJson } from '../report.js';

interface CancelOptions extends EngineCliOptions {
  reason?: string;
  json?: boolean;
}

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('cancel')
    .description('Cancel a task: unfinished steps are cancelled and never retried.')
    .argument('<taskId>', 'the task')
    .option('-r, --reason <text>', 'why (kept in the transitions)', 'cancelled from the CLI')
    .option('--json', 'print { task } as JSON');
  addEngineOptions(command).action(async (taskId: string, options: CancelOptions) => {
    const cli = await openCliContext(options, { mustExist: true });
    try {
      const task = await cli.engine.cancelTask(taskId, options.reason ?? 'cancelled from the CLI');
      if (options.json) printJson(ctx.io, { task: taskJson(task) });
      else ctx.io.out(`${task.id} ${task.status}`);
    } finally {
      await cli.close();
    }
  });
}
