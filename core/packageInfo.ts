/**
 * This package's name, root folder and version, read from its own package.json. The same code
 * runs from the sources (core/) in a checkout and from dist/ in an installed package: both sit one
 * folder below the package root, so the root is the first folder above with our package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The npm name users import (`import { createEngine } from 'stepwise-workflows'`). The command stays `stepwise`. */
export const PACKAGE_NAME = 'stepwise-workflows';

interface PackageJson {
  name?: string;
  version?: string;
  devDependencies?: Record<string, string>;
}

let found: { root: string; json: PackageJson } | undefined;

function locate(): { root: string; json: PackageJson } {
  if (found) return found;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
      if (json.name === PACKAGE_NAME) return (found = { root: dir, json });
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** The package's root folder (the one holding its package.json). */
export function packageRoot(): string {
  return locate().root;
}

/** The package's package.json, parsed. */
export function packageJson(): PackageJson {
  return locate().json;
}

/** The version in package.json: what `stepwise --version` prints. */
export function packageVersion(): string {
  return locate().json.version ?? '0.0.0';
}
