/**
 * What a row of the workbench's task list says about a task besides its status: a one-line
 * summary of its input, and whether it matches the list's search box (id, short id, template,
 * state, input or error text). PURE.
 */
import type { Json, TaskRecord } from '../model/runtime.js';
import { shortTaskId, taskIdMatches } from '../model/taskId.js';

const SUMMARY_MAX = 96;

function scalar(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.length}]`;
  if (typeof value === 'object') return `{${Object.keys(value).length}}`;
  const text = typeof value === 'string' ? value : String(value);
  return text.length > 24 ? `${text.slice(0, 23)}…` : text;
}

/** `order_id 42 · customer_id c-7 · items [2]`, cut to one short line. */
export function inputSummary(input: Record<string, Json>): string {
  const parts: string[] = [];
  let length = 0;
  for (const [key, value] of Object.entries(input)) {
    const part = `${key} ${scalar(value)}`;
    if (length + part.length > SUMMARY_MAX) {
      parts.push('…');
      break;
    }
    parts.push(part);
    length += part.length + 3;
  }
  return parts.join(' · ');
}

/** Whether the search box's text finds this task. */
export function taskMatches(task: TaskRecord, search: string): boolean {
  const needle = search.trim().toLowerCase();
  if (needle === '') return true;
  if (taskIdMatches(task.id, needle) || shortTaskId(task.id).includes(needle)) return true;
  const hay = [task.templateRef, task.status, task.currentState ?? '', task.error ? `${task.error.class}: ${task.error.message}` : '', JSON.stringify(task.input)].join('\n').toLowerCase();
  return hay.includes(needle);
}
