/**
 * The desktop app's small persistent state (userData/settings.json): window bounds, recent
 * workspaces, the configured `node` path. A corrupt file is ignored, never fatal.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Bounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized?: boolean;
}

export interface Settings {
  bounds: Bounds;
  recent: string[];
  /** Path of the `node` executable; empty means "find it on PATH". */
  nodePath?: string;
}

export const DEFAULT_SETTINGS: Settings = { bounds: { width: 1360, height: 860 }, recent: [] };
const MAX_RECENT = 10;

export function loadSettings(file: string): Settings {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Settings>;
    const bounds = parsed.bounds && typeof parsed.bounds.width === 'number' && typeof parsed.bounds.height === 'number' ? parsed.bounds : DEFAULT_SETTINGS.bounds;
    return {
      bounds,
      recent: Array.isArray(parsed.recent) ? parsed.recent.filter((r): r is string => typeof r === 'string').slice(0, MAX_RECENT) : [],
      ...(typeof parsed.nodePath === 'string' ? { nodePath: parsed.nodePath } : {}),
    };
  } catch {
    return { ...DEFAULT_SETTINGS, recent: [] };
  }
}

/** Written to a temp file and renamed, so a crash never leaves half a file. */
export function saveSettings(file: string, settings: Settings): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(settings, null, 2));
  renameSync(tmp, file);
}

export function withRecent(settings: Settings, workspace: string): Settings {
  return { ...settings, recent: [workspace, ...settings.recent.filter((r) => r !== workspace)].slice(0, MAX_RECENT) };
}
