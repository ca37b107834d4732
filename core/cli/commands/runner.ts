/**
 * `stepwise runner [--workspace DIR] [--db FILE|URL] [--executor KIND] [--poll-ms N] [--lease-ms N]`: the long-running
 * engine for a database. It runs ready steps, promotes due retries and waits, times out waits,
 * resumes work whose process died, deletes finished tasks past their delete_after, and keeps a
 * heartbeat so CLI commands leave execution to it. SIGINT/SIGTERM stop it cleanly (running
 * handlers finish); a second signal aborts them (their steps go back to ready).
 */
import type { Command } from 'commander';
import { StepwiseError } from '../../model/errors.js';
import { checkPollMs } from '../../engine/runtime/loop.js';
import { addEngineOptions, openCliContext, type EngineCliOptions } from '../context.js';
import type { CommandContext } from '../main.js';

interface RunnerOptions extends EngineCliOptions {
  pollMs?: string;
  leaseMs?: string;
}

/**
 * Bounds of `--lease-ms`: how long a step stays held by a runner that stopped renewing it (died,
 * lost the database). Shorter gets work back sooner after a crash; too short and a busy runner
 * loses steps it still runs (renewed every third of the lease).
 */
export const LEASE_MS_MIN = 1_000;
export const LEASE_MS_MAX = 3_600_000;

export function checkLeaseMs(value: string): number {
  const ms = value.trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(ms) || ms < LEASE_MS_MIN || ms > LEASE_MS_MAX) {
    throw new StepwiseError('USAGE', `--lease-ms must be a whole number of milliseconds from ${LEASE_MS_MIN} to ${LEASE_MS_MAX} (1 hour); got '${value}'.`, { leaseMs: value });
  }
  return ms;
}

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('runner')
    .description('Run tasks of a database until stopped (SIGINT/SIGTERM).')
    .option('--poll-ms <n>', 'check for due work at least this often, 10 to 600000 ms (default 1000)')
    .option('--lease-ms <n>', 'how long a step stays held after its runner stops renewing it (dies), 1000 to 3600000 ms (default 30000)');
  addEngineOptions(command, { executor: true }).action(async (options: RunnerOptions) => {
    const pollMs = options.pollMs === undefined ? 1000 : checkPollMs(options.pollMs, '--poll-ms');
    const leaseMs = options.leaseMs === undefined ? undefined : checkLeaseMs(options.leaseMs);
    const cli = await openCliContext(options, { role: 'runner', ...(leaseMs !== undefined ? { leaseMs } : {}) });
    const { engine } = cli;
    let signals = 0;
    const stopped = new Promise<void>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        signals += 1;
        if (signals === 1) {
          ctx.io.err(`${signal}: stopping after running handlers finish (again to abort them)`);
          void engine.stop().then(resolve);
        } else {
          void engine.stop({ abort: true }).then(resolve);
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    engine.startLoop({ pollMs, heartbeat: 'runner' });
    ctx.io.out(`runner ${engine.context.owner} serving ${cli.dbFile} (executor ${engine.executor.kind}, ${engine.executor.capacity} at a time)`);
    await stopped;
    await cli.close();
    ctx.io.out('runner stopped');
  });
}
