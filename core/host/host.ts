/**
 * The workbench host: one Node process that loads a workspace, opens its database (SQLite, or
 * PostgreSQL shared with runners), runs the engine loop (tasks progress while the UI watches), reloads templates and handlers
 * when their files change, and serves the renderer and the protocol on 127.0.0.1.
 *
 * Owns lifecycle only (start, reload, shut down); requests are served by server.ts/router.ts,
 * and the engine does the work. Never imports Electron: the desktop app runs this as a child.
 */
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { createConsoleLogger, logLevelFromEnv, type Logger } from '../model/logger.js';
import type { Clock } from '../model/clock.js';
import type { StepwiseEvent } from '../model/events.js';
import type { JsonObject, TaskRecord } from '../model/runtime.js';
import type { Workspace } from '../model/workspace.js';
import { openEngine } from '../engine/open.js';
import { followEvents } from '../events/log.js';
import { databaseOf } from '../storage/database.js';
import { generateToken } from './auth.js';
import { createHostControl } from './control.js';
import { createLayoutService, layoutCacheDir, prewarmLayouts } from './layoutService.js';
import { relayForeignEvents } from './foreignEvents.js';
import type { WorkspaceChange } from './protocol.js';
import { pageUrl, type ReadyInfo } from './ready.js';
import { startServer, type HostServer } from './server.js';
import type { HostServices } from './services.js';
import { relativeTo } from './summaries.js';
import { watchWorkspace, type WorkspaceWatcher } from './watch.js';

export interface HostOptions {
  workspace: string;
  /** 0 or absent: a free port. */
  port?: number;
  /** SQLite file or PostgreSQL URL; default `$STEPWISE_DB`, else the workspace config's (`<workspace>/.stepwise/stepwise.db`). */
  db?: string;
  /** Built renderer; null serves a "not built" page. */
  staticDir?: string | null;
  /** Reuse a token (the desktop app keeps one across host restarts); default: a fresh random one. */
  token?: string;
  /** Watch the workspace and reload on change (default true). */
  watch?: boolean;
  /**
   * Run the engine loop in the host (default: true on SQLite; false on PostgreSQL, where
   * `stepwise runner` processes do the work and the host watches and operates).
   */
  runEngine?: boolean;
  /**
   * The one source of time for the engine and the host (tests pass a ManualClock); default: the
   * system clock, corrected to the database's clock on PostgreSQL (leases and due times are then
   * the ones runners on other machines use).
   */
  clock?: Clock;
  /**
   * Correct `clock` by its offset from the database's clock where the storage has one
   * (openEngine's option): default true when no clock is given, false when one is.
   */
  databaseClock?: boolean;
  /** Where the host and its engine log (a pino logger fits); default: plain lines on stderr at STEPWISE_LOG's level. */
  logger?: Logger;
}

export interface Host {
  info: ReadyInfo;
  services: HostServices;
  /** Reloads the workspace now (as a file change would). */
  reload(files?: string[]): Promise<WorkspaceChange>;
  close(): Promise<void>;
}

export async function startHost(options: HostOptions): Promise<Host> {
  const logger = options.logger ?? createConsoleLogger({ level: logLevelFromEnv() });
  const root = path.resolve(options.workspace);
  const opened = await openEngine({
    workspace: root,
    // --db, else STEPWISE_DB, else the workspace config's (openEngine's default).
    ...(options.db || process.env.STEPWISE_DB ? { db: databaseOf(options.db, '') } : {}),
    // No clock given: openEngine's default, the system clock on the database's time where there is one.
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.databaseClock !== undefined ? { databaseClock: options.databaseClock } : {}),
    // Handlers run isolated in worker threads unless the workspace chooses otherwise: the host
    // serves the workbench and runs other tasks, and a handler's crash must cost only its attempt.
    role: 'host',
    logger,
  });
  const { engine, storage } = opened;
  // The engine's clock (the database's time on PostgreSQL): the host stamps and compares with the same.
  const clock: Clock = engine.context.clock;
  let workspace: Workspace = opened.workspace!;
  const database = opened.database!;
  // On PostgreSQL runners elsewhere do the work: the host only watches and operates unless asked.
  const runEngine = options.runEngine ?? storage.kind !== 'postgres';
  const relay = await relayForeignEvents(storage, engine.bus, { onError: (err) => logger.error({ err }, 'reading the event log') });
  const layouts = createLayoutService({ dir: layoutCacheDir(database, root), onError: (err) => logger.warn({ err }, 'layout cache') });
  const changes = new EventEmitter();
  let lastChange: WorkspaceChange | null = null;
  let reloads = 0;

  const reload = async (files: string[] = []): Promise<WorkspaceChange> => {
    reloads += 1;
    let error: string | null = null;
    try {
      workspace = await opened.reload();
    } catch (err) {
      // Keep serving the last good workspace; the UI shows why the reload failed.
      error = err instanceof Error ? err.message : String(err);
    }
    const change: WorkspaceChange = {
      seq: reloads,
      at: clock.now(),
      files: files.map((f) => relativeTo(root, f) ?? f),
      templateCount: workspace.templates.length,
      problemCount: workspace.problems.length,
      error,
    };
    lastChange = change;
    if (!error) prewarmLayouts(layouts, workspace.templates);
    const fields = { files: change.files, templates: change.templateCount, problems: change.problemCount };
    if (error) logger.warn({ ...fields, error }, 'workspace reload failed');
    else logger.info(fields, 'workspace reloaded');
    changes.emit('change', change);
    return change;
  };

  const services: HostServices = {
    workspace: () => workspace,
    database,
    storage,
    clock,
    startTask: (ref: string, input: JsonObject): Promise<TaskRecord> => engine.start(ref, input),
    followEvents: (fromSeq: number, onEvent: (event: StepwiseEvent) => void) =>
      followEvents(storage, relay.bus, fromSeq, onEvent, { onError: (err) => logger.error({ err }, 'event follower stopped') }),
    onWorkspaceChanged: (listener) => {
      changes.on('change', listener);
      return () => void changes.off('change', listener);
    },
    lastWorkspaceChange: () => lastChange,
    control: createHostControl(engine),
    engineOwner: runEngine ? engine.context.owner : null,
    layouts,
  };

  const token = options.token ?? generateToken();
  let server: HostServer;
  try {
    server = await startServer({ services, token, port: options.port ?? 0, staticDir: options.staticDir ?? null, onError: (err) => logger.error({ err }, 'workbench server') });
  } catch (err) {
    await layouts.close();
    await opened.close();
    throw err;
  }
  layouts.warm();
  prewarmLayouts(layouts, workspace.templates);
  if (runEngine) engine.startLoop({ heartbeat: 'host' });
  let watcher: WorkspaceWatcher | null = null;
  if (options.watch !== false) {
    watcher = watchWorkspace(root, (files) => void reload(files), { onError: (err) => logger.warn({ err }, 'watching the workspace') });
    await watcher.ready;
  }

  const info: ReadyInfo = {
    url: server.url,
    port: server.port,
    token,
    openUrl: pageUrl(server.url, token),
    workspace: root,
    database,
    pid: process.pid,
  };
  let closed = false;
  return {
    info,
    services,
    reload,
    close: async () => {
      if (closed) return;
      closed = true;
      await watcher?.close();
      await server.close();
      await relay.stop();
      await layouts.close();
      // Running attempts are aborted; they go back to `ready` and run again next time.
      await opened.close();
    },
  };
}
