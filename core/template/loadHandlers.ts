/**
 * Handler modules (`handlers/*.ts|js`): the default export is an object mapping handler names to
 * functions (or objects/classes with methods), and every named export that is a function, a class
 * or an object with methods counts too (a default export that is itself a function or a class is
 * registered under the file's base name).
 */
import { basename, extname } from 'node:path';
import type { Problem } from '../model/problem.js';
import type { HandlerFn } from '../model/template.js';
import { isHandlerExport } from '../model/handlerDispatch.js';
import type { HandlerEntry, HandlerExport } from '../model/workspace.js';
import type { ModuleLoader } from './moduleLoader.js';
import { makeProblem } from './problems.js';

export async function loadHandlerModule(
  file: string,
  loader: ModuleLoader,
  into: Map<string, HandlerEntry>,
  problems: Problem[],
): Promise<void> {
  let mod: Record<string, unknown>;
  try {
    mod = await loader.load(file);
  } catch (err) {
    problems.push(moduleLoadFailed(file, err, 'handler module'));
    return;
  }
  const found: [string, HandlerExport][] = [];
  const at = { file, line: 1, col: 1 };
  // Named exports: functions, classes and objects with methods (tasker-core's `handler.method`
  // calls a method of one); other values (constants, config) are not handlers.
  for (const [name, value] of Object.entries(mod)) {
    if (name === 'default') continue;
    if (isHandlerExport(value)) found.push([name, value as HandlerExport]);
  }
  const def = mod.default;
  if (typeof def === 'function') found.push([basename(file, extname(file)), def as HandlerFn]);
  else if (typeof def === 'object' && def !== null) {
    for (const [name, value] of Object.entries(def)) {
      if (isHandlerExport(value)) found.push([name, value as HandlerExport]);
      else problems.push(makeProblem('WRONG_TYPE', `handler \`${name}\` in the default export is ${typeof value}, not a function or an object with methods`, at, { severity: 'warning', hint: 'map each handler name to a function (or to an object or class whose methods `handler.method` names)' }));
    }
  } else if (def !== undefined) {
    problems.push(makeProblem('WRONG_TYPE', `the default export is ${typeof def}; expected an object mapping handler names to functions`, at, { severity: 'warning' }));
  }
  for (const [name, fn] of found) {
    const existing = into.get(name);
    if (existing && existing.fn !== fn) {
      problems.push(
        makeProblem('DUPLICATE_NAME', `handler \`${name}\` is exported by ${existing.file} and by this module; the first one is used`, at, {
          severity: 'warning',
          hint: 'rename one of them',
        }),
      );
      continue;
    }
    if (!existing) into.set(name, { name, fn, file });
  }
}

/** A module that threw while loading: its error, said with the file, never a crash. */
export function moduleLoadFailed(file: string, err: unknown, what: string): Problem {
  const message = err instanceof Error ? err.message : String(err);
  const pos = positionIn(err, file);
  return makeProblem('MODULE_LOAD_FAILED', `the ${what} failed to load: ${message.split('\n')[0]!.trim()}`, { file, line: pos?.line ?? 1, col: pos?.col ?? 1 }, {
    hint: 'fix the error in this file (it is evaluated when the workspace loads)',
  });
}

/** The first `file:line:col` of `file` in the error's stack or message, when there is one. */
function positionIn(err: unknown, file: string): { line: number; col: number } | undefined {
  const text = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(text);
  return m ? { line: Number(m[1]), col: Number(m[2]) } : undefined;
}
