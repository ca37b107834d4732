/** Starts `stepwise runner` as a child process (for the cluster tests) and stops it. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { REPO } from './serveProcess.js';

export interface RunnerHandle {
  child: ChildProcess;
  pid: number;
  /** The engine's owner id, as the runner printed it (`runner <owner> serving …`). */
  owner: string;
  log: string[];
  stop(): Promise<void>;
}

export function startRunner(options: { workspace: string; db: string; args?: string[] }): Promise<RunnerHandle> {
  const args = [path.join(REPO, 'bin/stepwise.mjs'), 'runner', '--workspace', options.workspace, '--db', options.db, ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(force);
        done();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stepwise runner did not start:\n${log.join('\n')}`));
    }, 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log.push(line);
      const m = /^runner (\S+) serving /.exec(line);
      if (!m) return;
      clearTimeout(timer);
      resolve({ child, pid: child.pid!, owner: m[1]!, log, stop });
    });
    createInterface({ input: child.stderr! }).on('line', (l) => log.push(l));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stepwise runner exited with ${code}:\n${log.join('\n')}`));
    });
  });
}
