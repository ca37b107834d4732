/**
 * What every benchmark file shares: `--quick` / `--runs N` arguments, a temp folder removed on
 * exit, and printing its result as one JSON document on stdout (bench/index.ts reads it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchArgs {
  quick: boolean;
  /** Repetitions of each measured run (the figure is their median). */
  runs: number;
}

export function parseArgs(argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const quick = argv.includes('--quick');
  const i = argv.indexOf('--runs');
  const runs = i >= 0 ? Number(argv[i + 1]) : quick ? 3 : 5;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs takes a positive integer, not ${argv[i + 1]}`);
  return { quick, runs };
}

/** A fresh temp folder, removed when the process exits (also after a failure). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `stepwise-bench-${prefix}-`));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the benchmark's main and prints its result as JSON; exit code 1 on failure. */
export function runMain(main: () => Promise<unknown>): void {
  main()
    .then((result) => {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
