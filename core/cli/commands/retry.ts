/**
 * `stepwise retry TASK_ID [STEP]`: a workflow step in error (or waiting for its retry, or parked
 * pending) goes back to ready and the task resumes; a failed flow reruns its current state.
 * Previews and asks first (`--yes` to skip), then runs the task like `stepwise run` unless an
 * engine serves the database or `--no-run` is given.
 */
import type { Command } from 'commander';
import { StepwiseError } from '../../model/errors.js';
import type { CommandContext } from '../main.js';
import { addOpOptions, runOperation, type OpCliOptions } from '../opsCommand.js';

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('retry')
    .description('Retry a failed step of a workflow (or rerun the current state of a failed flow).')
    .argument('<taskId>', 'the task')
    .argument('[step]', 'the workflow step (flows: none)');
  addOpOptions(command).action(async (taskId: string, step: string | undefined, options: OpCliOptions) => {
    await runOperation(
      ctx,
      options,
      taskId,
      (task) => {
        if (task.kind === 'flow') {
          if (step !== undefined) throw new StepwiseError('USAGE', `Task ${taskId} is a flow: \`stepwise retry ${taskId}\` reruns its current state; it takes no step.`);
          return { op: 'retryState', taskId: task.id };
        }
        if (step === undefined) throw new StepwiseError('USAGE', `Name the step to retry: \`stepwise retry ${taskId} STEP\` (see \`stepwise show ${taskId}\`).`);
        return { op: 'retryStep', taskId: task.id, step };
      },
      'retried from the CLI',
    );
  });
}
