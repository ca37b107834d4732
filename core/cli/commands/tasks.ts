/** `stepwise tasks [--status S] [--template T] [--participant field:value] [--limit N] [--json]`: the tasks in the database, newest first. */
import type { Command } from 'commander';
import { StepwiseError } from '../../model/errors.js';
import { normalizeTaskStatus, TASK_STATUSES, type TaskStatus } from '../../model/states.js';
import type { TaskQuery } from '../../storage/storage.js';
import { addEngineOptions, openReadContext, type EngineCliOptions } from '../context.js';
import { printJson } from '../io.js';
import type { CommandContext } from '../main.js';
import { formatTaskTable, taskJson } from '../report.js';

interface TasksOptions extends EngineCliOptions {
  status?: string;
  template?: string;
  participant?: string;
  limit?: string;
  json?: boolean;
}

/** `ns/name@1.0.0` (exact), `ns/name` or `name`. */
export function templateFilter(template: string | undefined): Partial<TaskQuery> {
  if (!template) return {};
  if (template.includes('@')) return { templateRef: template };
  const slash = template.lastIndexOf('/');
  return slash >= 0 ? { namespace: template.slice(0, slash), name: template.slice(slash + 1) } : { name: template };
}

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('tasks')
    .description('List tasks, newest first.')
    .option('-s, --status <status>', `only tasks in this status (comma-separated for several): ${TASK_STATUSES.join(', ')}`)
    .option('-t, --template <template>', 'only tasks of this template (namespace/name[@version] or name)')
    .option('-p, --participant <field:value>', "only flows concerning this record (the template's index), e.g. user_id:42")
    .option('-n, --limit <n>', 'at most this many (default 50)')
    .option('--json', 'print { tasks, total } as JSON');
  addEngineOptions(command).action(async (options: TasksOptions) => {
    const limit = options.limit === undefined ? 50 : Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new StepwiseError('USAGE', `--limit must be a positive whole number; got '${options.limit}'.`);
    const cli = await openReadContext(options);
    try {
      const words = options.status?.split(',').map((s) => s.trim());
      const unknown = words?.filter((s) => normalizeTaskStatus(s) === null) ?? [];
      if (unknown.length > 0) {
        throw new StepwiseError('USAGE', `Unknown task status ${unknown.map((s) => `'${s}'`).join(', ')}; use one of: ${TASK_STATUSES.join(', ')}.`);
      }
      // Flows' old words (active, completed, failed) still mean their statuses today.
      const statuses = words ? [...new Set(words.map((w) => normalizeTaskStatus(w)!))] : undefined;
      const page = await cli.storage.listTasks({
        ...(statuses ? { status: statuses.length === 1 ? (statuses[0] as TaskStatus) : (statuses as TaskStatus[]) } : {}),
        ...templateFilter(options.template),
        ...(options.participant ? { participant: options.participant } : {}),
        limit,
      });
      if (options.json) {
        printJson(ctx.io, { tasks: page.tasks.map(taskJson), total: page.total });
        return;
      }
      if (page.tasks.length === 0) {
        ctx.io.out('No tasks.');
        return;
      }
      for (const line of formatTaskTable(page.tasks)) ctx.io.out(line);
      if (page.total > page.tasks.length) ctx.io.out(`… ${page.total - page.tasks.length} more (--limit)`);
    } finally {
      await cli.close();
    }
  });
}
