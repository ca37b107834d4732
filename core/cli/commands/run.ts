/**
 * `stepwise run TEMPLATE [--input JSON|@file] [--workspace DIR] [--db FILE] [--executor KIND] [--json]`:
 * creates a task and runs it until it completes, fails, or only waits, with live progress.
 * Exit 0 only when the task completed (1 failed or cancelled, 3 waiting).
 */
import type { Command } from 'commander';
import type { JsonObject } from '../../model/runtime.js';
import { addEngineOptions, assertRunnable, openCliContext, readJsonOption, type EngineCliOptions } from '../context.js';
import { driveAndReport } from '../drive.js';
import type { CommandContext } from '../main.js';

interface RunOptions extends EngineCliOptions {
  input?: string;
  json?: boolean;
  idempotencyKey?: string;
}

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('run')
    .description('Start a task of TEMPLATE and run it until it completes, fails or only waits.')
    .argument('<template>', 'template: namespace/name[@version], name, or its file')
    .option('-i, --input <json>', 'input as JSON, or @file.json', undefined)
    .option('--idempotency-key <key>', 'return the existing task when one was started with this key')
    .option('--json', 'print { task, steps } as JSON');
  addEngineOptions(command, { executor: true }).action(async (ref: string, options: RunOptions) => {
    const input = ((await readJsonOption(options.input, '--input', { object: true })) ?? {}) as JsonObject;
    const cli = await openCliContext(options);
    try {
      assertRunnable(cli.workspace, cli.engine.context.templates.resolve(ref));
      const task = await cli.engine.start(ref, input, options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {});
      ctx.setExit(await driveAndReport(cli, ctx.io, task.id, { json: options.json ?? false }));
    } finally {
      await cli.close();
    }
  });
}
