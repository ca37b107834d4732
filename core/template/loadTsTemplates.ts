/**
 * TypeScript template modules (`templates/*.ts`, `flows/*.ts`): every export that is a template
 * (the result of `defineWorkflow` / `defineFlow`), default or named, or an array of them.
 */
import { readFile } from 'node:fs/promises';
import { StepwiseError } from '../model/errors.js';
import type { Problem } from '../model/problem.js';
import type { Template } from '../model/template.js';
import { moduleLoadFailed } from './loadHandlers.js';
import type { ModuleLoader } from './moduleLoader.js';
import { duplicateStateKeys } from './duplicateStateKeys.js';
import { placeDefinitionProblem, placeTsTemplate, SourceText } from './placeTs.js';
import { makeProblem } from './problems.js';

export function isTemplate(value: unknown): value is Template {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === 'string' && ((v.kind === 'workflow' && Array.isArray(v.steps)) || (v.kind === 'flow' && Array.isArray(v.states)));
}

export async function loadTsTemplates(file: string, loader: ModuleLoader, problems: Problem[]): Promise<Template[]> {
  let mod: Record<string, unknown>;
  try {
    mod = await loader.load(file);
  } catch (err) {
    // defineWorkflow/defineFlow refuse a broken definition with its problems: report those.
    const carried = err instanceof StepwiseError ? (err.details.problems as Problem[] | undefined) : undefined;
    if (carried?.length) {
      const source = await readSource(file);
      problems.push(...carried.map((p) => placeDefinitionProblem(p, source)));
    }
    else problems.push(moduleLoadFailed(file, err, 'template module'));
    return [];
  }
  const found: Template[] = [];
  for (const value of Object.values(mod)) {
    for (const candidate of Array.isArray(value) ? value : [value]) {
      if (isTemplate(candidate) && !found.includes(candidate)) found.push(candidate);
    }
  }
  if (found.length === 0) {
    problems.push(
      makeProblem('MISSING_FIELD', 'this module exports no template', { file, line: 1, col: 1 }, {
        severity: 'warning',
        hint: 'export default defineWorkflow({...}) or defineFlow({...})',
      }),
    );
  }
  // Positions like a YAML template's, from the recorded call sites and the file's text.
  const source = await readSource(file);
  return found.map((t) => {
    const placed: Template = { ...placeTsTemplate(t, source), source: { kind: 'ts', file } };
    if (placed.kind === 'flow') problems.push(...duplicateStateKeys(placed, source));
    return placed;
  });
}

async function readSource(file: string): Promise<SourceText> {
  return new SourceText(file, await readFile(file, 'utf8').catch(() => ''));
}
