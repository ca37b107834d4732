/**
 * Tasks with a row that does not decode (../rowCodec.ts), for one SqliteStorage. The first read
 * that meets such a row marks its task (`tasks.unreadable`, migration 3; in memory too, so a
 * read-only open or a busy database still stops reaching for it), and from then on:
 * scans leave the task out (the engine serves everything else), single-task reads refuse it
 * with ROW_UNREADABLE, lists show it with `unreadable` set, and commits that change it are
 * refused. A task whose rows decode again (repaired by hand) is unmarked by the next writable read.
 */
import type Database from 'better-sqlite3';
import type { UnreadableRow } from '../../model/runtime.js';
import { parseJsonColumn, parseMark, unreadableRowError } from '../rowCodec.js';
import type { ChangeSet } from '../storage.js';
import { SQL } from './queries.js';

/** The condition that keeps a task UPDATE off a task with a stored mark. */
export const READABLE_ONLY = 'unreadable IS NULL';

export class UnreadableTasks {
  private readonly known = new Map<string, UnreadableRow>();

  constructor(
    private readonly db: Database.Database,
    private readonly stmt: (sql: string) => Database.Statement,
    private readonly readOnly: boolean,
    private readonly busyTimeoutMs: number,
  ) {}

  /** Marks `bad.taskId` (once); never throws: the mark is a courtesy to the next scan. */
  readonly mark = (bad: UnreadableRow): void => {
    if (this.known.has(bad.taskId)) return;
    this.known.set(bad.taskId, bad);
    if (this.readOnly) return;
    // Never wait for another process's write lock here: this runs inside a read.
    this.db.pragma('busy_timeout = 0');
    try {
      this.stmt(SQL.markUnreadable).run(JSON.stringify(bad), bad.taskId);
    } catch {
      // Busy or read-only file: the in-memory mark still keeps this process away from it.
    } finally {
      this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
  };

  /** For reads of one task: mark, then refuse. */
  readonly refuse = (bad: UnreadableRow): never => {
    this.mark(bad);
    throw unreadableRowError(bad);
  };

  /** The mark of `taskId` (in memory, else stored), or null. */
  markOf(taskId: string): UnreadableRow | null {
    const known = this.known.get(taskId);
    if (known) return known;
    const text = this.stmt(SQL.unreadableOf).pluck().get(taskId) as string | null | undefined;
    return typeof text === 'string' ? parseMark(text, taskId) : null;
  }

  /** Drops the mark once the task's rows decode again. */
  clear(taskId: string): void {
    this.known.delete(taskId);
    if (!this.readOnly) this.stmt(SQL.clearUnreadable).run(taskId);
  }

  /** Only tasks this process marked but could not store the mark of need filtering by hand. */
  isKnown(taskId: string): boolean {
    return this.known.has(taskId);
  }

  get any(): boolean {
    return this.known.size > 0;
  }

  /** Refuses a commit that changes a marked task (inside the commit's transaction). */
  checkCommit(changes: ChangeSet): void {
    for (const p of changes.updateTasks ?? []) {
      const mark = this.markOf(p.id);
      if (mark) throw unreadableRowError(mark);
    }
  }

  /**
   * checkCommit for the marks this process holds in memory only: a commit whose task UPDATEs
   * carry `READABLE_ONLY` lets SQLite refuse a stored mark, and calls checkCommit when one
   * changed no row (so a mark still wins over STALE, as in checkCommit's order).
   */
  checkKnown(changes: ChangeSet): void {
    if (this.known.size === 0) return;
    for (const p of changes.updateTasks ?? []) {
      const mark = this.known.get(p.id);
      if (mark) throw unreadableRowError(mark);
    }
  }

  /** A stored mark as a row description (a mark that does not parse still names its task). */
  parseStored(text: string | null, taskId: string): UnreadableRow | undefined {
    return text === null ? undefined : parseMark(text, taskId);
  }

  /** A JSON column outside the record tables (transition details, event payloads). */
  json(text: string, where: Omit<UnreadableRow, 'reason'>, shape: 'object' | 'any'): { ok: true; value: unknown } | { ok: false; bad: UnreadableRow } {
    const parsed = parseJsonColumn(text, shape);
    return parsed.ok ? parsed : { ok: false, bad: { ...where, reason: parsed.reason } };
  }
}
