/**
 * Memory and another storage must give the same results: random sequences of commits (valid,
 * stale, duplicate, deleting) are applied to both, and every outcome and every query must agree.
 * Run by storage.differential.test.ts (SQLite) and storage.differential.postgres.test.ts.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { StepwiseError } from '../../core/model/errors.js';
import type { StepState, TaskStatus } from '../../core/model/states.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import type { ChangeSet, Storage } from '../../core/storage/storage.js';
import { attempt, readyEvent, step, task, transition, T0 } from '../fixtures/storage/records.js';
import { settle } from './storage.contract.js';

const TASKS = ['t0', 't1', 't2'];
const NAMES = ['a', 'b', 'c'];
const STATES: StepState[] = ['pending', 'ready', 'running', 'waiting', 'waiting_for_retry', 'complete'];
const STATUSES: TaskStatus[] = ['pending', 'running', 'waiting', 'complete', 'error'];
const time = fc.option(fc.integer({ min: 0, max: 14 }).map((n) => T0 + n));

const taskId = fc.constantFrom(...TASKS);
const delta = fc.constantFrom(0, 0, 0, 0, -1, 1);

/** One kind of change per commit (mostly valid), sometimes with a transition and an event. */
const op = fc.oneof(
  fc.record({
    kind: fc.constant('insertTask' as const),
    id: taskId,
    key: fc.constantFrom(null, null, 'k1', 'k2'),
    at: fc.integer({ min: 0, max: 3 }),
    status: fc.constantFrom(...STATUSES),
    p: fc.subarray(['x', 'y']),
    steps: fc.subarray(NAMES),
  }),
  fc.record({ kind: fc.constant('insertSteps' as const), task: taskId, names: fc.subarray(NAMES, { minLength: 1 }), state: fc.constantFrom(...STATES), at: time }),
  fc.record({
    kind: fc.constant('updateTask' as const),
    id: taskId,
    delta,
    status: fc.constantFrom(...STATUSES),
    wakeAt: time,
    timeoutAt: time,
    deleteAt: time,
    p: fc.option(fc.subarray(['x', 'y'])),
    alsoStep: fc.option(fc.constantFrom(...NAMES)),
  }),
  fc.record({
    kind: fc.constant('updateSteps' as const),
    list: fc.array(fc.record({ task: taskId, name: fc.constantFrom(...NAMES), delta, state: fc.constantFrom(...STATES), at: time, key: fc.constantFrom(null, 'k') }), {
      minLength: 1,
      maxLength: 3,
    }),
  }),
  fc.record({ kind: fc.constant('attempt' as const), task: taskId, name: fc.constantFrom(...NAMES), n: fc.integer({ min: 1, max: 2 }), update: fc.boolean() }),
  fc.record({ kind: fc.constant('log' as const), task: taskId, transitions: fc.integer({ min: 0, max: 2 }), events: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('delete' as const), task: taskId }),
);

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

