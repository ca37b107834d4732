/**
 * Writing generated files: all-or-nothing against existing files (nothing is overwritten without
 * `force`, and a refusal lists every file in the way before anything is written).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { StepwiseError } from '../../model/errors.js';

/** Relative path → content. */
export type FileSet = Record<string, string>;

export async function writeFileSet(root: string, files: FileSet, options: { force?: boolean } = {}): Promise<string[]> {
  const targets = Object.keys(files).map((rel) => join(root, rel));
  const existing = targets.filter((f) => existsSync(f));
  if (existing.length > 0 && !options.force) {
    throw new StepwiseError(
      'USAGE',
      `Not overwriting ${existing.map((f) => relative(root, f)).join(', ')} in ${root}. Remove ${existing.length === 1 ? 'it' : 'them'}, choose another name, or pass --force.`,
      { existing },
    );
  }
  for (const [rel, content] of Object.entries(files)) {
    const file = join(root, rel);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return targets;
}

/** A handler/template name usable as a file name and a JavaScript identifier. */
export function checkName(name: string, what: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new StepwiseError('USAGE', `${what} name '${name}' must be an identifier (letters, digits, _; not starting with a digit), e.g. send_invoice.`, { name });
  }
  return name;
}
