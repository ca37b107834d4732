/**
 * `stepwise start TEMPLATE [--input JSON|@file] [--debug] [--later] [--json]`: creates a task and
 * returns at once, running nothing (`--debug`: paused, for `stepwise debug TASK step|continue`;
 * `--later`: a flow is created waiting, due now, as the operations gem's `later`). A runner or
 * the workbench serving the database runs it (the line after the task says which, once one has
 * claimed it, else that it is queued and for which engines); `stepwise wake TASK` runs it here.
 */
import type { Command } from 'commander';
import type { JsonObject } from '../../model/runtime.js';
import { addEngineOptions, assertRunnable, liveServers, openCliContext, readJsonOption, type EngineCliOptions } from '../context.js';
import { describeRunner } from '../whoRuns.js';
import { printJson } from '../io.js';
import type { CommandContext } from '../main.js';
import { taskJson } from '../report.js';

interface StartOptions extends EngineCliOptions {
  input?: string;
  debug?: boolean;
  later?: boolean;
  idempotencyKey?: string;
  json?: boolean;
}

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('start')
    .description('Create a task of TEMPLATE and return at once (--debug: paused for the debugger).')
    .argument('<template>', 'template: namespace/name[@version], name, or its file')
    .option('-i, --input <json>', 'input as JSON, or @file.json')
    .option('--debug', 'start paused: step it with `stepwise debug TASK step`')
    .option('--later', 'flows: create it waiting in its start state for the runner to run (the operations gem\'s `later`); workflows always start so')
    .option('--idempotency-key <key>', 'return the existing task when one was started with this key')
    .option('--json', 'print { task } as JSON');
  addEngineOptions(command).action(async (ref: string, options: StartOptions) => {
    const input = ((await readJsonOption(options.input, '--input', { object: true })) ?? {}) as JsonObject;
    const cli = await openCliContext(options);
    try {
      assertRunnable(cli.workspace, cli.engine.context.templates.resolve(ref));
      const task = await cli.engine.start(ref, input, {
        ...(options.debug ? { debug: true } : {}),
        ...(options.later ? { later: true } : {}),
        ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
      });
      if (options.json) printJson(ctx.io, { task: taskJson(task) });
      else {
        const alive = task.debug.paused ? [] : await liveServers(cli.storage, cli.engine.context.clock.now());
        const next = task.debug.paused
          ? `paused: \`stepwise debug ${task.id} step\` runs one step, \`continue\` runs the rest`
          : alive.length > 0
            ? await describeRunner(cli.storage, task.id, alive)
            : `nothing runs it yet: \`stepwise wake ${task.id}\` runs it here, or start \`stepwise runner\``;
        ctx.io.out(`${task.id}  ${task.templateRef}  ${task.status}\n${next}`);
      }
    } finally {
      await cli.close();
    }
  });
}
