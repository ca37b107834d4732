/**
 * In-memory Storage for unit tests and simulations. Same contract as SQLite (the contract suite
 * runs against both): records are deep-copied on the way in and out, so a caller can never change
 * stored state by mutating an object it passed or received.
 */
import type { AttemptRecord, JsonObject, NewTransition, StepRecord, TaskRecord, TransitionRecord } from '../model/runtime.js';
import type { NewEvent, StepwiseEvent } from '../model/events.js';
import { StepwiseError } from '../model/errors.js';
import type {
  ChangeSet,
  CommitResult,
  Heartbeat,
  Holds,
  HoldsFilter,
  ReserveOptions,
  Storage,
  TaskPage,
  TaskQuery,
  SyncStorage,
  TransitionQuery,
} from './storage.js';
import { checkCommit, type CommitLookup } from './check.js';
import {
  DEFAULT_EVENT_PAGE,
  DEFAULT_HOLDS_LIMIT,
  DEFAULT_SCAN_LIMIT,
  DEFAULT_TASK_PAGE,
  FINISHED_STATUSES,
  compareNewestFirst,
  decodeTaskCursor,
  encodeTaskCursor,
  isAfterCursor,
  limitOf,
  statusesOf,
  tasksFinishedBy,
} from './query.js';
import { byDueThenId, dueAtOfTask, firstIndexAfter, matchesTask } from './memory.query.js';
import { copyJson, copyRecord } from '../model/jsonCopy.js';
import { sequencedEvent, sequencedTransition } from './sequenced.js';

/** Records are JSON-shaped: the plain walk, not structuredClone. */
const copy = copyJson;
/** Tasks, steps and attempts: their fields at once, nested values walked (copyRecord). */
const copyRec = copyRecord;
/** What a handed-over commit (Storage.sync) stores: the value itself. */
const kept = <T>(value: T): T => value;

/** Transitions are read in bulk (stateAt replays thousands): copy only what can be shared. */
function copyTransition(t: TransitionRecord, seq = t.seq): TransitionRecord {
  for (const _ in t.details) return { ...t, seq, details: copy(t.details) };
  return { ...t, seq, details: {} };
}

/** The transition and the event as kept (./sequenced.ts: one compact shape each). */
const storedTransition = sequencedTransition;
const storedEvent = sequencedEvent;

export class MemoryStorage implements Storage, CommitLookup {
  readonly kind = 'memory';
  private readonly tasks = new Map<string, TaskRecord>();
  /** idempotencyKey → task id (a key never changes: patches may not touch it). */
  private readonly byIdempotencyKey = new Map<string, string>();
  private readonly steps = new Map<string, StepRecord>();
  /** taskId → step name → step id, in insertion order. */
  private readonly stepIndex = new Map<string, Map<string, string>>();
  private readonly attempts = new Map<string, AttemptRecord>();
  /** taskId → its attempt ids, in insertion order: listAttempts must not scan every task's attempts. */
  private readonly attemptIndex = new Map<string, Set<string>>();
  private readonly transitions = new Map<string, TransitionRecord[]>();
  private readonly events: StepwiseEvent[] = [];
  private readonly beats = new Map<string, Heartbeat>();
  private readonly reservations = new Map<string, { owner: string; expiresAt: number }>();
  private transitionSeq = 0;
  private closed = false;

  // CommitLookup
  taskVersion(id: string): number | null {
    return this.tasks.get(id)?.version ?? null;
  }
  taskIdByIdempotencyKey(key: string): string | null {
    return this.byIdempotencyKey.get(key) ?? null;
  }
  step(id: string): { taskId: string; version: number } | null {
    const s = this.steps.get(id);
    return s ? { taskId: s.taskId, version: s.version } : null;
  }
  stepExistsByName(taskId: string, name: string): boolean {
    return this.stepIndex.get(taskId)?.has(name) ?? false;
  }
  attemptExists(id: string): boolean {
    return this.attempts.has(id);
  }
  runningWithKey(key: string): number {
    let n = 0;
    for (const s of this.steps.values()) if (s.state === 'running' && s.concurrencyKey === key) n++;
    return n;
  }
  stepRun(id: string): { state: string; concurrencyKey: string | null } | null {
    const s = this.steps.get(id);
    return s ? { state: s.state, concurrencyKey: s.concurrencyKey } : null;
  }

  async commit(changes: ChangeSet): Promise<CommitResult> {
    return this.write(changes, copy);
  }

