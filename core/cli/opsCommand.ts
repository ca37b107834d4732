/**
 * What every CLI command that changes a task shares (retry, reset, complete, skip, rerun, update,
 * wake, debug): open the database, preview the operation, confirm it (a terminal prompt, or
 * `--yes`; without a terminal it is refused with CONFIRMATION_REQUIRED), apply it with the
 * preview's version, then leave execution to a live engine (fresh heartbeat) or drive the task
 * here exactly like `stepwise run` (driveAndReport), unless `--no-run`.
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { StepwiseError } from '../model/errors.js';
import type { TaskRecord } from '../model/runtime.js';
import { transitionJson } from '../engine/flow/report.js';
import { createOps, type Ops } from '../ops/ops.js';
import type { OpRequest, OpResult, Preview } from '../ops/types.js';
import { addEngineOptions, liveServers, openCliContext, type CliContext, type EngineCliOptions } from './context.js';
import { describeRunner } from './whoRuns.js';
import { driveAndReport } from './drive.js';
import { printJson, processIO, type CliIO } from './io.js';
import type { CommandContext } from './main.js';
import { taskJson } from './report.js';
import { resolveTask } from './taskRef.js';

export interface OpCliOptions extends EngineCliOptions {
  reason?: string;
  yes?: boolean;
  /** commander's `--no-run`: false when given. */
  run: boolean;
  json?: boolean;
}

/** --reason, --yes, --no-run, --json and the engine options. */
export function addOpOptions(command: Command, options: { confirm?: boolean } = {}): Command {
  command.option('-r, --reason <text>', 'why (kept in every transition the operation writes)');
  if (options.confirm !== false) command.option('-y, --yes', 'apply without asking (required when stdin is not a terminal)');
  command.option('--no-run', 'only change the task; leave running it to a runner').option('--json', 'print JSON (the same shape as `stepwise run --json`)');
  return addEngineOptions(command, { executor: true });
}

const isErrorInfo = (v: unknown): v is { class: string; message: string; code?: unknown } =>
  typeof v === 'object' && v !== null && typeof (v as { class?: unknown }).class === 'string' && typeof (v as { message?: unknown }).message === 'string';

/**
 * One value of a change, on one line: an error as `Class: first line of its message` (its stack
 * and details are in `stepwise show`), anything else as JSON cut to 200 characters.
 */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return '∅';
  if (typeof v === 'string') return v;
  if (isErrorInfo(v)) return `${typeof v.code === 'string' ? `${v.code} ` : ''}${v.class}: ${v.message.split('\n')[0]}`;
  const json = JSON.stringify(v);
  return json.length > 200 ? `${json.slice(0, 199)}…` : json;
}

/**
 * The preview as lines. An error shows once: the task's copy of its failed step's error (the
 * same class and message) is said to be "the error above", not printed again.
 */
