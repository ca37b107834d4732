/**
 * `stepwise bench [--quick] [--only KEYS] [-- ARGS...]`: runs the benchmark suite of this
 * checkout (bench/index.ts, in its own `node --import tsx` process) with the options forwarded,
 * and exits with its exit code. The suite lives in the repository, not in the library: an
 * installation without bench/ says so instead of failing obscurely.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Command } from 'commander';
import { processIO, type CliIO } from '../io.js';
import type { CommandContext } from '../main.js';

/** The repository root as seen from this file (core/cli/commands/). */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface BenchOptions {
  quick?: boolean;
  only?: string;
}

/** bench/index.ts of the package at `root`, or null when this installation has no benchmarks. */
export function benchScript(root: string): string | null {
  const file = path.join(root, 'bench', 'index.ts');
  return existsSync(file) ? file : null;
}

/** The arguments bench/index.ts receives for these options. */
export function benchArgs(options: BenchOptions, extra: readonly string[] = []): string[] {
  return [...(options.quick ? ['--quick'] : []), ...(options.only !== undefined ? ['--only', options.only] : []), ...extra];
}

/**
 * Runs the suite and resolves with its exit code. On the real terminal the child writes straight
 * to it (live progress); in-process callers (tests) get its output through `io` when it ends.
 */
export async function runBench(root: string, args: readonly string[], io: CliIO): Promise<number> {
  const script = benchScript(root);
  if (!script) {
    io.err(
      `error: stepwise bench runs the benchmark suite in bench/ of a Stepwise checkout, and this installation (${root}) has none. ` +
        'Clone the Stepwise repository, install its dependencies and run `npx stepwise bench` (or `npm run bench`) there.',
    );
    return 1;
  }
  const inherit = io === processIO;
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (b) => (out += String(b)));
  child.stderr?.on('data', (b) => (err += String(b)));
  const code = await new Promise<number>((resolve) => {
    child.once('error', (e) => {
      err += `could not start ${process.execPath}: ${e.message}\n`;
      resolve(1);
    });
    // Killed by a signal: not a success, whatever the signal.
    child.once('close', (c) => resolve(c ?? 1));
  });
  if (err.trim()) io.err(err.trimEnd());
  if (out.trim()) io.out(out.trimEnd());
  return code;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('bench')
    .description('Run the benchmark suite of this checkout (bench/): prints a table; without --only it also writes bench/results.json (and the tables in README.md and docs/performance.md).')
    .argument('[args...]', 'more arguments for bench/index.ts (after --)')
    .option('--quick', 'fewer repetitions and smaller workloads (a smoke run, not figures to publish)')
    .option('--only <keys>', 'only these benchmarks, comma-separated: engine, bullmq, flows, ceiling, storage, events, scaling, memory, stateAt, workbench (results.json is then not written; `-- --out FILE` writes them there)')
    .addHelpText('after', '\nExamples:\n  stepwise bench\n  stepwise bench --quick --only storage,events\n  stepwise bench --only flows -- --out flows.json\n\nSee docs/performance.md for what each benchmark measures.')
    .action(async (extra: string[], options: BenchOptions) => {
      ctx.setExit(await runBench(PACKAGE_ROOT, benchArgs(options, extra), ctx.io));
    });
}