  /** Storage.sync while nothing intercepts this instance's methods (a subclass, a wrapper assigned to it). */
  get sync(): SyncStorage | null {
    const own = MemoryStorage.prototype;
    if (this.commit !== own.commit || this.getTask !== own.getTask || this.maxAttemptNumber !== own.maxAttemptNumber || this.lastEventSeq !== own.lastEventSeq) return null;
    return this.syncCalls;
  }

  private readonly syncCalls: SyncStorage = {
    // Handed over (SyncStorage): kept as they are, not copied.
    commit: (changes) => this.write(changes, kept),
    getTask: (id) => {
      this.assertOpen();
      const t = this.tasks.get(id);
      return t ? copyRec(t) : null;
    },
    maxAttemptNumber: (taskId, stepName) => {
      this.assertOpen();
      return this.maxAttempt(taskId, stepName);
    },
    lastEventSeq: () => {
      this.assertOpen();
      return this.lastSeq();
    },
  };

  /**
   * One commit; `take` is what is stored of each patch value, transition and event given (a copy,
   * or itself when handed over). Inserted records are always copied: storage changes its own
   * records in place when they are patched later, which must not reach objects the caller holds.
   */
  private write(changes: ChangeSet, take: <T>(value: T) => T): CommitResult {
    this.assertOpen();
    const plan = checkCommit(changes, this);
    // Everything below cannot fail: the checks above covered every refusal.
    for (const t of changes.insertTasks ?? []) {
      this.tasks.set(t.id, copyRec(t));
      if (t.idempotencyKey !== null && t.idempotencyKey !== undefined) this.byIdempotencyKey.set(t.idempotencyKey, t.id);
    }
    (changes.updateTasks ?? []).forEach((p, i) => {
      const t = this.tasks.get(p.id)!;
      for (const key of plan.taskKeys[i]!) (t as unknown as Record<string, unknown>)[key] = take((p.set as Record<string, unknown>)[key]);
      t.version = p.expectedVersion + 1;
    });
    for (const s of changes.insertSteps ?? []) {
      this.steps.set(s.id, copyRec(s));
      let names = this.stepIndex.get(s.taskId);
      if (!names) this.stepIndex.set(s.taskId, (names = new Map()));
      names.set(s.name, s.id);
    }
    (changes.updateSteps ?? []).forEach((p, i) => {
      const s = this.steps.get(p.id)!;
      for (const key of plan.stepKeys[i]!) (s as unknown as Record<string, unknown>)[key] = take((p.set as Record<string, unknown>)[key]);
      s.version = p.expectedVersion + 1;
    });
    for (const id of plan.bumpTasks) this.tasks.get(id)!.version += 1;
    for (const a of changes.insertAttempts ?? []) {
      this.attempts.set(a.id, copyRec(a));
      let ids = this.attemptIndex.get(a.taskId);
      if (!ids) this.attemptIndex.set(a.taskId, (ids = new Set()));
      ids.add(a.id);
    }
    (changes.updateAttempts ?? []).forEach((p, i) => {
      const a = this.attempts.get(p.id)!;
      for (const key of plan.attemptKeys[i]!) (a as unknown as Record<string, unknown>)[key] = take((p.set as Record<string, unknown>)[key]);
    });
    const transitionSeqs: number[] = [];
    for (const t of changes.transitions ?? []) {
      const seq = ++this.transitionSeq;
      let list = this.transitions.get(t.taskId);
      if (!list) this.transitions.set(t.taskId, (list = []));
      list.push(storedTransition(t, seq, take(t.details)));
      transitionSeqs.push(seq);
    }
    const events: StepwiseEvent[] = [];
    for (const e of changes.events ?? []) {
      const seq = this.lastSeq() + 1;
      this.events.push(storedEvent(e, seq, take(e.payload)));
      // What commit returns shares the payload with what the caller passed, as before.
      events.push(sequencedEvent(e, seq, e.payload));
    }
    for (const id of tasksFinishedBy(changes)) this.reservations.delete(id);
    for (const id of changes.deleteTasks ?? []) this.deleteTask(id);
    return { transitionSeqs, events };
  }

  private deleteTask(id: string): void {
    const key = this.tasks.get(id)?.idempotencyKey;
    if (key !== null && key !== undefined) this.byIdempotencyKey.delete(key);
    this.tasks.delete(id);
    for (const stepId of this.stepIndex.get(id)?.values() ?? []) this.steps.delete(stepId);
    this.stepIndex.delete(id);
    for (const attemptId of this.attemptIndex.get(id) ?? []) this.attempts.delete(attemptId);
    this.attemptIndex.delete(id);
    this.transitions.delete(id);
    this.reservations.delete(id);
  }

