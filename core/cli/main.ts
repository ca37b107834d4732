/**
 * The `stepwise` command: parses arguments with commander and dispatches to one module per
 * command under ./commands. Returns the exit code instead of calling process.exit, so it can be
 * run in-process by tests.
 */
import { Command, CommanderError } from 'commander';
import { StepwiseError } from '../model/errors.js';
import { packageVersion } from '../packageInfo.js';
import { LOG_LEVELS, createConsoleLogger, isLogLevel, logLevelFromEnv } from '../model/logger.js';
import { useCliLogger } from './context.js';
import { processIO, type CliIO } from './io.js';
import { registerCommands } from './commands/index.js';

export interface CommandContext {
  io: CliIO;
  /** Set by a command's action: the process exit code. */
  setExit(code: number): void;
}

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  let exitCode = 0;
  const ctx: CommandContext = { io, setExit: (code) => void (exitCode = code) };
  const program = new Command('stepwise')
    .description('Durable workflows and state-machine flows for Node, with a visual debugger.')
    .version(packageVersion())
    .option('--log-level <level>', `what the engine and host log on stderr: ${LOG_LEVELS.join(' | ')} (default: STEPWISE_LOG, else info)`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError();
  program.hook('preAction', () => {
    const flag = (program.opts() as { logLevel?: string }).logLevel;
    if (flag !== undefined && !isLogLevel(flag)) throw new StepwiseError('USAGE', `--log-level must be one of ${LOG_LEVELS.join(', ')}; got '${flag}'.`);
    useCliLogger(createConsoleLogger({ level: flag ?? logLevelFromEnv(), write: (line) => io.err(line) }));
  });
  registerCommands(program, ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version "fail" with exit code 0.
      return err.exitCode;
    }
    if (err instanceof StepwiseError) {
      // Some messages already lead with their code (e.g. `INVALID_STATE: ...`, as users of the
      // operations gem expect); don't print it twice.
      const text = err.message.startsWith(`${err.code}:`) ? err.message : `${err.code}: ${err.message}`;
      io.err(`error: ${text}`);
      return 1;
    }
    io.err(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 2;
  }
  return exitCode;
}
