/**
 * Benchmarks that run as compiled JavaScript, the way users run Stepwise (the package ships tsc's
 * output in dist/): tsc builds the file and everything it imports, core included, into out/bench
 * (tsconfig.bench.json; incremental, so a second build with nothing changed takes a second or
 * two). Under tsx every closure made also calls esbuild's `__name` helper (`keepNames`), a cost
 * compiled code and the peers loaded from node_modules do not have.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** Builds tsconfig.bench.json's files into out/bench; returns the compiled path of `file` (relative to bench/). */
export function compiledBench(root: string, file: string): string {
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.bench.json')], { cwd: root, stdio: ['ignore', 2, 2] });
  return join(root, 'out', 'bench', 'bench', file.replace(/\.ts$/, '.js'));
}
