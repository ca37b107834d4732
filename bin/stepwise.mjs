#!/usr/bin/env node
// The `stepwise` command. An installed package runs its built JavaScript (dist/); a checkout,
// which has the TypeScript sources and tsx (a devDependency), runs the sources, so the CLI never
// needs a build while developing. User TypeScript is loaded by jiti either way.
import { existsSync } from 'node:fs';

// A reader that stops early (`stepwise validate --json | head -c 50`) closes the pipe: say so in
// one line instead of dying with an EPIPE trace. A closed stderr has no one left to tell.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.stderr.write('error: EPIPE: the output was closed before stepwise finished writing it (the reader stopped early, e.g. `| head`).\n');
  process.exit(1);
});
process.stderr.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(1);
});

const sources = new URL('../core/cli/main.ts', import.meta.url);
let main;
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(sources.href));
} else {
  ({ main } = await import('../dist/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
