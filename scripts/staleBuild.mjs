// Whether the built workbench in out/ is missing or was not built from the sources as they are
// now. `npm start`, `npm run build`, the package build and the browser tests' global setup build
// through `buildWorkbench`, which records a content hash of the inputs in out/ only once the build
// succeeded: a build that fails midway leaves out/ without a marker (its partly written files may
// be newer than every source, so timestamps cannot tell), and the next start builds again instead
// of serving a broken page.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const SOURCES = ['renderer', 'main', 'core', 'electron.vite.config.ts', 'package.json', 'package-lock.json'];
const OUTPUTS = ['out/main/index.js', 'out/renderer/index.html'];
/** Written last by a successful build: the inputs' hash. */
export const BUILD_MARKER = 'out/.build-inputs';

function addFiles(root, rel, out) {
  const stat = statSync(path.join(root, rel), { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isDirectory()) return void out.push(rel);
  for (const entry of readdirSync(path.join(root, rel)).sort()) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    addFiles(root, path.join(rel, entry), out);
  }
}

/** sha256 over every input file's path and content, in a stable order. */
export function inputsHash(root) {
  const files = [];
  for (const s of SOURCES) addFiles(root, s, files);
  const hash = createHash('sha256');
  for (const rel of files) {
    hash.update(rel.split(path.sep).join('/'));
    hash.update('\0');
    hash.update(readFileSync(path.join(root, rel)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** A reason to build (for the log), or null when out/ holds a successful build of the current inputs. */
export function staleBuildReason(root) {
  const missing = OUTPUTS.find((f) => !existsSync(path.join(root, f)));
  if (missing) return `${missing} is missing`;
  const marker = path.join(root, BUILD_MARKER);
  if (!existsSync(marker)) return 'no successful build is recorded in out/ (the last one failed or predates the marker)';
  return readFileSync(marker, 'utf8').trim() === inputsHash(root) ? null : 'the sources changed since the last successful build';
}

/**
 * Runs `electron-vite build` (or `command`, for tests) and records the inputs' hash once it
 * succeeded. Returns the exit status (0 on success). The hash is taken before the build, so
 * a source edited during the build makes the next check stale rather than wrongly fresh.
 */
export function buildWorkbench(root, { stdio = 'inherit', command = ['npx', 'electron-vite', 'build'] } = {}) {
  const marker = path.join(root, BUILD_MARKER);
  rmSync(marker, { force: true });
  const hash = inputsHash(root);
  const [bin, ...args] = command;
  const npx = process.platform === 'win32' && bin === 'npx' ? 'npx.cmd' : bin;
  const run = spawnSync(npx, args, { cwd: root, stdio });
  const status = run.status ?? 1;
  if (status === 0 && OUTPUTS.every((f) => existsSync(path.join(root, f)))) writeFileSync(marker, `${hash}\n`);
  return status;
}
