/**
 * scripts/staleBuild.mjs: out/ counts as fresh only after a successful build of the current inputs.
 * The case it exists for: a build that fails midway leaves out/ files newer than every source.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildWorkbench, staleBuildReason } from '../../scripts/staleBuild.mjs';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'stepwise-stale-'));
  for (const dir of ['renderer', 'core', 'main']) mkdirSync(join(root, dir));
  writeFileSync(join(root, 'renderer', 'app.tsx'), 'export const a = 1;\n');
  writeFileSync(join(root, 'core', 'index.ts'), 'export const b = 2;\n');
  writeFileSync(join(root, 'package.json'), '{}\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A stand-in for electron-vite: writes both outputs, then exits with `code`. */
function fakeBuild(code: number): string[] {
  const script = `const fs=require('fs');fs.mkdirSync('out/main',{recursive:true});fs.mkdirSync('out/renderer',{recursive:true});fs.writeFileSync('out/main/index.js','x');fs.writeFileSync('out/renderer/index.html','<html>');process.exit(${code});`;
  return [process.execPath, '-e', script];
}

describe('staleBuildReason / buildWorkbench', () => {
  it('is stale with no outputs, fresh after a successful build, stale again when a source changes', () => {
    expect(staleBuildReason(root)).toMatch(/missing/);
    expect(buildWorkbench(root, { stdio: 'ignore', command: fakeBuild(0) })).toBe(0);
    expect(staleBuildReason(root)).toBeNull();
    writeFileSync(join(root, 'core', 'index.ts'), 'export const b = 3;\n');
    expect(staleBuildReason(root)).toMatch(/sources changed/);
    writeFileSync(join(root, 'core', 'index.ts'), 'export const b = 2;\n');
    // Content, not timestamps: putting the source back makes the build current again.
    expect(staleBuildReason(root)).toBeNull();
  });

  it('a build that fails after writing out/ leaves it stale, though its files are newer than every source', () => {
    expect(buildWorkbench(root, { stdio: 'ignore', command: fakeBuild(0) })).toBe(0);
    expect(buildWorkbench(root, { stdio: 'ignore', command: fakeBuild(1) })).toBe(1);
    expect(staleBuildReason(root)).toMatch(/no successful build/);
    expect(buildWorkbench(root, { stdio: 'ignore', command: fakeBuild(0) })).toBe(0);
    expect(staleBuildReason(root)).toBeNull();
  });

  it('an out/ from before the marker existed is rebuilt once', () => {
    fakeBuildOutputsOnly();
    expect(staleBuildReason(root)).toMatch(/no successful build/);
  });
});

function fakeBuildOutputsOnly(): void {
  mkdirSync(join(root, 'out', 'main'), { recursive: true });
  mkdirSync(join(root, 'out', 'renderer'), { recursive: true });
  writeFileSync(join(root, 'out', 'main', 'index.js'), 'x');
  writeFileSync(join(root, 'out', 'renderer', 'index.html'), '<html>');
}