  async getTask(id: string): Promise<TaskRecord | null> {
    this.assertOpen();
    const t = this.tasks.get(id);
    return t ? copyRec(t) : null;
  }

  async findTaskByIdempotencyKey(key: string): Promise<TaskRecord | null> {
    this.assertOpen();
    const id = this.taskIdByIdempotencyKey(key);
    return id === null ? null : copyRec(this.tasks.get(id)!);
  }

  async listTasks(query: TaskQuery = {}): Promise<TaskPage> {
    this.assertOpen();
    const limit = limitOf(query.limit, DEFAULT_TASK_PAGE);
    const statuses = statusesOf(query);
    const matching = [...this.tasks.values()].filter((t) => matchesTask(t, query, statuses)).sort(compareNewestFirst);
    const cursor = query.cursor === undefined ? null : decodeTaskCursor(query.cursor);
    const after = cursor ? matching.filter((t) => isAfterCursor(t, cursor)) : matching;
    const page = after.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = after.length > limit && last ? encodeTaskCursor(last) : null;
    return { tasks: page.map((t) => copyRec(t)), nextCursor, total: matching.length };
  }

  async getSteps(taskId: string): Promise<StepRecord[]> {
    this.assertOpen();
    return [...(this.stepIndex.get(taskId)?.values() ?? [])].map((id) => copyRec(this.steps.get(id)!));
  }

  async getStep(taskId: string, name: string): Promise<StepRecord | null> {
    this.assertOpen();
    const id = this.stepIndex.get(taskId)?.get(name);
    return id === undefined ? null : copyRec(this.steps.get(id)!);
  }

  async listTransitions(taskId: string, query: TransitionQuery = {}): Promise<TransitionRecord[]> {
    this.assertOpen();
    const all = this.transitions.get(taskId) ?? [];
    const limit = limitOf(query.limit, Number.POSITIVE_INFINITY);
    const out: TransitionRecord[] = [];
    for (let i = firstIndexAfter(all, query.afterSeq ?? 0); i < all.length && out.length < limit; i++) {
      const t = all[i]!;
      if (query.uptoSeq !== undefined && t.seq > query.uptoSeq) break;
      if (query.stepName !== undefined && t.stepName !== query.stepName) continue;
      out.push(copyTransition(t));
    }
    return out;
  }

  async listAttempts(taskId: string, stepName?: string): Promise<AttemptRecord[]> {
    this.assertOpen();
    const out: AttemptRecord[] = [];
    for (const id of this.attemptIndex.get(taskId) ?? []) {
      const a = this.attempts.get(id)!;
      if (stepName === undefined || a.stepName === stepName) out.push(copyRec(a));
    }
    return out;
  }

  async maxAttemptNumber(taskId: string, stepName: string): Promise<number> {
    this.assertOpen();
    return this.maxAttempt(taskId, stepName);
  }

  private maxAttempt(taskId: string, stepName: string): number {
    let n = 0;
    for (const id of this.attemptIndex.get(taskId) ?? []) {
      const a = this.attempts.get(id)!;
      if (a.stepName === stepName && a.number > n) n = a.number;
    }
    return n;
  }

  async lastTransitionSeq(taskId: string): Promise<number> {
    this.assertOpen();
    return this.transitions.get(taskId)?.at(-1)?.seq ?? 0;
  }

  async getStepsOfTasks(taskIds: readonly string[]): Promise<StepRecord[]> {
    this.assertOpen();
    const wanted = new Set(taskIds);
    const out: StepRecord[] = [];
    // The steps map is in insertion order across tasks, like SQLite's rowid.
    for (const s of this.steps.values()) if (wanted.has(s.taskId)) out.push(copyRec(s));
    return out;
  }

  async listAttemptsOfTasks(taskIds: readonly string[]): Promise<AttemptRecord[]> {
    this.assertOpen();
    const wanted = new Set(taskIds);
    const out: AttemptRecord[] = [];
    for (const a of this.attempts.values()) if (wanted.has(a.taskId)) out.push(copyRec(a));
    return out;
  }

