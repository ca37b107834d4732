#!/usr/bin/env node
// The `stepwise` command. Registers tsx so the TypeScript sources (and the user's TypeScript
// handlers) run without a build step, then hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../core/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
