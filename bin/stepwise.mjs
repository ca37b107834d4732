#!/usr/bin/env node
// The `stepwise` command. An installed package runs its built JavaScript (dist/); a checkout,
// which has the TypeScript sources and tsx (a devDependency), runs the sources, so the CLI never
// needs a build while developing. User TypeScript is loaded by jiti either way.
import { existsSync } from 'node:fs';

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