export function formatPreview(p: Preview): string {
  const lines = [`${p.op} on task ${p.taskId} (version ${p.version}) will change:`];
  const shown = new Set<string>();
  const value = (v: unknown) => {
    if (!isErrorInfo(v)) return showValue(v);
    const key = `${v.class}\n${v.message}`;
    if (shown.has(key)) return 'the error above';
    shown.add(key);
    return showValue(v);
  };
  for (const c of p.changes) lines.push(`  ${c.kind === 'task' ? 'task' : `step ${c.name}`}  ${c.field}: ${value(c.from)} → ${value(c.to)}`);
  if (p.changes.length === 0) lines.push('  (nothing)');
  for (const n of p.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}

/** A terminal prompt on the real process when stdin is a terminal; null otherwise. */
async function terminalPrompt(question: string): Promise<string | null> {
  if (!process.stdin.isTTY) return null;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** Asks to apply `preview`; throws CONFIRMATION_REQUIRED when nobody can answer. */
export async function confirm(io: CliIO, preview: Preview, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  const prompt = io.prompt ?? (io === processIO ? terminalPrompt : undefined);
  const answer = prompt ? await prompt(`Apply ${preview.op} to ${preview.taskId}? [y/N] `) : null;
  if (answer === null) {
    throw new StepwiseError('CONFIRMATION_REQUIRED', `${preview.op} changes task ${preview.taskId} and stdin is not a terminal to confirm it. Check the preview above, then pass --yes.`, {
      op: preview.op,
      taskId: preview.taskId,
    });
  }
  return /^y(es)?$/i.test(answer.trim());
}

/** The task `taskId` names: its whole id, a unique prefix or its short id (core/cli/taskRef). */
export function loadTask(cli: CliContext, taskId: string): Promise<TaskRecord> {
  return resolveTask(cli.storage, taskId, cli.dbFile);
}

export function resultJson(r: OpResult) {
  return { op: r.op, changes: r.changes, notes: r.notes, transitions: r.transitions.map(transitionJson), task: taskJson(r.task) };
}

/**
 * After a change: leave the task to the live engines (saying which holds it, or that it is
 * queued), or drive it here like `run` does. Returns the
 * exit code. `announce` is printed (not with --json) before anything else.
 */
export async function continueAfter(ctx: CommandContext, cli: CliContext, taskId: string, options: OpCliOptions, result: OpResult | null, announce: string): Promise<number> {
  const alive = options.run ? await liveServers(cli.storage, cli.engine.context.clock.now()) : [];
  if (!options.run || alive.length > 0) {
    if (options.json) printJson(ctx.io, result ? resultJson(result) : { task: taskJson(await loadTask(cli, taskId)) });
    else {
      const who = alive.length > 0 ? await describeRunner(cli.storage, taskId, alive) : 'Not run here (--no-run); `stepwise runner` continues it';
      ctx.io.out(`${announce}\n${who}.`);
    }
    return 0;
  }
  if (!options.json) ctx.io.out(announce);
  return driveAndReport(cli, ctx.io, taskId, { json: options.json ?? false });
}

/** Options of a command whose operation leaves nothing to run (cancel): no `--no-run`. */
export type FinalOpCliOptions = Omit<OpCliOptions, 'run'>;

/**
 * The whole life of a mutating command: preview, confirm, apply, then run or leave.
 * `after` says what follows the apply: 'continue' (default) runs the task here or leaves it to
 * a live engine (`continueAfter`); 'none' is for operations that leave nothing to run (cancel):
 * the command prints the task's new status (or the result with --json) and exits 0.
 */
export function runOperation(
  ctx: CommandContext,
  options: OpCliOptions,
  taskId: string,
  build: (task: TaskRecord, cli: CliContext) => OpRequest | Promise<OpRequest>,
  defaultReason: string,
  settings?: { after?: 'continue' },
): Promise<void>;
export function runOperation(
  ctx: CommandContext,
  options: FinalOpCliOptions,
  taskId: string,
  build: (task: TaskRecord, cli: CliContext) => OpRequest | Promise<OpRequest>,
  defaultReason: string,
  settings: { after: 'none' },
): Promise<void>;
export async function runOperation(
  ctx: CommandContext,
  options: OpCliOptions | FinalOpCliOptions,
  taskId: string,
  build: (task: TaskRecord, cli: CliContext) => OpRequest | Promise<OpRequest>,
  defaultReason: string,
  settings: { after?: 'continue' | 'none' } = {},
): Promise<void> {
  const cli = await openCliContext(options, { mustExist: true });
  try {
    const ops: Ops = createOps(cli.engine);
    const task = await loadTask(cli, taskId);
    const req = await build(task, cli);
    const preview = await ops.preview(req);
    if (!options.yes) {
      ctx.io.err(formatPreview(preview));
      if (!(await confirm(ctx.io, preview, options.yes))) {
        ctx.io.err('Not applied; nothing was changed.');
        ctx.setExit(1);
        return;
      }
    }
    const result = await ops.apply(req, { expectedVersion: preview.version, reason: options.reason ?? defaultReason });
    if (settings.after === 'none') {
      if (options.json) printJson(ctx.io, resultJson(result));
      else ctx.io.out(`${result.task.id} ${result.task.status}`);
      ctx.setExit(0);
      return;
    }
    const summary = `${result.op} applied to ${task.id}: ${result.changes.length} change${result.changes.length === 1 ? '' : 's'}.`;
    ctx.setExit(await continueAfter(ctx, cli, task.id, options as OpCliOptions, result, summary));
  } finally {
    await cli.close();
  }
}
