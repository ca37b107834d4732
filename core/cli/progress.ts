/**
 * Live progress of a task while the CLI drives it. On a terminal: one line per step with a
 * spinner and a progress bar, redrawn in place by log-update (it wraps to the terminal's width
 * and clips to its height, so a long line never breaks the redraw). Elsewhere (pipes, CI logs):
 * one plain line per step event. Fed by the engine's event bus; shared by `run` and the commands that drive a task
 * after changing it.
 */
import type { Clock } from '../model/clock.js';
import type { StepwiseEvent } from '../model/events.js';
import type { StepRecord, TaskRecord } from '../model/runtime.js';
import type { EventBus } from '../events/types.js';
import { createLogUpdate } from 'log-update';
import type { CliIO } from './io.js';
import { STATE_ICON, formatDuration } from './report.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const MAX_LINES = 20;

interface StepLine {
  state: string;
  attempt: number;
  fraction: number | null;
  message: string;
  startedAt: number | null;
  tookMs: number | null;
}

export interface Progress {
  stop(): void;
}

export function startProgress(io: CliIO, bus: EventBus, clock: Clock, task: TaskRecord, steps: readonly StepRecord[]): Progress {
  const lines = new Map<string, StepLine>();
  for (const s of steps) lines.set(s.name, { state: s.state, attempt: s.attempts, fraction: null, message: '', startedAt: null, tookMs: null });
  const started = clock.now();
  let status = task.status;
  let frame = 0;
  const live = io.isTTY && io.terminal ? createLogUpdate(io.terminal as NodeJS.WriteStream) : null;

  const plain = (text: string) => {
    if (!live) io.out(`[${formatDuration(clock.now() - started).padStart(6)}] ${text}`);
  };

  const onEvent = (e: StepwiseEvent) => {
    if (e.taskId !== task.id) {
      if (e.type === 'task.created' && e.payload.parentTaskId === task.id) plain(`subtask ${e.taskId} (${e.payload.templateRef}) started`);
      return;
    }
    if (e.type === 'task.status_changed') {
      status = e.payload.to;
      plain(`task ${e.payload.to} (${e.payload.reason})`);
      return;
    }
    if (e.type === 'flow.transitioned') return plain(`→ ${e.payload.to} (${e.payload.reason})`);
    const name = e.stepName;
    if (!name) return;
    const line = lines.get(name) ?? { state: 'pending', attempt: 0, fraction: null, message: '', startedAt: null, tookMs: null };
    lines.set(name, line);
    const set = (state: string, text?: string) => {
      line.state = state;
      if (text) plain(`${STATE_ICON[state] ?? ' '} ${name} ${text}`);
    };
    switch (e.type) {
      case 'step.created':
        return set(e.payload.state, e.payload.dynamic ? `created by ${e.payload.createdBy}` : undefined);
      case 'step.ready':
        return set('ready');
      case 'step.started':
        line.attempt = e.payload.attempt;
        line.startedAt = e.at;
        line.fraction = null;
        line.message = '';
        return set('running', `started (attempt ${e.payload.attempt})`);
      case 'step.progress':
        line.fraction = e.payload.fraction;
        line.message = e.payload.message ?? '';
        return plain(`… ${name} ${Math.round(e.payload.fraction * 100)}%${line.message ? ` ${line.message}` : ''}`);
      case 'step.completed':
        line.tookMs = line.startedAt === null ? null : e.at - line.startedAt;
        return set('complete', `complete${line.tookMs === null ? '' : ` in ${formatDuration(line.tookMs)}`}`);
      case 'step.failed':
        line.message = e.payload.error.message;
        return set('error', `failed: ${e.payload.error.message}`);
      case 'step.retry_scheduled':
        line.message = e.payload.error.message;
        return set('waiting_for_retry', `attempt ${e.payload.attempt} failed (${e.payload.error.message}); retry in ${formatDuration(e.payload.delayMs)}`);
      case 'step.skipped':
        return set('skipped', `skipped (${e.payload.reason})`);
      case 'step.waiting':
        return set('waiting', `waiting${e.payload.wakeAt ? ` until ${new Date(e.payload.wakeAt).toISOString()}` : ' for a signal'}`);
      case 'step.cancelled':
        return set('cancelled', `cancelled (${e.payload.reason})`);
      case 'step.state_changed':
        return set(e.payload.to, `${e.payload.to} (${e.payload.reason})`);
      default:
        return;
    }
  };

  const bar = (f: number) => {
    const filled = Math.round(f * 20);
    return `[${'#'.repeat(filled)}${' '.repeat(20 - filled)}] ${String(Math.round(f * 100)).padStart(3)}%`;
  };

  const render = () => {
    frame += 1;
    const now = clock.now();
    const all = [...lines.entries()];
    const counts = new Map<string, number>();
    for (const [, l] of all) counts.set(l.state, (counts.get(l.state) ?? 0) + 1);
    const summary = [...counts.entries()].map(([s, n]) => `${n} ${s}`).join(', ');
    const out = [`${task.templateRef}  ${task.id}  ${status}  ${formatDuration(now - started)}  (${summary})`];
    // Big tasks: show what moves (running, failing, waiting) before what is settled.
    const interesting = all.length <= MAX_LINES ? all : all.filter(([, l]) => !['pending', 'complete', 'skipped'].includes(l.state)).slice(0, MAX_LINES);
    const width = Math.min(40, Math.max(8, ...interesting.map(([n]) => n.length)));
    for (const [name, l] of interesting) {
      const icon = l.state === 'running' ? SPINNER[frame % SPINNER.length]! : (STATE_ICON[l.state] ?? ' ');
      let detail = '';
      if (l.state === 'running') {
        detail = `${l.fraction === null ? '' : bar(l.fraction) + ' '}${l.message} ${l.startedAt === null ? '' : formatDuration(now - l.startedAt)}`;
      } else if (l.state === 'complete') detail = formatDuration(l.tookMs);
      else detail = l.message;
      const attempt = l.attempt > 1 ? ` (attempt ${l.attempt})` : '';
      out.push(`  ${icon} ${name.padEnd(width)}  ${l.state.padEnd(17)}${attempt} ${detail}`.trimEnd());
    }
    if (interesting.length < all.length) out.push(`  … ${all.length - interesting.length} more (pending, complete or skipped)`);
    live?.(out.join('\n'));
  };

  const unsubscribe = bus.onAny(onEvent);
  const timer = live ? setInterval(render, 100) : null;
  if (live) render();
  else plain(`task ${task.id} (${task.templateRef}) ${task.status}`);
  return {
    stop() {
      unsubscribe();
      if (timer) {
        clearInterval(timer);
        render();
        live?.done();
      }
    },
  };
}
