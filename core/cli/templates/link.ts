/**
 * Making a new workspace runnable at once without network: `node_modules/stepwise-workflows` links to this
 * package, and vitest, typescript and @types/node link to the copies this package already has.
 * Node resolves a linked package from its real path, so their own dependencies come from here
 * too. A later `npm install` in the workspace replaces the links with real installs.
 */
import { existsSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { PACKAGE_NAME, packageJson, packageRoot } from '../../packageInfo.js';

export { packageRoot };

/** Versions of the dev tools this package uses, for the new workspace's package.json. */
export function toolVersions(): { vitest: string; typescript: string; typesNode: string } {
  const dev = packageJson().devDependencies ?? {};
  return { vitest: dev.vitest ?? '^4.1.0', typescript: dev.typescript ?? '~5.9', typesNode: dev['@types/node'] ?? '^20.0.0' };
}

const LINKED = ['vitest', 'typescript', '@types/node'];
const BINS: Record<string, string> = { vitest: 'vitest/vitest.mjs', tsc: 'typescript/bin/tsc', stepwise: `${PACKAGE_NAME}/bin/stepwise.mjs` };

async function link(target: string, path: string): Promise<void> {
  if (existsSync(path)) return;
  await mkdir(dirname(path), { recursive: true });
  await symlink(relative(dirname(path), target), path, 'junction');
}

/** Links what the workspace needs; returns the packages it could not find to link. */
export async function linkNodeModules(workspace: string, root = packageRoot()): Promise<string[]> {
  const modules = join(workspace, 'node_modules');
  const missing: string[] = [];
  await link(root, join(modules, PACKAGE_NAME));
  for (const name of LINKED) {
    const source = join(root, 'node_modules', name);
    if (existsSync(source)) await link(source, join(modules, name));
    else missing.push(name);
  }
  for (const [bin, target] of Object.entries(BINS)) {
    if (existsSync(join(modules, target))) await link(join(modules, target), join(modules, '.bin', bin));
  }
  return missing;
}
