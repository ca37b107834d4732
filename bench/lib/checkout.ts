/**
 * Imports from another checkout of Stepwise, for the A/B profilers that load two or more builds
 * side by side in one process. `root` is a folder of TypeScript sources (a git worktree, run under
 * tsx) or of compiled JavaScript (out/bench of tsconfig.bench.json): module paths are given as
 * `.ts` and become `.js` when the folder is compiled.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The folder holds compiled JavaScript, not TypeScript sources. */
export function isCompiled(root: string): boolean {
  return existsSync(resolve(root, 'core/engine/engine.js'));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each caller destructures what it knows the module exports
export function checkoutImporter(root: string): (path: string) => Promise<any> {
  const compiled = isCompiled(root);
  return (path) => import(pathToFileURL(resolve(root, compiled ? path.replace(/\.ts$/, '.js') : path)).href);
}
