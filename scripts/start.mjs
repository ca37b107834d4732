#!/usr/bin/env node
// `npm start [WORKSPACE]`: opens the Stepwise desktop app on a workspace (default: the bundled
// resources/examples). Builds the app first when out/ holds no successful build of the current sources. Where the Electron binary
// cannot be had (no download on this machine, no display), says so and serves the same
// workbench to the default browser instead (`stepwise serve --open`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWorkbench, staleBuildReason } from './staleBuild.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workspace = path.resolve(process.argv[2] ?? path.join(root, 'resources', 'examples'));
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

if (!existsSync(workspace)) {
  console.error(`No workspace at ${workspace}. Usage: npm start [WORKSPACE_DIR]`);
  process.exit(1);
}

const stale = staleBuildReason(root);
if (stale) {
  console.log(`Building the workbench (${stale})…`);
  const status = buildWorkbench(root);
  if (status !== 0) process.exit(status);
}

/** The Electron executable, or the reason it cannot be used here. */
function electronBinary() {
  // Requiring `electron` fetches its binary on first use; do that in a child with the output
  // captured, so a machine without network gets one clear line instead of a stack trace.
  const fetch = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("electron"))'], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  const binary = fetch.stdout.trim();
  if (fetch.status !== 0 || !binary || !existsSync(binary)) {
    const why = (fetch.stderr || fetch.error?.message || '').split('\n').find((l) => /Error/.test(l)) ?? 'it could not be downloaded';
    return { error: `the Electron binary is not available (${why.trim()})` };
  }
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 15_000, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  if (probe.status !== 0) return { error: `the Electron binary does not run here (${(probe.stderr || probe.error?.message || 'no output').trim().split('\n')[0]})` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { error: 'there is no display to open a window on' };
  return { binary };
}

const electron = electronBinary();
if (electron.binary) {
  const child = spawn(electron.binary, [root, '--workspace', workspace], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(`Stepwise: ${electron.error}; serving the workbench in your browser instead.`);
  const child = spawn(process.execPath, [path.join(root, 'bin', 'stepwise.mjs'), 'serve', '--workspace', workspace, '--open'], {
    cwd: root,
    stdio: 'inherit',
  });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 0));
}
