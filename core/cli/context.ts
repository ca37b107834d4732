/**
 * The one place CLI commands open a workspace, its database and an engine from the common
 * options `--workspace DIR`, `--db FILE|URL` and `--executor inline|pool|threads`. Which database:
 * ./database.ts.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { engineStatus } from '../model/cluster.js';
import { StepwiseError } from '../model/errors.js';
import { createConsoleLogger, type Logger } from '../model/logger.js';
import { formatProblem, type Problem } from '../model/problem.js';
import { templateRef, type Template } from '../model/template.js';
import type { ExecutorKind, Workspace } from '../model/workspace.js';
import type { Engine } from '../engine/engine.js';
import { openEngine } from '../engine/open.js';
import { EXECUTOR_KINDS, defaultExecutorKind, type EngineRole } from '../executor/index.js';
import type { Heartbeat, Storage } from '../storage/storage.js';
import { loadWorkspace } from '../template/workspace.js';
import { DB_OPTION_HELP, databaseOf, describeDatabase, openDatabase } from './database.js';

let logger: Logger = createConsoleLogger();

/**
 * The CLI's logger: plain lines on the command's stderr at the level of `--log-level`, else
 * STEPWISE_LOG, else `info` (main() sets it before each command runs). Engines and hosts that
 * CLI commands open log through it.
 */
export function cliLogger(): Logger {
  return logger;
}

export function useCliLogger(next: Logger): void {
  logger = next;
}

export interface EngineCliOptions {
  workspace?: string;
  db?: string;
  executor?: string;
}

/** Adds `--workspace`, `--db` (and with `executor: true`, `--executor`) to a command. */
export function addEngineOptions(command: Command, options: { executor?: boolean } = {}): Command {
  command
    .option('-w, --workspace <dir>', 'workspace folder (default: the current folder)')
    .option('--db <file|url>', DB_OPTION_HELP);
  if (options.executor) command.option('--executor <kind>', `how handlers run: ${EXECUTOR_KINDS.join(' | ')} (default: the workspace config, else threads for the runner and pool for other commands)`);
  return command;
}

export interface CliContext {
  workspace: Workspace;
  /** The database for messages: a file path, or a URL without its password. */
  dbFile: string;
  storage: Storage;
  engine: Engine;
  close(): Promise<void>;
}

function executorOf(value: string | undefined, workspace: Workspace, role: EngineRole): ExecutorKind {
  const kind = value ?? workspace.config.executor ?? defaultExecutorKind(process.env, role);
  if (!(EXECUTOR_KINDS as readonly string[]).includes(kind)) {
    throw new StepwiseError('USAGE', `--executor must be one of ${EXECUTOR_KINDS.join(', ')}; got '${kind}'.`, { executor: kind });
  }
  return kind as ExecutorKind;
}

/** The database the options point at: a file path or a PostgreSQL URL. */
export function databaseFile(options: EngineCliOptions, workspace: Workspace): string {
  return databaseOf(options.db, workspace.config.database);
}

/**
 * Open workspace, database and engine. `mustExist`: refuse (NOT_FOUND) instead of creating a
 * database that is not there yet — for commands that only read.
 */
export async function openCliContext(
  options: EngineCliOptions,
  open: { mustExist?: boolean; owner?: string; /** The runner isolates handlers by default. */ role?: EngineRole; leaseMs?: number } = {},
): Promise<CliContext> {
  const workspace = await loadWorkspace(options.workspace ?? process.cwd());
  const executor = executorOf(options.executor, workspace, open.role ?? 'cli');
  const opened = await openEngine({
    workspace,
    db: databaseFile(options, workspace),
    executor,
    ...(open.mustExist ? { mustExist: true } : {}),
    ...(open.owner ? { owner: open.owner } : {}),
    ...(open.leaseMs !== undefined ? { leaseMs: open.leaseMs } : {}),
    logger: cliLogger(),
  });
  return { workspace, dbFile: opened.database!, storage: opened.storage, engine: opened.engine, close: () => opened.close() };
}

/** What a command that only reads gets: the workspace and the database opened read-only. */
export interface ReadContext {
  workspace: Workspace;
  dbFile: string;
  storage: Storage;
  close(): Promise<void>;
}

/**
 * Open workspace and database for a command that only reads (tasks, show, insights, graph
 * --task): read-only, so the file is never changed — a missing file is not created, a file that
 * is not a Stepwise database (or is newer) is refused, and no engine is started.
 */
export async function openReadContext(options: EngineCliOptions): Promise<ReadContext> {
  const workspace = await loadWorkspace(options.workspace ?? process.cwd());
  const database = databaseFile(options, workspace);
  const storage = await openDatabase(database, { mustExist: true, readOnly: true });
  // A URL's password stays out of messages.
  return { workspace, dbFile: describeDatabase(database), storage, close: () => storage.close() };
}

/** Error problems of one template (its own file), which make running it pointless. */
export function problemsOf(workspace: Workspace, template: Template): Problem[] {
  const ref = templateRef(template);
  return workspace.problems.filter(
    (p) => p.severity === 'error' && (p.template === ref || (p.file !== undefined && template.source.file !== undefined && resolve(p.file) === resolve(template.source.file))),
  );
}

/** Refuse to run a template that has validation errors, listing them. */
export function assertRunnable(workspace: Workspace, template: Template): void {
  const problems = problemsOf(workspace, template);
  if (problems.length === 0) return;
  throw new StepwiseError(
    'TEMPLATE_INVALID',
    `${templateRef(template)} has problems; fix them first (stepwise validate):\n${problems.map(formatProblem).join('\n')}`,
    { template: templateRef(template) },
  );
}

/** The engines (runners, workbench hosts) serving this database right now (alive: core/model/cluster.ts), by owner. */
export async function liveServers(storage: Storage, now: number): Promise<Heartbeat[]> {
  return (await storage.heartbeats()).filter((b) => engineStatus(b, now) === 'alive');
}

/** An engine serving this database right now (the one that beat last), if any. */
export async function liveServer(storage: Storage, now: number): Promise<Heartbeat | null> {
  return (await liveServers(storage, now)).sort((a, b) => b.at - a.at)[0] ?? null;
}

/** `--input '{"a":1}'` or `--input @file.json`. `object: true` requires a JSON object. */
export async function readJsonOption(value: string | undefined, what: string, options: { object?: boolean } = {}): Promise<unknown> {
  if (value === undefined) return undefined;
  let text = value;
  if (value.startsWith('@')) {
    const file = resolve(value.slice(1));
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new StepwiseError('USAGE', `${what}: cannot read ${file} (${(err as Error).message}).`, { file });
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new StepwiseError('USAGE', `${what} is not valid JSON (${(err as Error).message}). Pass JSON, e.g. '{"order_id": 1}', or @file.json.`);
  }
  if (options.object && (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))) {
    throw new StepwiseError('USAGE', `${what} must be a JSON object, got ${text.trim().slice(0, 80)}.`);
  }
  return parsed;
}
