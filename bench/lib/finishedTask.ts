/**
 * A finished task of a workspace's template, made through the CLI while a host serves the same
 * database (the workbench bench and its profile open it as a runtime graph).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { REPO } from '../../test/e2e/serveProcess.js';

const cli = (ws: { dir: string; db: string }, args: string[]): string =>
  execFileSync(process.execPath, [path.join(REPO, 'bin/stepwise.mjs'), ...args, '--workspace', ws.dir, '--db', ws.db, '--json'], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });

/**
 * Runs the workflow to the end and returns its task id. The host's engine works on the same
 * database, so `stepwise run` may stop with the task still running (exit 3, some steps claimed
 * by the host): then wait for the host to finish it.
 */
export async function finishedTask(ref: string, ws: { dir: string; db: string }): Promise<string> {
  let out: string;
  try {
    out = cli(ws, ['run', ref, '--executor', 'inline']);
  } catch (err) {
    out = String((err as { stdout?: unknown }).stdout ?? '');
    if (!out.trim().startsWith('{')) throw err;
  }
  const taskId = (JSON.parse(out) as { task: { id: string } }).task.id;
  for (let i = 0; i < 600; i++) {
    const status = (JSON.parse(cli(ws, ['show', taskId])) as { task: { status: string } }).task.status;
    if (status === 'complete') return taskId;
    if (status === 'error' || status === 'cancelled') throw new Error(`the generated task ended ${status}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('the generated task did not finish within 5 minutes');
}

