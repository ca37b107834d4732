/**
 * Watches a workspace's template and handler files and calls `onChange` once per burst of
 * changes (editors write a file in several steps; a `git checkout` touches many at once).
 * The database folder, node_modules and dot-folders are ignored: the engine writes the SQLite
 * file and its WAL all the time, and those writes must not look like workspace edits.
 */
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

const WATCHED_EXTENSIONS = new Set(['.yaml', '.yml', '.ts', '.mts', '.js', '.mjs', '.json']);

export function isWatchedPath(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
  const parts = rel.split(path.sep);
  if (parts.some((p) => p === 'node_modules' || (p.startsWith('.') && p.length > 1))) return false;
  return true;
}

export interface WorkspaceWatcher {
  /** Resolves once the initial scan is done (changes after it are reported). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export function watchWorkspace(
  root: string,
  onChange: (files: string[]) => void,
  options: { debounceMs?: number; onError?: (err: unknown) => void } = {},
): WorkspaceWatcher {
  const debounceMs = options.debounceMs ?? 150;
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(root, {
    ignoreInitial: true,
    ignored: (file, stats) => {
      if (!isWatchedPath(root, file)) return true;
      // Directories pass (so chokidar descends); files only with a workspace extension.
      return stats?.isFile() === true && !WATCHED_EXTENSIONS.has(path.extname(file));
    },
  });
  const flush = () => {
    timer = undefined;
    const files = [...pending].sort();
    pending = new Set();
    if (files.length > 0) onChange(files);
  };
  const note = (file: string) => {
    pending.add(file);
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  };
  watcher.on('add', note).on('change', note).on('unlink', note).on('unlinkDir', note);
  watcher.on('error', (err) => options.onError?.(err));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    close: async () => {
      if (timer) clearTimeout(timer);
      await watcher.close();
    },
  };
}
