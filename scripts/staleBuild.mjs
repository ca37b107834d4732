// Whether the built workbench in out/ is missing or older than its sources. `npm start` and the
// browser tests' global setup rebuild then, so a `git pull` never shows yesterday's UI.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const SOURCES = ['renderer', 'main', 'core', 'electron.vite.config.ts', 'package.json'];
const OUTPUTS = ['out/main/index.js', 'out/renderer/index.html'];

function newest(file) {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(file)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    latest = Math.max(latest, newest(path.join(file, entry)));
  }
  return latest;
}

/** A reason to build (for the log), or null when out/ is newer than every source. */
export function staleBuildReason(root) {
  const missing = OUTPUTS.find((f) => !existsSync(path.join(root, f)));
  if (missing) return `${missing} is missing`;
  const built = Math.min(...OUTPUTS.map((f) => statSync(path.join(root, f)).mtimeMs));
  const changed = SOURCES.find((s) => newest(path.join(root, s)) > built);
  return changed ? `${changed} changed since the last build` : null;
}
