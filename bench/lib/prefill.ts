/**
 * Databases that already hold finished work, for the scaling benchmark and its profile: a task the
 * engine ran, copied under new ids and committed through storage in batches.
 */
import { join } from 'node:path';
import { timeOrderedId } from '../../core/engine/ids.js';
import type { NewEvent, StepwiseEvent } from '../../core/model/events.js';
import type { AttemptRecord, NewTransition, StepRecord, TaskRecord } from '../../core/model/runtime.js';
import { openStorage } from '../../core/storage/index.js';
import type { Storage } from '../../core/storage/storage.js';
import { benchEngine, fanOut } from './stepwise.js';

/** Everything the engine stored for one finished task. */
interface TaskRows {
  task: TaskRecord;
  steps: StepRecord[];
  attempts: AttemptRecord[];
  transitions: NewTransition[];
  events: NewEvent[];
}

export async function sampleTask(dir: string, steps: number): Promise<TaskRows> {
  const template = fanOut(steps);
  const b = await benchEngine([template], { kind: 'sqlite', dir, name: `sample-${steps}` });
  try {
    const started = await b.engine.start(template.name);
    await b.engine.runUntilIdle({ taskId: started.id });
    const s = b.storage;
    const events: StepwiseEvent[] = [];
    for (let after = 0; ; ) {
      const page = await s.readEvents(after, 1000, { taskId: started.id });
      events.push(...page);
      if (page.length < 1000) break;
      after = page[page.length - 1]!.seq;
    }
    return {
      task: (await s.getTask(started.id))!,
      steps: await s.getSteps(started.id),
      attempts: await s.listAttempts(started.id),
      transitions: (await s.listTransitions(started.id)).map(({ seq: _seq, ...t }) => t),
      events: events.map(({ seq: _seq, ...e }) => e as NewEvent),
    };
  } finally {
    await b.close();
  }
}

/** `rows` under new ids (the task's, each step's and attempt's), for inserting again. */
export function copyOf(rows: TaskRows): TaskRows {
  const id = timeOrderedId(Date.now());
  return {
    task: { ...rows.task, id },
    steps: rows.steps.map((s) => ({ ...s, id: `${id}:${s.name}`, taskId: id })),
    attempts: rows.attempts.map((a) => ({ ...a, id: `${id}:${a.stepName}:${a.number}`, taskId: id })),
    transitions: rows.transitions.map((t) => ({ ...t, taskId: id })),
    events: rows.events.map((e) => ({ ...e, taskId: id }) as NewEvent),
  };
}

/** Commits `count` copies of `rows`, in batches of about 5,000 step rows. */
export async function insertCopies(storage: Storage, rows: TaskRows, count: number): Promise<void> {
  const perCommit = Math.max(1, Math.floor(5000 / Math.max(1, rows.steps.length)));
  for (let done = 0; done < count; ) {
    const batch = Array.from({ length: Math.min(perCommit, count - done) }, () => copyOf(rows));
    await storage.commit({
      insertTasks: batch.map((b) => b.task),
      insertSteps: batch.flatMap((b) => b.steps),
      insertAttempts: batch.flatMap((b) => b.attempts),
      transitions: batch.flatMap((b) => b.transitions),
      events: batch.flatMap((b) => b.events),
    });
    done += batch.length;
  }
}

/** A database file with `finished` copies of a finished task of `stepsPerTask` steps. */
export async function prefilled(dir: string, finished: number, stepsPerTask: number): Promise<string> {
  const rows = await sampleTask(dir, stepsPerTask);
  const file = join(dir, `prefilled-${finished}x${stepsPerTask}.db`);
  const storage = await openStorage({ kind: 'sqlite', file });
  try {
    await insertCopies(storage, rows, finished);
  } finally {
    await storage.close(); // checkpoints; the file alone is the database afterwards
  }
  return file;
}
