/** A loaded workspace: the folder of a user's project that holds templates and handlers. */
import type { Limits } from '../limits/limits.js';
import type { HandlerFn, Template } from './template.js';
import type { Problem } from './problem.js';

export type ExecutorKind = 'inline' | 'pool' | 'threads';

export interface WorkspaceConfig {
  /** Absolute path of the SQLite database (default `<root>/.stepwise/stepwise.db`). */
  database: string;
  executor?: ExecutorKind;
  /** Pool/threads: how many handlers run at once. */
  concurrency?: number;
  /** Threads: the heap limit of each handler worker thread, in MB (default 2048). */
  handlerMemoryMb?: number;
  /**
   * Modules (absolute paths) run once in every process and worker thread that runs handlers,
   * before any handler module: where to start an OpenTelemetry SDK or subscribe to the
   * `stepwise:handler` tracing channel (docs/tracing.md).
   */
  setup?: string[];
  /** tasker-core `environments:` key to apply, if any. */
  environment?: string;
  /** Size limits on what tasks store (core/limits: inputBytes, resultBytes, errorMessageChars, ...). */
  limits?: Partial<Limits>;
}

/** What a handler module exports as a handler: a function, a class, or an object with methods (see handlerDispatch). */
export type HandlerExport = HandlerFn | object;

export interface HandlerEntry {
  name: string;
  /** The export: a function, or an object or class whose methods `handler.method` names. */
  fn: HandlerExport;
  /** The module it came from (absolute path). */
  file: string;
}

export interface Workspace {
  root: string;
  config: WorkspaceConfig;
  /** Valid and invalid templates alike; check `problems` before running one. */
  templates: Template[];
  handlers: Map<string, HandlerEntry>;
  /** Every problem found, across all files. */
  problems: Problem[];
  /** Template and handler files read, absolute paths. */
  files: string[];
}
