/**
 * `stepwise insights [--since 24h|DATE] [--namespace NS] [--template T] [--top N] [--json]`:
 * tasks by status, steps by state, slowest and most-failing steps, slowest tasks, from the
 * database (read only: it needs the workspace only to find the database).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { systemClock, type Clock } from '../../model/clock.js';
import { StepwiseError } from '../../model/errors.js';
import { computeInsights } from '../../insights/insights.js';
import { formatInsights } from '../../insights/report.js';
import { loadConfig } from '../../template/config.js';
import { parseDuration } from '../../template/duration.js';
import { createModuleLoader } from '../../template/moduleLoader.js';
import { DB_OPTION_HELP, databaseOf, openDatabase } from '../database.js';
import { printJson } from '../io.js';
import type { CommandContext } from '../main.js';

interface InsightsOptions {
  workspace?: string;
  db?: string;
  since?: string;
  namespace?: string;
  template?: string;
  top?: string;
  json?: boolean;
}

/** `24h` (that long before now) or a date/time (`2026-01-31`, `2026-01-31T12:00:00Z`). */
export function parseSince(value: string, clock: Clock = systemClock): number {
  const relative = parseDuration(value);
  if (relative.ok && /[a-z]/i.test(value)) return clock.now() - relative.ms;
  const absolute = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && Number.isFinite(absolute)) return absolute;
  throw new StepwiseError('USAGE', `--since must be a duration back from now (30m, 24h, 7d) or a date (2026-01-31); got '${value}'.`, { since: value });
}

async function databaseOfOptions(options: InsightsOptions): Promise<string> {
  if (options.db || process.env.STEPWISE_DB) return databaseOf(options.db, '');
  const root = resolve(options.workspace ?? process.cwd());
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new StepwiseError('WORKSPACE_INVALID', `The workspace folder ${root} does not exist. Pass --workspace DIR or --db FILE.`, { root });
  }
  return databaseOf(undefined, (await loadConfig(root, await createModuleLoader())).config.database);
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('insights')
    .description('Tasks by status, steps by state, slowest and most-failing steps, slowest tasks.')
    .option('-w, --workspace <dir>', 'workspace folder (default: the current folder)')
    .option('--db <file|url>', DB_OPTION_HELP)
    .option('--since <when>', 'only tasks created since: a duration back from now (24h, 7d) or a date')
    .option('--namespace <ns>', 'only tasks of this namespace')
    .option('-t, --template <template>', 'only tasks of this template (namespace/name[@version] or name)')
    .option('--top <n>', 'rows in each ranking (default 10)')
    .option('--json', 'print the insights as JSON')
    .action(async (options: InsightsOptions) => {
      const top = options.top === undefined ? 10 : Number(options.top);
      if (!Number.isInteger(top) || top < 1) throw new StepwiseError('USAGE', `--top must be a positive whole number; got '${options.top}'.`);
      const since = options.since === undefined ? undefined : parseSince(options.since);
      // Read-only: insights never change the database (a missing file is not created).
      const storage = await openDatabase(await databaseOfOptions(options), { mustExist: true, readOnly: true });
      try {
        const insights = await computeInsights(storage, {
          top,
          ...(since !== undefined ? { since } : {}),
          ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
          ...(options.template !== undefined ? { template: options.template } : {}),
        });
        if (options.json) printJson(ctx.io, insights);
        else ctx.io.out(formatInsights(insights));
        ctx.setExit(0);
      } finally {
        await storage.close();
      }
    });
}
