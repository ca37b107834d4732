/**
 * `stepwise complete TASK_ID STEP [--results JSON|@file]`: a step in error, waiting for its retry
 * or waiting is resolved manually with these results and the steps after it proceed; a step that
 * is already complete (or resolved) gets its results replaced (the old ones stay in the
 * transition). Previews and asks first (`--yes` to skip), then runs the task like `stepwise run`.
 */
import type { Command } from 'commander';
import { StepwiseError } from '../../model/errors.js';
import type { Json } from '../../model/runtime.js';
import { readJsonOption } from '../context.js';
import type { CommandContext } from '../main.js';
import { addOpOptions, runOperation, type OpCliOptions } from '../opsCommand.js';

interface CompleteOptions extends OpCliOptions {
  results?: string;
}

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('complete')
    .description('Resolve a step manually with results (or replace the results of a complete step).')
    .argument('<taskId>', 'the workflow task')
    .argument('<step>', 'the step')
    .option('--results <json>', 'the step\'s results as JSON, or @file.json (default: null)');
  addOpOptions(command).action(async (taskId: string, step: string, options: CompleteOptions) => {
    const results = ((await readJsonOption(options.results, '--results')) ?? null) as Json;
    await runOperation(
      ctx,
      options,
      taskId,
      async (task, cli) => {
        if (task.kind === 'flow') throw new StepwiseError('USAGE', `Task ${taskId} is a flow; it completes when it reaches a result state (a debugger goTo can move it there).`);
        const s = await cli.storage.getStep(task.id, step);
        // Completing a step that is already complete would only replace its results: say so rather than do it.
        if (s && (s.state === 'complete' || s.state === 'resolved_manually')) {
          throw new StepwiseError('USAGE', `Step '${step}' of task ${task.id} is already ${s.state}. To replace its results use \`stepwise update ${task.id} ${step} --results JSON\`.`, { taskId: task.id, step, state: s.state });
        }
        return { op: 'resolveManually', taskId: task.id, step, results };
      },
      'completed manually from the CLI',
    );
  });
}
