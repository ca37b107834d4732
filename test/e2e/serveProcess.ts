/**
 * Starts `stepwise serve` as a child process for the browser tests, on a copy of the example
 * workspace and a temporary database, and stops it. Used by the global setup and by the test
 * that restarts the host under an open page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseReadyLine, type ReadyInfo } from '../../core/host/ready.js';

export const REPO = path.resolve(import.meta.dirname, '../..');

export interface ServeHandle {
  info: ReadyInfo;
  child: ChildProcess;
  log: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** A fresh copy of resources/examples (the tests may write to it) with its own database path. */
export function tempWorkspace(prefix = 'stepwise-e2e-'): { dir: string; db: string; cleanup: () => void } {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  const dir = path.join(root, 'examples');
  cpSync(path.join(REPO, 'resources/examples'), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.stepwise`) });
  // Workspace modules import packages (zod, stepwise's own deps): resolve them from the repo.
  symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return { dir, db: path.join(root, 'stepwise.db'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function startServe(options: { workspace: string; db: string; port?: number; token?: string; args?: string[]; env?: NodeJS.ProcessEnv }): Promise<ServeHandle> {
  const args = [path.join(REPO, 'bin/stepwise.mjs'), 'serve', '--workspace', options.workspace, '--db', options.db, '--port', String(options.port ?? 0), ...(options.args ?? [])];
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: { ...process.env, ...options.env, ...(options.token ? { STEPWISE_TOKEN: options.token } : {}), NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stepwise serve did not become ready:\n${log.join('\n')}`));
    }, 60_000);
    const onLine = (line: string) => {
      log.push(line);
      const info = parseReadyLine(line);
      if (!info) return;
      clearTimeout(timer);
      resolve({
        info,
        child,
        log,
        stop: (signal = 'SIGTERM') =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill(signal);
          }),
      });
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', (l) => log.push(l));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stepwise serve exited with ${code}:\n${log.join('\n')}`));
    });
  });
}