/** Builds the ChangeSet of an op, reading current versions from the reference storage. */
async function changesOf(o: Op, ref: Storage): Promise<ChangeSet> {
  const stepVersion = async (t: string, name: string) => (await ref.getStep(t, name))?.version ?? 1;
  switch (o.kind) {
    case 'insertTask':
      return {
        insertTasks: [task(o.id, { idempotencyKey: o.key, createdAt: T0 + o.at, status: o.status, participants: o.p })],
        insertSteps: o.steps.map((n) => step(o.id, n)),
        events: [readyEvent(o.id, 'a')],
      };
    case 'insertSteps':
      return { insertSteps: o.names.map((n) => step(o.task, n, { state: o.state, retryAt: o.at, wakeAt: o.at, leaseExpiresAt: o.at, updatedAt: o.at ?? T0 })) };
    case 'updateTask': {
      const v = (await ref.getTask(o.id))?.version ?? 1;
      const set = { status: o.status, wakeAt: o.wakeAt, timeoutAt: o.timeoutAt, deleteAt: o.deleteAt, ...(o.p ? { participants: o.p } : {}) };
      const steps = o.alsoStep ? [{ id: `${o.id}:${o.alsoStep}`, expectedVersion: await stepVersion(o.id, o.alsoStep), set: { state: 'ready' as const } }] : [];
      return { updateTasks: [{ id: o.id, expectedVersion: v + o.delta, set }], updateSteps: steps, transitions: [transition(o.id, null, 'pending', o.status)] };
    }
    case 'updateSteps': {
      const seen = new Set<string>();
      const updateSteps: NonNullable<ChangeSet['updateSteps']> = [];
      for (const u of o.list) {
        const id = `${u.task}:${u.name}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const set = { state: u.state, retryAt: u.at, wakeAt: u.at, leaseExpiresAt: u.at, concurrencyKey: u.key, updatedAt: u.at ?? T0 };
        updateSteps.push({ id, expectedVersion: (await stepVersion(u.task, u.name)) + u.delta, set });
      }
      return { updateSteps, events: o.list.map((u) => readyEvent(u.task, u.name)) };
    }
    case 'attempt':
      return o.update
        ? { updateAttempts: [{ id: `${o.task}:${o.name}:${o.n}`, set: { outcome: 'success', finishedAt: T0 + 1 } }] }
        : { insertAttempts: [attempt(o.task, o.name, o.n)] };
    case 'log':
      return {
        transitions: Array.from({ length: o.transitions }, () => transition(o.task, 'a', 'pending', 'ready')),
        events: Array.from({ length: o.events }, () => readyEvent(o.task, 'a')),
      };
    case 'delete':
      return { deleteTasks: [o.task], events: [{ type: 'task.deleted', taskId: o.task, stepName: null, at: T0, payload: {} }] };
  }
}

async function outcome(s: Storage, c: ChangeSet, sync = false): Promise<unknown> {
  try {
    // Storage.sync keeps what it is given: each side gets its own copy either way.
    if (sync) return s.sync!.commit(structuredClone(c));
    return await s.commit(structuredClone(c));
  } catch (err) {
    if (err instanceof StepwiseError) return { code: err.code, details: err.details };
    throw err;
  }
}

async function snapshot(s: Storage): Promise<unknown> {
  const now = T0 + 10;
  await settle(s);
  const perTask = await Promise.all(
    TASKS.map(async (id) => ({ steps: await s.getSteps(id), transitions: await s.listTransitions(id), attempts: await s.listAttempts(id) })),
  );
  return {
    tasks: await s.listTasks({ limit: 100 }),
    x: (await s.listTasks({ participant: 'x' })).tasks.map((t) => t.id),
    running: (await s.listTasks({ status: ['running', 'waiting'], limit: 2 })).tasks.map((t) => t.id),
    perTask,
    events: await s.readEvents(0),
    ready: await s.tasksWithReadySteps(),
    due: (await s.dueSteps(now)).map((x) => x.id),
    leases: (await s.expiredLeases(now)).map((x) => x.id),
    dueTasks: (await s.dueTasks(now)).map((x) => x.id),
    expired: await s.expiredTasks(now),
    key: await s.countRunningWithConcurrencyKey('k'),
    byKey: (await s.findTaskByIdempotencyKey('k1'))?.id ?? null,
  };
}

/**
 * Replaces every seq by its rank among the seqs of its kind (events, transitions) in `trace`:
 * for a storage whose seqs have gaps (PostgreSQL), only their order is comparable.
 */
function rankSeqs(trace: unknown): unknown {
  const events = new Set<number>();
  const transitions = new Set<number>();
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(collect);
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.seq === 'number') ('type' in o ? events : transitions).add(o.seq);
    if (Array.isArray(o.transitionSeqs)) for (const n of o.transitionSeqs as number[]) transitions.add(n);
    Object.values(o).forEach(collect);
  };
  collect(trace);
  const rank = (set: Set<number>) => new Map([...set].sort((a, b) => a - b).map((n, i) => [n, i + 1]));
  const er = rank(events);
  const tr = rank(transitions);
  const map = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(map);
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      if (k === 'seq' && typeof x === 'number') out[k] = ('type' in o ? er : tr).get(x);
      else if (k === 'transitionSeqs') out[k] = (x as number[]).map((n) => tr.get(n));
      else out[k] = map(x);
    }
    return out;
  };
  return map(trace);
}

export interface Subject {
  storage: Storage;
  /** Called after each run (close, or empty for reuse). */
  done(): Promise<void>;
}

/**
 * Property: for random commit sequences, `open()`'s storage agrees with memory on every outcome
 * and the final state. `gaps`: compare seqs by order only. `memorySync` / `subjectSync`: memory /
 * the subject commits through its synchronous calls (Storage.sync, what the flow driver uses)
 * instead of `commit`.
 */
export async function agreesWithMemory(open: () => Promise<Subject>, options: { numRuns: number; gaps?: boolean; memorySync?: boolean; subjectSync?: boolean }): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
      const memory = new MemoryStorage();
      const subject = await open();
      try {
        const mine: unknown[] = [];
        const theirs: unknown[] = [];
        for (const o of ops) {
          const c = await changesOf(o, memory);
          mine.push(await outcome(subject.storage, c, options.subjectSync));
          theirs.push(await outcome(memory, c, options.memorySync));
          if (!options.gaps) expect(mine.at(-1)).toEqual(theirs.at(-1));
        }
        mine.push(await snapshot(subject.storage));
        theirs.push(await snapshot(memory));
        if (options.gaps) expect(rankSeqs(mine)).toEqual(rankSeqs(theirs));
        else expect(mine.at(-1)).toEqual(theirs.at(-1));
      } finally {
        await subject.done();
      }
    }),
    { numRuns: options.numRuns },
  );
}
