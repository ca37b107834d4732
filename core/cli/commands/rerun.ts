/**
 * `stepwise rerun TASK_ID STEP --cascade`: a finished step and everything after it go back to
 * pending/ready and run again (a complete task runs again). `--cascade` is required: the preview
 * lists every step it resets.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../main.js';
import { addOpOptions, runOperation, type OpCliOptions } from '../opsCommand.js';

interface RerunOptions extends OpCliOptions {
  cascade?: boolean;
}

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('rerun')
    .description('Run a finished step and everything downstream of it again (needs --cascade).')
    .argument('<taskId>', 'the workflow task')
    .argument('<step>', 'the step to rerun from')
    .option('--cascade', 'reset every step downstream of it too (required)');
  addOpOptions(command).action(async (taskId: string, step: string, options: RerunOptions) => {
    await runOperation(ctx, options, taskId, (task) => ({ op: 'rerunFromStep', taskId: task.id, step, cascade: options.cascade ?? false }), 'rerun from the CLI');
  });
}
