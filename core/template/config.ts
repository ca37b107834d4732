/**
 * The optional workspace config: `stepwise.config.ts` (default export, e.g. `defineConfig({...})`)
 * or `stepwise.config.json`. Relative paths are relative to the workspace root.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULT_LIMITS, LIMIT_NAMES, type Limits } from '../limits/limits.js';
import type { Problem } from '../model/problem.js';
import type { ExecutorKind, WorkspaceConfig } from '../model/workspace.js';
import { MapReader, ReadContext } from './mapReader.js';
import type { ModuleLoader } from './moduleLoader.js';
import { makeProblem } from './problems.js';
import { parseYamlTree, type YMap } from './yamlTree.js';

/** What a user writes; every field is optional. */
export type StepwiseConfig = Partial<WorkspaceConfig>;

/** Typed identity for `stepwise.config.ts`: `export default defineConfig({ executor: 'pool' })`. */
export function defineConfig(config: StepwiseConfig): StepwiseConfig {
  return config;
}

export const CONFIG_FILES = ['stepwise.config.ts', 'stepwise.config.mts', 'stepwise.config.js', 'stepwise.config.mjs', 'stepwise.config.json'];
const EXECUTORS: readonly ExecutorKind[] = ['inline', 'pool', 'threads'];
const FIELDS = ['database', 'executor', 'concurrency', 'handlerMemoryMb', 'setup', 'environment', 'limits'];

export function defaultConfig(root: string): WorkspaceConfig {
  return { database: join(root, '.stepwise', 'stepwise.db') };
}

export interface LoadedConfig {
  config: WorkspaceConfig;
  /** The config file read, if any (absolute). */
  file?: string;
  problems: Problem[];
}

export async function loadConfig(root: string, loader: ModuleLoader): Promise<LoadedConfig> {
  const file = CONFIG_FILES.map((f) => join(root, f)).find((f) => existsSync(f));
  if (!file) return { config: defaultConfig(root), problems: [] };
  if (file.endsWith('.json')) return readJsonConfig(root, file);
  try {
    const mod = await loader.load(file);
    const value = mod.default ?? mod;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { config: defaultConfig(root), file, problems: [makeProblem('WRONG_TYPE', 'the config module must export an object (export default defineConfig({...}))', { file, line: 1, col: 1 })] };
    }
    // Checked with the same reader as JSON, by way of a tree without positions (line 1).
    const ctx = new ReadContext(file);
    const config = readConfig(root, plainToMap(value, file), ctx);
    return { config, file, problems: ctx.problems };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { config: defaultConfig(root), file, problems: [makeProblem('MODULE_LOAD_FAILED', `the config module failed to load: ${message}`, { file, line: 1, col: 1 })] };
  }
}

async function readJsonConfig(root: string, file: string): Promise<LoadedConfig> {
  const parsed = parseYamlTree(await readFile(file, 'utf8'), file);
  if (parsed.problems.length > 0) return { config: defaultConfig(root), file, problems: parsed.problems };
  const ctx = new ReadContext(file);
  const node = parsed.root ?? plainToMap({}, file);
  if (node.kind !== 'map') {
    ctx.report('WRONG_TYPE', 'the config must be an object', node.loc);
    return { config: defaultConfig(root), file, problems: ctx.problems };
  }
  return { config: readConfig(root, node, ctx), file, problems: ctx.problems };
}

function readConfig(root: string, node: YMap, ctx: ReadContext): WorkspaceConfig {
  const r = new MapReader(ctx, node, 'config');
  r.checkKeys(FIELDS);
  const config = defaultConfig(root);
  const database = r.string('database', { example: '.stepwise/stepwise.db' });
  // A PostgreSQL URL is kept as written; a file is relative to the workspace.
  if (database !== undefined) config.database = /^postgres(ql)?:\/\//i.test(database) ? database : resolve(root, database);
  const executor = r.string('executor');
  if (executor !== undefined) {
    if ((EXECUTORS as readonly string[]).includes(executor)) config.executor = executor as ExecutorKind;
    else ctx.report('WRONG_TYPE', `config: unknown executor \`${executor}\``, r.loc('executor'), { hint: `use one of ${EXECUTORS.join(', ')}` });
  }
  const concurrency = r.number('concurrency', { integer: true, min: 1, example: '4' });
  if (concurrency !== undefined) config.concurrency = concurrency;
  const memory = r.number('handlerMemoryMb', { integer: true, min: 16, example: '2048' });
  if (memory !== undefined) config.handlerMemoryMb = memory;
  const setup = r.stringList('setup', "['telemetry.ts']");
  if (setup) {
    config.setup = [];
    setup.values.forEach((file, i) => {
      const path = resolve(root, file);
      if (existsSync(path)) config.setup!.push(path);
      else ctx.report('MODULE_LOAD_FAILED', `config: the setup module \`${file}\` does not exist (looked for ${path})`, setup.locs[i], { hint: 'give a path relative to the workspace folder' });
    });
  }
  const environment = r.string('environment', { example: 'test' });
  if (environment !== undefined) config.environment = environment;
  const limits = r.map('limits', '{ resultBytes: 1048576 }');
  if (limits) {
    limits.checkKeys(LIMIT_NAMES);
    const out: Partial<Limits> = {};
    for (const name of LIMIT_NAMES) {
      const v = limits.number(name, { integer: true, min: 1, example: String(DEFAULT_LIMITS[name]) });
      if (v !== undefined) out[name] = v;
    }
    config.limits = out;
  }
  return config;
}

/** A plain object as a position-less map (every node at line 1 of `file`). */
function plainToMap(value: unknown, file: string): YMap {
  const loc = { file, line: 1, col: 1 };
  const toNode = (v: unknown): YMap['entries'][number]['value'] => {
    if (Array.isArray(v)) return { kind: 'seq', loc, items: v.map(toNode) };
    if (typeof v === 'object' && v !== null) return { kind: 'map', loc, entries: Object.entries(v).map(([key, x]) => ({ key, keyLoc: loc, value: toNode(x) })) };
    return { kind: 'scalar', loc, value: v === undefined ? null : v };
  };
  const node = toNode(value);
  return node.kind === 'map' ? node : { kind: 'map', loc, entries: [] };
}
