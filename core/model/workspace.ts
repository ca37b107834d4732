/** A loaded workspace: the folder of a user's project that holds templates and handlers. */
import type { HandlerFn, Template } from './template.js';
import type { Problem } from './problem.js';

export type ExecutorKind = 'inline' | 'pool' | 'threads';

export interface WorkspaceConfig {
  /** Absolute path of the SQLite database (default `<root>/.stepwise/stepwise.db`). */
  database: string;
  executor?: ExecutorKind;
  /** Pool/threads: how many handlers run at once. */
  concurrency?: number;
  /** tasker-core `environments:` key to apply, if any. */
  environment?: string;
}

export interface HandlerEntry {
  name: string;
  fn: HandlerFn;
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
