/**
 * `stepwise debug TASK_ID pause|continue|step [STEP]|break [NAME...]|skip-wait [STEP]`: the
 * debugger from the command line. Settings persist in the task (a restart keeps it paused).
 * `step` runs one ready step (or one flow transition) here and prints the transitions it caused,
 * exiting like `run` (3 while the task stays paused);
 * `continue` and `skip-wait` then run the task like `stepwise run` (unless an engine serves the
 * database, or `--no-run`); `break` with no names clears the breakpoints.
 */
import type { Command } from 'commander';
import { StepwiseError } from '../../model/errors.js';
import { transitionJson } from '../../engine/flow/report.js';
import { createDebugger } from '../../ops/debugger.js';
import { createOps } from '../../ops/ops.js';
import { openCliContext } from '../context.js';
import { printJson } from '../io.js';
import type { CommandContext } from '../main.js';
import { addOpOptions, continueAfter, loadTask, resultJson, type OpCliOptions } from '../opsCommand.js';
import { exitCodeFor } from '../drive.js';
import { formatSteps, formatTransitions, taskHeadline, taskJson, workflowReportJson } from '../report.js';

const ACTIONS = ['pause', 'continue', 'step', 'break', 'skip-wait'] as const;
type Action = (typeof ACTIONS)[number];

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('debug')
    .description('Debugger: pause | continue | step [STEP] | break [NAME...] | skip-wait [STEP].')
    .argument('<taskId>', 'the task')
    .argument('<action>', ACTIONS.join(' | '))
    .argument('[names...]', 'step: the step; break: step or state names; skip-wait: the step (flows: timeout)');
  addOpOptions(command, { confirm: false }).action(async (taskId: string, action: string, names: string[], options: OpCliOptions) => {
    if (!(ACTIONS as readonly string[]).includes(action)) throw new StepwiseError('USAGE', `Unknown debug action '${action}'; use one of: ${ACTIONS.join(', ')}.`);
    const one = (): string | undefined => {
      if (names.length > 1) throw new StepwiseError('USAGE', `debug ${action} takes at most one step name.`);
      return names[0];
    };
    const cli = await openCliContext(options, { mustExist: true });
    try {
      taskId = (await loadTask(cli, taskId)).id;
      const dbg = createDebugger(cli.engine, createOps(cli.engine));
      const reason = options.reason;
      switch (action as Action) {
        case 'pause':
        case 'break': {
          const r = action === 'pause' ? await dbg.pause(taskId, reason) : await dbg.setBreakpoints(taskId, names, reason);
          if (options.json) printJson(ctx.io, resultJson(r));
          else ctx.io.out(action === 'pause' ? `${taskId} paused.` : `${taskId} breakpoints: ${r.task.debug.breakpoints.join(', ') || '(none)'}`);
          return;
        }
        case 'continue':
        case 'skip-wait': {
          const r = action === 'continue' ? await dbg.continue(taskId, reason) : await dbg.skipWait(taskId, one(), reason);
          const announce = action === 'continue' ? `${taskId} continues.` : `${taskId}: ${r.changes.map((c) => `${c.kind === 'step' ? c.name : 'task'} ${c.field}`).join(', ')} due now.`;
          ctx.setExit(await continueAfter(ctx, cli, taskId, options, r, announce));
          return;
        }
        case 'step': {
          // Stepping is the debugger's synchronous act: the one step runs here, claimed under
          // this process's lease like any engine's claim (a serving engine cannot run it twice).
          // There is nothing to leave to a runner, so --no-run makes no sense with it.
          if (!options.run) throw new StepwiseError('USAGE', '`debug step` runs exactly one step here; --no-run does not apply to it. Use `debug continue --no-run` to leave the task to a runner.');
          const r = await dbg.step(taskId, one());
          const steps = r.task.kind === 'workflow' ? await cli.storage.getSteps(taskId) : [];
          const report = r.task.kind === 'workflow' ? workflowReportJson(r.task, steps) : { task: taskJson(r.task) };
          if (options.json) printJson(ctx.io, { ...report, ran: r.ran, transitions: r.transitions.map(transitionJson) });
          else ctx.io.out([`ran ${r.ran ?? '(nothing)'}:`, ...formatTransitions(r.transitions), taskHeadline(r.task), ...formatSteps(steps)].join('\n'));
          // Like `run`: 0 complete, 1 failed or cancelled, 3 still paused or waiting.
          ctx.setExit(exitCodeFor(r.task));
          return;
        }
      }
    } finally {
      await cli.close();
    }
  });
}
