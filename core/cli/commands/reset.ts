/**
 * `stepwise reset TASK_ID STEP [--attempts N] [--cascade]`: a step in error or waiting for its
 * retry gets a new attempt budget and runs again (resetForRetry); any other step goes back to
 * pending and stays parked until `stepwise retry` (markPending) — with `--cascade` when steps
 * after it already ran, which are reset too. To run a finished step and everything after it
 * again, use `stepwise rerun`.
 */
import type { Command } from 'commander';
import { StepwiseError } from '../../model/errors.js';
import type { CommandContext } from '../main.js';
import { addOpOptions, runOperation, type OpCliOptions } from '../opsCommand.js';

interface ResetOptions extends OpCliOptions {
  attempts?: string;
  cascade?: boolean;
}

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('reset')
    .description('Reset a step: a new attempt budget for a failed step, or back to pending (--cascade resets what ran after it).')
    .argument('<taskId>', 'the workflow task')
    .argument('<step>', 'the step')
    .option('--attempts <n>', 'the new attempt budget (default: the template\'s max attempts)')
    .option('--cascade', 'also reset the steps after it that already ran');
  addOpOptions(command).action(async (taskId: string, step: string, options: ResetOptions) => {
    const attempts = options.attempts === undefined ? undefined : Number(options.attempts);
    if (attempts !== undefined && (!Number.isInteger(attempts) || attempts < 1)) throw new StepwiseError('USAGE', `--attempts must be a whole number of at least 1; got '${options.attempts}'.`);
    await runOperation(
      ctx,
      options,
      taskId,
      async (task, cli) => {
        if (task.kind === 'flow') throw new StepwiseError('USAGE', `Task ${taskId} is a flow; flows have no steps to reset (stepwise retry reruns a failed flow's state).`);
        const s = await cli.storage.getStep(task.id, step);
        if (s && (s.state === 'error' || s.state === 'waiting_for_retry')) return { op: 'resetForRetry', taskId: task.id, step, ...(attempts === undefined ? {} : { attempts }) };
        return { op: 'markPending', taskId: task.id, step, cascade: options.cascade ?? false };
      },
      'reset from the CLI',
    );
  });
}
