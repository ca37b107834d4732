// The package's entry points as TypeScript sources: package.json's exports map dist/X.js, and in a
// checkout X lives at core/X.ts. Vitest aliases the package's own name to these, so tests and
// fixtures that import `stepwise-workflows` run the sources and never need a dist build.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Vitest/Vite aliases: exact specifier (`stepwise-workflows/testing`) → source file. */
export function sourceAliases() {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const aliases = [];
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const built = typeof target === 'string' ? target : target.default;
    if (!built.startsWith('./dist/')) continue;
    const specifier = pkg.name + subpath.slice(1);
    const escaped = specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    aliases.push({ find: new RegExp(`^${escaped}$`), replacement: path.join(root, 'core', built.slice('./dist/'.length).replace(/\.js$/, '.ts')) });
  }
  return aliases;
}
