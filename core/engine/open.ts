/**
 * `openEngine`: the one way to get a running engine over a workspace and a database — the
 * workbench host, the CLI, the runner and the tests all open engines here. It loads the
 * workspace (or takes one already loaded, or templates and handlers given in code), opens the
 * database, and wires the engine with registries that follow `reload()`, so templates and
 * handlers edited on disk are used by the engine without restarting it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { StepwiseError } from '../model/errors.js';
import type { Template } from '../model/template.js';
import type { Workspace } from '../model/workspace.js';
import { openStorage, redactUrl, storageConfigOf, type StorageConfig } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';
import { createHandlerRegistry, createTemplateRegistry, handlerMap, type HandlerSource } from '../template/registry.js';
import { loadWorkspace } from '../template/workspace.js';
import type { HandlerRegistry, TemplateRegistry } from './context.js';
import { createEngine, type Engine, type EngineOptions } from './engine.js';
import { DatabaseClock } from './runtime/databaseClock.js';
import { systemClock } from '../model/clock.js';
import { defaultExecutorKind, executorOptionsOf, type EngineRole } from '../executor/index.js';

/** Templates and handlers given in code (tests, scripts) instead of a workspace folder. */
export interface InlineWorkspace {
  templates: readonly Template[];
  handlers?: HandlerSource;
}

export interface OpenEngineOptions extends Omit<EngineOptions, 'storage' | 'templates' | 'handlers'> {
  /** A workspace folder to load, a loaded Workspace, or templates and handlers given in code. */
  workspace: string | Workspace | InlineWorkspace;
  /**
   * The database: a SQLite file path (`:memory:` for a throwaway one), a postgres:// URL, a storage configuration,
   * or an open Storage (the caller keeps owning it: `close()` leaves it open). Default: the
   * workspace config's database; a workspace given in code gets in-memory storage.
   */
  db?: string | StorageConfig | Storage;
  /** Refuse (NOT_FOUND) instead of creating a database file that does not exist yet. */
  mustExist?: boolean;
  /** Who runs the engine: picks the default executor (the host and the runner isolate handlers in threads). */
  role?: EngineRole;
  /**
   * Keep time on the database's clock where the storage has one (PostgreSQL): `clock` (the
   * machine's) plus its measured offset from the database (./runtime/databaseClock.ts), so
   * machines whose clocks disagree agree on leases and due times. Default: true unless a `clock`
   * is given (tests that drive a ManualClock keep exactly its time); pass true with a clock to
   * have that clock corrected.
   */
  databaseClock?: boolean;
}

export interface OpenedEngine {
  engine: Engine;
  storage: Storage;
  /** The SQLite file, or the PostgreSQL URL without its password (null for memory or a Storage given). */
  database: string | null;
  /** The workspace as last loaded (null for templates given in code). */
  readonly workspace: Workspace | null;
  /**
   * Load the workspace folder again; from now on the engine resolves templates and handlers in
   * the new one. A load that throws keeps the previous workspace (and rethrows).
   */
  reload(): Promise<Workspace>;
  /** Stops the engine, releases its executor and closes the storage if it was opened here. */
  close(): Promise<void>;
}

interface Registries {
  templates: TemplateRegistry;
  handlers: HandlerRegistry;
}

function registriesOf(workspace: Workspace | InlineWorkspace): Registries {
  const root = 'root' in workspace ? workspace.root : undefined;
  return {
    templates: createTemplateRegistry(workspace.templates, root ? { root } : {}),
    handlers: createHandlerRegistry(handlerMap(workspace.handlers)),
  };
}

const isStorage = (db: unknown): db is Storage => typeof (db as Storage | undefined)?.commit === 'function';

export async function openEngine(options: OpenEngineOptions): Promise<OpenedEngine> {
  const { workspace: source, db, mustExist, databaseClock, ...engineOptions } = options;
  const folder = typeof source === 'string' ? resolve(source) : 'root' in source ? source.root : null;
  let workspace: Workspace | null = typeof source === 'string' ? await loadWorkspace(folder!) : 'root' in source ? source : null;
  let current = registriesOf(workspace ?? (source as InlineWorkspace));

  let storage: Storage;
  let database: string | null = null;
  const owned = !isStorage(db);
  if (isStorage(db)) {
    storage = db;
  } else {
    // A string is a SQLite file or a postgres:// URL.
    const config: StorageConfig = typeof db === 'string' ? storageConfigOf(db) : db ?? (workspace ? storageConfigOf(workspace.config.database) : { kind: 'memory' });
    if (config.kind === 'sqlite') {
      database = config.file;
      if (mustExist && config.file !== ':memory:' && !existsSync(config.file)) {
        throw new StepwiseError('NOT_FOUND', `There is no database at ${config.file}. Pass --db FILE (or a postgres:// URL), or run a task first (stepwise run).`, { file: config.file });
      }
    }
    if (config.kind === 'postgres') database = redactUrl(config.url);
    storage = await openStorage(config);
  }

  const config = workspace?.config;
  const { role, ...rest } = engineOptions;
  let engine: Engine;
  try {
    if (storage.now && (databaseClock ?? rest.clock === undefined)) {
      const clock = new DatabaseClock(rest.clock ?? systemClock, () => storage.now!());
      await clock.sync();
      rest.clock = clock;
    }
    engine = createEngine({
      executor: config?.executor ?? defaultExecutorKind(process.env, role),
      ...(config?.concurrency ? { concurrency: config.concurrency } : {}),
      ...(config?.limits ? { limits: config.limits } : {}),
      ...rest,
      executorOptions: { ...(workspace ? executorOptionsOf(workspace) : {}), ...rest.executorOptions },
      storage,
      // Registries that read whatever workspace is current, so reload() reaches the engine.
      templates: { resolve: (ref) => current.templates.resolve(ref), list: () => current.templates.list() },
      handlers: { get: (name, template, method) => current.handlers.get(name, template, method), fileOf: (name, template) => current.handlers.fileOf?.(name, template) },
    });
  } catch (err) {
    if (owned) await storage.close();
    throw err;
  }

  return {
    engine,
    storage,
    database,
    get workspace() {
      return workspace;
    },
    async reload() {
      if (!folder) throw new StepwiseError('USAGE', 'reload() needs a workspace folder; this engine was opened with templates given in code.');
      const next = await loadWorkspace(folder);
      workspace = next;
      current = registriesOf(next);
      // Executors that cache handler modules (worker threads) load the edited ones from now on.
      engine.executor.refresh?.();
      return next;
    },
    async close() {
      await engine.close();
      if (owned) await storage.close();
    },
  };
}
