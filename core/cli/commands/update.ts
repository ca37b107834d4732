/**
 * `stepwise update TASK_ID STEP --results JSON` replaces the results of a complete (or manually
 * resolved) workflow step, keeping the old ones in the transition; `stepwise update TASK_ID --data
 * JSON` replaces a flow's data (validated against its attributes schema). Previews and asks first.
 */
import type { Command } from 'commander';
import { StepwiseError } from '../../model/errors.js';
import type { Json, JsonObject } from '../../model/runtime.js';
import { readJsonOption } from '../context.js';
import type { CommandContext } from '../main.js';
import { addOpOptions, runOperation, type OpCliOptions } from '../opsCommand.js';

interface UpdateOptions extends OpCliOptions {
  results?: string;
  data?: string;
}

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('update')
    .description("Replace a complete step's results (workflows) or a flow's data.")
    .argument('<taskId>', 'the task')
    .argument('[step]', 'the workflow step')
    .option('--results <json>', 'the step\'s new results as JSON, or @file.json')
    .option('--data <json>', 'the flow\'s new data as a JSON object, or @file.json');
  addOpOptions(command).action(async (taskId: string, step: string | undefined, options: UpdateOptions) => {
    const results = (await readJsonOption(options.results, '--results')) as Json | undefined;
    const data = (await readJsonOption(options.data, '--data', { object: true })) as JsonObject | undefined;
    await runOperation(
      ctx,
      options,
      taskId,
      (task) => {
        if (task.kind === 'flow') {
          if (data === undefined || step !== undefined) throw new StepwiseError('USAGE', `Task ${taskId} is a flow: \`stepwise update ${taskId} --data JSON\` replaces its data.`);
          return { op: 'updateData', taskId: task.id, data };
        }
        if (step === undefined || results === undefined) throw new StepwiseError('USAGE', `Task ${taskId} is a workflow: \`stepwise update ${taskId} STEP --results JSON\` replaces a complete step's results.`);
        return { op: 'updateResults', taskId: task.id, step, results };
      },
      'updated from the CLI',
    );
  });
}
