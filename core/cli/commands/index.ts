/** Every CLI command, one module each. Add a command by adding its module here. */
import type { Command } from 'commander';
import type { CommandContext } from '../main.js';
import { register as generate } from './generate.js';
import { register as graph } from './graph.js';
import { register as init } from './init.js';
import { register as insights } from './insights.js';
import { register as interact } from './interact.js';
import { register as serve } from './serve.js';
import { register as validate } from './validate.js';
import { register as run } from './run.js';
import { register as tasks } from './tasks.js';
import { register as show } from './show.js';
import { register as signal } from './signal.js';
import { register as cancel } from './cancel.js';
import { register as runner } from './runner.js';
import { register as start } from './start.js';
import { register as retry } from './retry.js';
import { register as reset } from './reset.js';
import { register as complete } from './complete.js';
import { register as skip } from './skip.js';
import { register as rerun } from './rerun.js';
import { register as update } from './update.js';
import { register as wake } from './wake.js';
import { register as debug } from './debug.js';
import { register as bench } from './bench.js';

type Register = (program: Command, ctx: CommandContext) => void;

const commands: Register[] = [generate, graph, init, insights, interact, serve, validate, run, tasks, show, signal, cancel, runner, start, retry, reset, complete, skip, rerun, update, wake, debug, bench];

export function registerCommands(program: Command, ctx: CommandContext): void {
  for (const register of commands) register(program, ctx);
}
