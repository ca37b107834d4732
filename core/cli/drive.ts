/**
 * Driving one task from the CLI until it completes, fails, pauses or only waits, with live
 * progress, a final report (`--json`: `{ task, steps }` for workflows, `{ task, transitions }`
 * for flows) and the exit code: 0 complete, 1 failed or cancelled, 3 still waiting or paused.
 * `run` uses it, and so can every command that changes a task and then runs it.
 */
import type { TaskRecord } from '../model/runtime.js';
import { isTaskFinished } from '../model/states.js';
import { templateRef, type FlowTemplate } from '../model/template.js';
import type { RunSummary } from '../engine/runtime/runUntilIdle.js';
import { liveServer, type CliContext } from './context.js';
import { flowReportJson, formatFlowReport } from '../engine/flow/report.js';
import { printJson, type CliIO } from './io.js';
import { startProgress } from './progress.js';
import { formatSteps, taskHeadline, workflowReportJson } from './report.js';

/** Retries and timed waits due within this long are waited for; longer ones leave the task waiting. */
export const AWAIT_TIMERS_MS = 60_000;

export function exitCodeFor(task: TaskRecord): number {
  switch (task.status) {
    case 'complete':
      return 0;
    case 'error':
    case 'cancelled':
      return 1;
    default:
      return 3;
  }
}

/**
 * What to type next for a flow that stopped unfinished: the debugger's continue when paused, else
 * the interactions its current state accepts (with their params' fields) and `stepwise wake`
 * for a timed wait. PURE.
 */
export function flowNextSteps(task: TaskRecord, template: FlowTemplate | undefined): string[] {
  if (isTaskFinished(task.kind, task.status)) return [];
  if (task.debug.paused) return [`paused (${task.debug.pauseReason ?? 'debugger'}): continue with \`stepwise debug ${task.id} continue\`.`];
  const state = task.currentState;
  const open = (template?.interactions ?? []).filter((i) => i.when.length === 0 || (state !== null && i.when.includes(state)));
  if (open.length === 0) return task.wakeAt !== null ? [`waiting in ${state ?? '?'}: \`stepwise wake ${task.id}\` makes its wait due now.`] : [];
  const lines = [`waiting in ${state ?? '?'} for ${open.length === 1 ? 'an interaction' : 'one of these interactions'}:`];
  for (const i of open) {
    const fields = Object.keys((i.params as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
    const params = fields.length ? ` --params '${JSON.stringify(Object.fromEntries(fields.map((f) => [f, '…'])))}'` : '';
    lines.push(`  stepwise interact ${task.id} ${i.name}${params}${i.description ? `   # ${i.description}` : ''}`);
  }
  return lines;
}

export async function driveAndReport(cli: CliContext, io: CliIO, taskId: string, options: { json?: boolean } = {}): Promise<number> {
  const { engine, storage } = cli;
  const initial = (await storage.getTask(taskId))!;
  const progress = options.json ? null : startProgress(io, engine.bus, engine.context.clock, initial, await storage.getSteps(taskId));
  // Ctrl-C: abort running handlers (their steps go back to ready) and report where the task is.
  const interrupt = () => void engine.stop({ abort: true });
  process.once('SIGINT', interrupt);
  // The last line of defence: whatever ends this process while the task runs (code that called
  // process.exit outside a handler's guard), the command never exits 0 with the task unfinished.
  const exiting = (code: number) => {
    process.stderr.write(`error: the process is exiting (code ${code}) while task ${taskId} is unfinished; \`stepwise show ${taskId}\` shows where it stopped.\n`);
    if (!code) process.exitCode = 1;
  };
  process.once('exit', exiting);
  let summary;
  try {
    summary = await engine.runUntilIdle({ taskId, awaitTimersWithinMs: AWAIT_TIMERS_MS });
    summary = await awaitOtherEngine(cli, io, taskId, summary);
  } finally {
    process.off('SIGINT', interrupt);
    process.off('exit', exiting);
    progress?.stop();
  }
  const task = summary.task ?? initial;
  if (task.kind === 'flow') {
    const transitions = await storage.listTransitions(taskId);
    if (options.json) printJson(io, flowReportJson(task, transitions));
    else {
      const template = cli.workspace.templates.find((t) => t.kind === 'flow' && templateRef(t) === task.templateRef) as FlowTemplate | undefined;
      io.out([formatFlowReport(task, transitions, engine.context.clock.now()), ...flowNextSteps(task, template)].join('\n'));
    }
    return exitCodeFor(task);
  }
  const steps = await storage.getSteps(taskId);
  if (options.json) {
    printJson(io, workflowReportJson(task, steps));
    return exitCodeFor(task);
  }
  const lines = [taskHeadline(task)];
  if (!io.isTTY) lines.push(...formatSteps(steps, await storage.listAttempts(taskId)));
  if (task.status === 'complete') lines.push(`result: ${JSON.stringify(task.result)}`);
  else if (summary.stoppedBy === 'stopped') lines.push('interrupted: running steps went back to ready; `stepwise runner` or another run continues them.');
  else if (task.debug.paused) lines.push(`paused (${task.debug.pauseReason ?? 'debugger'}): continue with \`stepwise debug ${task.id} continue\`.`);
  else if (task.status === 'waiting') {
    const waiting = steps.filter((s) => s.state === 'waiting' || s.state === 'waiting_for_retry').map((s) => s.name);
    lines.push(`waiting on ${waiting.join(', ')}: \`stepwise signal ${task.id} STEP\` or \`stepwise runner\` continues it.`);
  }
  io.out(lines.join('\n'));
  return exitCodeFor(task);
}

/** How often `run` looks at a task another engine is running. */
const HANDOVER_POLL_MS = 200;

/**
 * A runner (or the workbench host) serving the same database may claim steps of the task this
 * command started: this engine then goes idle with the task still running. Instead of exiting
 * with "running" and no word of who runs it, say so once and wait for the other engine's
 * outcome, running here whatever becomes ready again (Ctrl-C stops waiting; the task goes on there).
 */
async function awaitOtherEngine(cli: CliContext, io: CliIO, taskId: string, first: RunSummary): Promise<RunSummary> {
  const { engine, storage } = cli;
  let summary = first;
  let told = false;
  while (summary.stoppedBy === 'idle' && summary.task && summary.task.status === 'running' && !summary.task.debug.paused) {
    const owner = engine.context.owner;
    const elsewhere = (await storage.getSteps(taskId)).filter((s) => s.state === 'running' && s.leaseOwner !== null && s.leaseOwner !== owner);
    if (elsewhere.length === 0) break;
    if (!told) {
      told = true;
      const server = await liveServer(storage, engine.context.clock.now());
      const who = server && server.owner === elsewhere[0]!.leaseOwner ? `${server.kind} ${server.owner} (pid ${server.pid})` : `engine ${elsewhere[0]!.leaseOwner}`;
      io.err(`${elsewhere.map((s) => s.name).join(', ')} of task ${taskId} is running in ${who}, which serves this database; waiting for its outcome (Ctrl-C stops waiting; the task goes on there).`);
    }
    await new Promise((r) => setTimeout(r, HANDOVER_POLL_MS));
    summary = await engine.runUntilIdle({ taskId, awaitTimersWithinMs: AWAIT_TIMERS_MS });
  }
  return summary;
}
