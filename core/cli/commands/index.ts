/** Every CLI command, one module each. Add a command by adding its module here. */
import type { Command } from 'commander';
import type { CommandContext } from '../main.js';
import { register as init } from './init.js';
import { register as generate } from './generate.js';
import { register as graph } from './graph.js';
import { register as interact } from './interact.js';
import { register as validate } from './validate.js';

type Register = (program: Command, ctx: CommandContext) => void;

const commands: Register[] = [graph, interact, validate, generate, init];

export function registerCommands(program: Command, ctx: CommandContext): void {
  for (const register of commands) register(program, ctx);
}
