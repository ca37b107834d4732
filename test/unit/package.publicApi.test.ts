/**
 * The public API is curated: core/index.ts lists every export by name, and every name that the
 * README, the guides, the example workspace and the generated workspaces import from the package
 * is one of them (a value where they import a value).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const ENTRIES: Record<string, string> = {
  'stepwise-workflows': 'core/index.ts',
  'stepwise-workflows/testing': 'core/testing/index.ts',
};

/** name → whether it is a value (else a type only), per entry, read by the TypeScript checker. */
let cached: Record<string, Map<string, boolean>> | undefined;
function publicExports(): Record<string, Map<string, boolean>> {
  if (cached) return cached;
  const files = Object.values(ENTRIES).map((f) => join(ROOT, f));
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const out: Record<string, Map<string, boolean>> = {};
  for (const [specifier, file] of Object.entries(ENTRIES)) {
    const source = program.getSourceFile(join(ROOT, file))!;
    const names = new Map<string, boolean>();
    for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(source)!)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      names.set(symbol.name, (target.flags & ts.SymbolFlags.Value) !== 0);
    }
    out[specifier] = names;
  }
  return (cached = out);
}

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => ext.test(f) && !f.includes('node_modules'))
    .map((f) => join(ROOT, dir, f));
}

/** Every `import { a, type B } from 'stepwise-workflows…'` in a text (docs, code, code in strings). */
function importsIn(text: string): { specifier: string; name: string; typeOnly: boolean }[] {
  const found: { specifier: string; name: string; typeOnly: boolean }[] = [];
  const pattern = /import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(stepwise-workflows[^']*)'/g;
  for (const m of text.matchAll(pattern)) {
    for (const part of m[2]!.split(',').map((p) => p.trim()).filter(Boolean)) {
      const typeOnly = Boolean(m[1]) || part.startsWith('type ');
      found.push({ specifier: m[3]!, name: part.replace(/^type\s+/, '').split(/\s+as\s+/)[0]!.trim(), typeOnly });
    }
  }
  return found;
}

describe('the public index', () => {
  it('lists its exports by name: no export * of internals', () => {
    for (const file of Object.values(ENTRIES)) {
      expect(readFileSync(join(ROOT, file), 'utf8'), file).not.toMatch(/^export\s+(type\s+)?\*/m);
    }
  });

  it('exports every name the README, the guides, the examples and the generated workspaces import', () => {
    const exports = publicExports();
    const sources = [
      join(ROOT, 'README.md'),
      ...filesUnder('docs', /\.md$/),
      ...filesUnder('resources/examples', /\.ts$/),
      ...filesUnder('core/cli/templates', /\.ts$/),
    ];
    const missing: string[] = [];
    let checked = 0;
    for (const file of sources) {
      for (const { specifier, name, typeOnly } of importsIn(readFileSync(file, 'utf8'))) {
        checked++;
        const entry = exports[specifier];
        const isValue = entry?.get(name);
        if (isValue === undefined) missing.push(`${relative(ROOT, file)}: ${name} from '${specifier}' is not exported`);
        else if (!typeOnly && !isValue) missing.push(`${relative(ROOT, file)}: ${name} from '${specifier}' is a type; import it with \`type\``);
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  }, 60_000);

  it('keeps internals out (state-machine tables, graph primitives, DOT styles)', () => {
    const names = publicExports()['stepwise-workflows']!;
    for (const internal of ['STEP_TRANSITIONS', 'assertStepTransition', 'walk', 'indexGraph', 'DOT_SHAPES', 'publishToDiagnostics', 'graphviz', '_allEventTypesListed']) {
      expect(names.has(internal), internal).toBe(false);
    }
    for (const api of ['createEngine', 'openEngine', 'offsetClock', 'defineWorkflow', 'defineFlow', 'openStorage', 'PermanentError', 'createOps', 'loadWorkspace']) {
      expect(names.get(api), api).toBe(true);
    }
  }, 60_000);
});
