/** Insights as plain-text tables for people (`stepwise insights`); `--json` prints the object. */
import { humanDuration } from '../template/duration.js';
import type { Insights } from './aggregate.js';


/** Left-aligned text columns, right-aligned numbers; a header and a rule. */
export function table(header: string[], rows: string[][], numeric: readonly number[] = []): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

const oneLine = (text: string, max = 80) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export function formatInsights(x: Insights): string {
  const out: string[] = [];
  const scope = [
    x.filter.since !== undefined ? `since ${new Date(x.filter.since).toISOString()}` : '',
    x.filter.namespace !== undefined ? `namespace ${x.filter.namespace}` : '',
    x.filter.template !== undefined ? `template ${x.filter.template}` : '',
  ].filter(Boolean);
  out.push(`Insights${scope.length ? ` (${scope.join(', ')})` : ''}: ${x.tasks.total} task(s), ${x.steps.total} step(s), ${x.attempts.total} attempt(s)`);
  if (x.tasks.total === 0) {
    out.push('', 'No tasks match. Run one with: stepwise run <template>');
    return out.join('\n');
  }
  out.push('', 'Tasks by status', ...table(['kind', 'status', 'tasks'], x.tasks.byStatus.map((r) => [r.kind, r.status, String(r.count)]), [2]));
  if (x.tasks.unreadable.total > 0) {
    const u = x.tasks.unreadable;
    out.push('', `Unreadable tasks: ${u.total} (a stored row does not decode; they are not run)`, ...table(['task', 'template', 'where'], u.first.map((r) => [r.taskId, r.templateRef, r.reason]), []));
    if (u.total > u.first.length) out.push(`… ${u.total - u.first.length} more`);
  }
  if (x.steps.total > 0) out.push('', 'Steps by state', ...table(['state', 'steps'], x.steps.byState.map((r) => [r.state, String(r.count)]), [1]));
  if (x.slowestSteps.length > 0) {
    out.push(
      '',
      'Slowest steps (handler time per attempt)',
      ...table(
        ['template', 'step', 'attempts', 'p50', 'p95', 'max'],
        x.slowestSteps.map((r) => [r.template, r.step, String(r.count), humanDuration(r.p50Ms), humanDuration(r.p95Ms), humanDuration(r.maxMs)]),
        [2, 3, 4, 5],
      ),
    );
  }
  out.push('', 'Most-failing steps');
  if (x.failingSteps.length === 0) out.push('(no failed attempts)');
  else {
    out.push(
      ...table(
        ['template', 'step', 'failed', 'attempts', 'rate', 'in error', 'last error'],
        x.failingSteps.map((r) => [
          r.template,
          r.step,
          String(r.failures),
          String(r.attempts),
          `${Math.round(r.failureRate * 100)}%`,
          String(r.stepsInError),
          r.lastError ? oneLine(`${r.lastError.class}: ${r.lastError.message}`) : '',
        ]),
        [2, 3, 4, 5],
      ),
    );
  }
  if (x.slowestTasks.length > 0) {
    out.push(
      '',
      'Slowest tasks (created → finished)',
      ...table(
        ['task', 'template', 'status', 'duration'],
        x.slowestTasks.map((r) => [r.taskId, r.templateRef, r.status, humanDuration(r.durationMs)]),
        [3],
      ),
    );
  }
  return out.join('\n');
}
