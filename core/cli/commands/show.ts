/** `stepwise show TASK_ID [--json]`: a task with its steps, attempts and transitions. */
import type { Command } from 'commander';
import { flowReportJson, formatFlowReport } from '../../engine/flow/report.js';
import { addEngineOptions, openReadContext, type EngineCliOptions } from '../context.js';
import { printJson } from '../io.js';
import type { CommandContext } from '../main.js';
import { resolveTask } from '../taskRef.js';
import { formatAttempts, formatSteps, formatTransitions, taskHeadline, workflowReportJson } from '../report.js';

interface ShowOptions extends EngineCliOptions {
  json?: boolean;
}

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('show')
    .description('Show a task: steps, attempts and transitions.')
    .argument('<taskId>', 'the task: its id, a unique prefix or its short id')
    .option('--json', 'print { task, steps, attempts, transitions } as JSON');
  addEngineOptions(command).action(async (taskId: string, options: ShowOptions) => {
    const cli = await openReadContext(options);
    try {
      const { storage } = cli;
      const task = await resolveTask(storage, taskId, cli.dbFile);
      const [attempts, transitions] = await Promise.all([storage.listAttempts(task.id), storage.listTransitions(task.id)]);
      if (task.kind === 'flow') {
        if (options.json) printJson(ctx.io, flowReportJson(task, transitions, attempts));
        else ctx.io.out(formatFlowReport(task, transitions, Date.now()));
        return;
      }
      const steps = await storage.getSteps(task.id);
      if (options.json) {
        printJson(ctx.io, workflowReportJson(task, steps, { attempts, transitions }));
        return;
      }
      const lines = [taskHeadline(task), `input: ${JSON.stringify(task.input)}`];
      if (task.status === 'complete') lines.push(`result: ${JSON.stringify(task.result)}`);
      lines.push('', 'steps:', ...formatSteps(steps, attempts), '', 'attempts:', ...formatAttempts(attempts), '', 'transitions:', ...formatTransitions(transitions));
      ctx.io.out(lines.join('\n'));
    } finally {
      await cli.close();
    }
  });
}