  async readEvents(afterSeq: number, limit?: number, filter: { taskId?: string } = {}): Promise<StepwiseEvent[]> {
    this.assertOpen();
    const max = limitOf(limit, DEFAULT_EVENT_PAGE);
    const out: StepwiseEvent[] = [];
    for (let i = firstIndexAfter(this.events, afterSeq); i < this.events.length && out.length < max; i++) {
      const e = this.events[i]!;
      if (filter.taskId === undefined || e.taskId === filter.taskId) out.push(copy(e));
    }
    return out;
  }

  async lastEventSeq(): Promise<number> {
    this.assertOpen();
    return this.lastSeq();
  }

  private lastSeq(): number {
    return this.events[this.events.length - 1]?.seq ?? 0;
  }

  async tasksWithReadySteps(limit?: number): Promise<string[]> {
    this.assertOpen();
    const oldest = new Map<string, number>();
    for (const s of this.steps.values()) {
      if (s.state !== 'ready') continue;
      const seen = oldest.get(s.taskId);
      if (seen === undefined || s.updatedAt < seen) oldest.set(s.taskId, s.updatedAt);
    }
    return [...oldest.entries()]
      .map(([id, due]) => ({ id, due }))
      .sort(byDueThenId)
      .slice(0, limitOf(limit, DEFAULT_SCAN_LIMIT))
      .map((x) => x.id);
  }

  async dueSteps(now: number, limit?: number): Promise<StepRecord[]> {
    this.assertOpen();
    const due: Array<{ id: string; due: number; step: StepRecord }> = [];
    for (const s of this.steps.values()) {
      const at = s.state === 'waiting_for_retry' ? s.retryAt : s.state === 'waiting' ? s.wakeAt : null;
      if (at !== null && at <= now) due.push({ id: s.id, due: at, step: s });
    }
    return due.sort(byDueThenId).slice(0, limitOf(limit, DEFAULT_SCAN_LIMIT)).map((x) => copyRec(x.step));
  }

  async expiredLeases(now: number, limit?: number): Promise<StepRecord[]> {
    this.assertOpen();
    const due: Array<{ id: string; due: number; step: StepRecord }> = [];
    for (const s of this.steps.values()) {
      if (s.state === 'running' && s.leaseExpiresAt !== null && s.leaseExpiresAt <= now) due.push({ id: s.id, due: s.leaseExpiresAt, step: s });
    }
    return due.sort(byDueThenId).slice(0, limitOf(limit, DEFAULT_SCAN_LIMIT)).map((x) => copyRec(x.step));
  }

  async expiredTaskLeases(now: number, limit?: number): Promise<TaskRecord[]> {
    this.assertOpen();
    const due: Array<{ id: string; due: number; task: TaskRecord }> = [];
    for (const t of this.tasks.values()) {
      if (t.leaseExpiresAt !== null && t.leaseExpiresAt <= now && !FINISHED_STATUSES.includes(t.status)) due.push({ id: t.id, due: t.leaseExpiresAt, task: t });
    }
    return due.sort(byDueThenId).slice(0, limitOf(limit, DEFAULT_SCAN_LIMIT)).map((x) => copyRec(x.task));
  }

  async dueTasks(now: number, limit?: number): Promise<TaskRecord[]> {
    this.assertOpen();
    const due: Array<{ id: string; due: number; task: TaskRecord }> = [];
    for (const t of this.tasks.values()) {
      const at = dueAtOfTask(t, now);
      if (at !== null) due.push({ id: t.id, due: at, task: t });
    }
    return due.sort(byDueThenId).slice(0, limitOf(limit, DEFAULT_SCAN_LIMIT)).map((x) => copyRec(x.task));
  }

  async reserveTasks(owner: string, options: ReserveOptions): Promise<string[]> {
    this.assertOpen();
    const { now, ttlMs } = options;
    const held = (id: string) => {
      const r = this.reservations.get(id);
      return r !== undefined && r.owner !== owner && r.expiresAt > now;
    };
    // Gone or finished: nothing to hold it for.
    const unreservable = (id: string) => {
      const t = this.tasks.get(id);
      return t === undefined || FINISHED_STATUSES.includes(t.status);
    };
    for (const id of options.renew ?? []) {
      if (!unreservable(id) && !held(id)) this.reservations.set(id, { owner, expiresAt: now + ttlMs });
    }
    const limit = limitOf(options.limit, DEFAULT_SCAN_LIMIT);
    const taken: string[] = [];
    for (const id of await this.tasksWithReadySteps(Number.MAX_SAFE_INTEGER)) {
      if (taken.length >= limit) break;
      if (held(id) || this.tasks.get(id)?.debug.paused) continue;
      this.reservations.set(id, { owner, expiresAt: now + ttlMs });
      taken.push(id);
    }
    for (const id of options.take ?? []) {
      if (unreservable(id) || held(id) || taken.includes(id)) continue;
      this.reservations.set(id, { owner, expiresAt: now + ttlMs });
      taken.push(id);
    }
    return taken;
  }

