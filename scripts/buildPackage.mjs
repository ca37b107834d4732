#!/usr/bin/env node
// Builds what the npm package ships (`npm run build:package`; `npm pack` runs it as prepack):
// dist/ — core compiled by tsc to ESM JavaScript with .d.ts (one file per source, so paths
// relative to import.meta.url hold), plus core's plain .mjs files — and the workbench in
// out/renderer when it is missing or older than its sources.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWorkbench, staleBuildReason } from './staleBuild.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
// Progress goes to stderr: `npm pack --json` prints its JSON on stdout after this script.
const run = (args) => execFileSync(npx, args, { cwd: root, stdio: ['ignore', 2, 2] });

rmSync(path.join(root, 'dist'), { recursive: true, force: true });
run(['tsc', '-p', 'tsconfig.build.json']);
for (const file of readdirSync(path.join(root, 'core'), { recursive: true, encoding: 'utf8' })) {
  if (file.endsWith('.mjs')) cpSync(path.join(root, 'core', file), path.join(root, 'dist', file));
}

const stale = staleBuildReason(root);
if (stale) {
  console.error(`Building the workbench (${stale})…`);
  if (buildWorkbench(root, { stdio: ['ignore', 2, 2] }) !== 0) throw new Error('electron-vite build failed; see its output above.');
}
