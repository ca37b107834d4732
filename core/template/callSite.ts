/**
 * Where a TypeScript definition was written: the first stack frame outside core/template when
 * `defineWorkflow`, `defineFlow` or a flow builder is called. Workspace modules are transpiled by
 * jiti with Babel's `retainLines`, so the line is the line of the .ts file; the column is the
 * transpiled one and is corrected against the source text by `placeTsTemplate` when the loader
 * reads the file.
 */
import { dirname, isAbsolute, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from '../model/template.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Frames that are never the author's: this folder, Node internals, the module loader. */
function isInternal(file: string): boolean {
  return file.startsWith(HERE + sep) || file.startsWith('node:') || file.includes('/node_modules/jiti/') || file.includes('/node_modules/tsx/');
}

function toPath(file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file) : file;
}

/** `at fn (file:line:col)` or `at file:line:col`. */
const FRAME = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/** The caller's position, or undefined when no frame outside core/template has a file. */
export function captureCallSite(): SourceLocation | undefined {
  // The stack text, not V8's structured call sites: whoever maps source positions (tsx, vitest,
  // --enable-source-maps) does it in Error.prepareStackTrace, and jiti keeps the lines anyway.
  const previousLimit = Error.stackTraceLimit;
  const holder: { stack?: string } = {};
  try {
    Error.stackTraceLimit = 30;
    Error.captureStackTrace(holder, captureCallSite);
  } finally {
    Error.stackTraceLimit = previousLimit;
  }
  for (const text of (holder.stack ?? '').split('\n').slice(1)) {
    const m = FRAME.exec(text);
    if (!m) continue;
    const file = toPath(m[1]!);
    // Frames without a file (`<anonymous>`, `eval at ...`) say nothing about the author's source.
    if (!isAbsolute(file) || isInternal(file)) continue;
    return { file, line: Number(m[2]), col: Number(m[3]) };
  }
  return undefined;
}
