/**
 * tasker-core's outcome shapes, as its workers return them inside a step's results:
 * - decision: `{ decision_point_outcome: { type: 'create_steps', step_names: [...] } | { type: 'no_branches' } }`
 * - batchable: `{ batch_processing_outcome: { type: 'no_batches' } | { type: 'create_batches',
 *   worker_template_name, worker_count, cursor_configs: [{ batch_id, start_cursor, end_cursor,
 *   batch_size }], total_items } }`
 * Pure: `undefined` when the value is not in tasker's shape (Stepwise's own shapes apply), a
 * message when it is but is malformed.
 */
import type { Json, JsonObject } from '../../model/runtime.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string } | undefined;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export const DECISION_KEY = 'decision_point_outcome';
export const BATCH_KEY = 'batch_processing_outcome';

/** The dependents a tasker-core decision outcome creates (`no_branches`: none). */
export function taskerDecision(value: Json): Parsed<string[]> {
  if (!isObject(value) || !(DECISION_KEY in value)) return undefined;
  const outcome = value[DECISION_KEY];
  const shapes = `{ type: 'create_steps', step_names: [...] } or { type: 'no_branches' }`;
  if (!isObject(outcome)) return { ok: false, message: `${DECISION_KEY} must be ${shapes}, got ${JSON.stringify(outcome)}` };
  if (outcome.type === 'no_branches') return { ok: true, value: [] };
  if (outcome.type !== 'create_steps') return { ok: false, message: `${DECISION_KEY}.type must be 'create_steps' or 'no_branches', got ${JSON.stringify(outcome.type)}` };
  const names = outcome.step_names;
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
    return { ok: false, message: `${DECISION_KEY}.step_names must be a list of step names, got ${JSON.stringify(names)}` };
  }
  return { ok: true, value: names as string[] };
}

/** A tasker-core cursor config: the range one batch worker processes. */
export interface CursorConfig extends JsonObject {
  batch_id: string;
  start_cursor: Json;
  end_cursor: Json;
  batch_size: number;
}

export interface TaskerBatches {
  /** `create_batches`: the batch_worker step to create the workers from; `no_batches`: null. */
  workerTemplate: string | null;
  cursors: CursorConfig[];
}

/** The workers a tasker-core batchable outcome asks for, with tasker-core's own checks. */
export function taskerBatches(value: Json): Parsed<TaskerBatches> {
  if (!isObject(value) || !(BATCH_KEY in value)) return undefined;
  const outcome = value[BATCH_KEY];
  if (!isObject(outcome)) return { ok: false, message: `${BATCH_KEY} must be { type: 'create_batches', ... } or { type: 'no_batches' }, got ${JSON.stringify(outcome)}` };
  if (outcome.type === 'no_batches') return { ok: true, value: { workerTemplate: null, cursors: [] } };
  if (outcome.type !== 'create_batches') return { ok: false, message: `${BATCH_KEY}.type must be 'create_batches' or 'no_batches', got ${JSON.stringify(outcome.type)}` };
  const { worker_template_name: workerTemplate, worker_count: count, cursor_configs: configs } = outcome;
  if (typeof workerTemplate !== 'string' || workerTemplate === '') return { ok: false, message: `${BATCH_KEY}.worker_template_name must name the batch_worker step, got ${JSON.stringify(workerTemplate)}` };
  if (!Array.isArray(configs) || configs.length === 0) {
    return { ok: false, message: `${BATCH_KEY}.cursor_configs must be a non-empty list for create_batches (return { type: 'no_batches' } for none), got ${JSON.stringify(configs)}` };
  }
  const cursors: CursorConfig[] = [];
  for (const [i, c] of configs.entries()) {
    if (!isObject(c) || typeof c.batch_id !== 'string' || !('start_cursor' in c) || !('end_cursor' in c) || typeof c.batch_size !== 'number' || c.batch_size < 0) {
      return { ok: false, message: `${BATCH_KEY}.cursor_configs[${i}] must be { batch_id: string, start_cursor, end_cursor, batch_size: number ≥ 0 }, got ${JSON.stringify(c)}` };
    }
    cursors.push(c as CursorConfig);
  }
  const ids = new Set(cursors.map((c) => c.batch_id));
  if (ids.size !== cursors.length) return { ok: false, message: `${BATCH_KEY}.cursor_configs repeats a batch_id; each batch needs its own` };
  if (count !== undefined && count !== cursors.length) {
    return { ok: false, message: `${BATCH_KEY}.worker_count is ${JSON.stringify(count)} but cursor_configs has ${cursors.length} entries; they must agree` };
  }
  return { ok: true, value: { workerTemplate, cursors } };
}

/** tasker-core's placeholder cursor for the one no-op worker of a `no_batches` outcome. */
export const PLACEHOLDER_CURSOR: CursorConfig = { batch_id: '000', start_cursor: 0, end_cursor: 0, batch_size: 0 };