  async releaseTasks(owner: string, taskIds?: readonly string[]): Promise<void> {
    this.assertOpen();
    for (const id of taskIds ?? [...this.reservations.keys()]) {
      if (this.reservations.get(id)?.owner === owner) this.reservations.delete(id);
    }
  }

  async expiredTasks(now: number, limit?: number): Promise<string[]> {
    this.assertOpen();
    const due: Array<{ id: string; due: number }> = [];
    for (const t of this.tasks.values()) {
      if (t.deleteAt !== null && t.deleteAt <= now && FINISHED_STATUSES.includes(t.status)) due.push({ id: t.id, due: t.deleteAt });
    }
    return due.sort(byDueThenId).slice(0, limitOf(limit, DEFAULT_SCAN_LIMIT)).map((x) => x.id);
  }

  async countRunningWithConcurrencyKey(key: string): Promise<number> {
    this.assertOpen();
    return this.runningWithKey(key);
  }

  async beat(heartbeat: Heartbeat): Promise<void> {
    this.assertOpen();
    this.beats.set(heartbeat.owner, { ...heartbeat });
  }

  async heartbeats(): Promise<Heartbeat[]> {
    this.assertOpen();
    return [...this.beats.values()].sort((a, b) => (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0)).map((h) => ({ ...h }));
  }

  async removeHeartbeat(owner: string): Promise<void> {
    this.assertOpen();
    this.beats.delete(owner);
  }

  async pruneHeartbeats(before: number): Promise<number> {
    this.assertOpen();
    let n = 0;
    for (const [owner, h] of this.beats) {
      if (h.at < before) {
        this.beats.delete(owner);
        n++;
      }
    }
    return n;
  }

  async listHolds(now: number, limit?: number, filter: HoldsFilter = {}): Promise<Holds> {
    this.assertOpen();
    const max = limitOf(limit, DEFAULT_HOLDS_LIMIT);
    const refOf = (taskId: string) => this.tasks.get(taskId)?.templateRef ?? '';
    const needle = filter.taskId?.toLowerCase();
    const wanted = (owner: string, taskId: string) => (filter.owner === undefined || owner === filter.owner) && (needle === undefined || taskId.toLowerCase().includes(needle));
    const steps = [...this.steps.values()]
      .filter((s) => s.state === 'running' && s.leaseOwner !== null && wanted(s.leaseOwner, s.taskId))
      .map((s) => ({ taskId: s.taskId, templateRef: refOf(s.taskId), stepName: s.name, owner: s.leaseOwner!, leaseExpiresAt: s.leaseExpiresAt }))
      .sort((a, b) => byKeys(a, b, ['owner', 'taskId', 'stepName']))
      .slice(0, max);
    const flows = [...this.tasks.values()]
      .filter((t) => t.leaseOwner !== null && t.leaseExpiresAt !== null && wanted(t.leaseOwner, t.id))
      .map((t) => ({ taskId: t.id, templateRef: t.templateRef, state: t.currentState, owner: t.leaseOwner!, leaseExpiresAt: t.leaseExpiresAt }))
      .sort((a, b) => byKeys(a, b, ['owner', 'taskId']))
      .slice(0, max);
    const reservations = [...this.reservations.entries()]
      .filter(([id, r]) => r.expiresAt > now && this.tasks.has(id) && wanted(r.owner, id))
      .map(([taskId, r]) => ({ taskId, templateRef: refOf(taskId), owner: r.owner, expiresAt: r.expiresAt }))
      .sort((a, b) => byKeys(a, b, ['owner', 'taskId']))
      .slice(0, max);
    return { steps, flows, reservations };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new StepwiseError('STORAGE_ERROR', 'This storage is closed; open a new one.');
  }
}

/** Byte-wise order by several string keys (as the databases' COLLATE "C" / BINARY). */
function byKeys<T>(a: T, b: T, keys: ReadonlyArray<keyof T>): number {
  for (const k of keys) {
    const x = String(a[k]);
    const y = String(b[k]);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
