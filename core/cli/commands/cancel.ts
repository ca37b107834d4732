/**
 * `stepwise cancel TASK_ID [--reason TEXT] [--yes] [--json]`: cancels every unfinished step;
 * running handlers are aborted. Like every mutating command it shows the preview and asks first
 * (`--yes` to skip; required when stdin is not a terminal). Nothing runs afterwards, so it exits
 * 0 once the task is cancelled.
 */
import type { Command } from 'commander';
import { addEngineOptions, openCliContext, type EngineCliOptions } from '../context.js';
import { printJson } from '../io.js';
import type { CommandContext } from '../main.js';
import { createOps } from '../../ops/ops.js';
import { confirm, formatPreview, resultJson } from '../opsCommand.js';

interface CancelOptions extends EngineCliOptions {
  reason?: string;
  yes?: boolean;
  json?: boolean;
}

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('cancel')
    .description('Cancel a task: unfinished steps are cancelled and never retried.')
    .argument('<taskId>', 'the task')
    .option('-r, --reason <text>', 'why (kept in the transitions)', 'cancelled from the CLI')
    .option('-y, --yes', 'apply without asking (required when stdin is not a terminal)')
    .option('--json', 'print the operation and the task as JSON');
  addEngineOptions(command).action(async (taskId: string, options: CancelOptions) => {
    const cli = await openCliContext(options, { mustExist: true });
    try {
      const ops = createOps(cli.engine);
      const request = { op: 'cancelTask', taskId } as const;
      const preview = await ops.preview(request);
      if (!options.yes) {
        ctx.io.err(formatPreview(preview));
        if (!(await confirm(ctx.io, preview, options.yes))) {
          ctx.io.err('Not applied; nothing was changed.');
          ctx.setExit(1);
          return;
        }
      }
      const result = await ops.apply(request, { expectedVersion: preview.version, reason: options.reason ?? 'cancelled from the CLI' });
      if (options.json) printJson(ctx.io, resultJson(result));
      else ctx.io.out(`${result.task.id} ${result.task.status}`);
    } finally {
      await cli.close();
    }
  });
}
