/** Every CLI command, one module each. Add a command by adding its module here. */
import type { Command } from 'commander';
import type { CommandContext } from '../main.js';
import { register as graph } from './graph.js';

type Register = (program: Command, ctx: CommandContext) => void;

const commands: Register[] = [graph];

export function registerCommands(program: Command, ctx: CommandContext): void {
  for (const register of commands) register(program, ctx);
}
