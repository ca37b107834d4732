/**
 * Tasks with a row that does not decode (../rowCodec.ts; on PostgreSQL a json column of the
 * wrong shape), for one PostgresStorage — the PostgreSQL side of ../sqlite/unreadable.ts. The
 * first read that meets such a row marks its task (`stepwise.tasks.unreadable`, migration 9; in
 * memory too, so this process stops reaching for it even if the mark cannot be written), and from
 * then on every engine sharing the database leaves it out: scans and reservations skip marked
 * tasks, single-task reads refuse it with ROW_UNREADABLE, lists show it with `unreadable` set.
 * A task whose rows decode again (repaired by hand) is unmarked by the next read of it.
 */
import type pg from 'pg';
import type { UnreadableRow } from '../../model/runtime.js';
import { parseMark, unreadableRowError } from '../rowCodec.js';
import type { ChangeSet } from '../storage.js';

const MARK = 'UPDATE stepwise.tasks SET unreadable = $1 WHERE id = $2 AND unreadable IS NULL';
const CLEAR = 'UPDATE stepwise.tasks SET unreadable = NULL WHERE id = $1';

export class PgUnreadableTasks {
  private readonly known = new Map<string, UnreadableRow>();
  /** Marks being written (awaited by close, so a pool is never ended under one). */
  private readonly writing = new Set<Promise<unknown>>();

  constructor(private readonly pool: pg.Pool) {}

  /** Marks `bad.taskId` (once); never throws: the mark is a courtesy to the next scan. */
  readonly mark = (bad: UnreadableRow): void => {
    if (this.known.has(bad.taskId)) return;
    this.known.set(bad.taskId, bad);
    const write = this.pool.query(MARK, [JSON.stringify(bad), bad.taskId]).catch(() => undefined);
    this.writing.add(write);
    void write.finally(() => this.writing.delete(write));
  };

  /** For reads of one task: mark, then refuse. */
  readonly refuse = (bad: UnreadableRow): never => {
    this.mark(bad);
    throw unreadableRowError(bad);
  };

  /** The mark of a task read with its `unreadable` column (stored, else known here), or null. */
  markOf(taskId: string, stored: unknown): UnreadableRow | null {
    if (typeof stored === 'string') return parseMark(stored, taskId);
    return this.known.get(taskId) ?? null;
  }

  /** Drops the mark once the task's rows decode again. */
  async clear(taskId: string): Promise<void> {
    this.known.delete(taskId);
    await this.pool.query(CLEAR, [taskId]);
  }

  isKnown(taskId: string): boolean {
    return this.known.has(taskId);
  }

  get any(): boolean {
    return this.known.size > 0;
  }

  /**
   * Refuses a commit that changes a task this process found unreadable (no round trip; its mark
   * may not be stored). Stored marks, whoever wrote them, are refused by the commit itself
   * (migration 11: commit_fast's task UPDATE and prepare_commit's task rows).
   */
  checkCommit(changes: ChangeSet): void {
    if (!this.any) return;
    for (const p of changes.updateTasks ?? []) {
      const mark = this.known.get(p.id);
      if (mark) throw unreadableRowError(mark);
    }
  }

  async settle(): Promise<void> {
    await Promise.all([...this.writing]);
  }
}
