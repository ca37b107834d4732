/**
 * The names of a task's ready steps in the order they became ready, for the claim loops (a
 * scheduling round, a chained claim) that take the first few of them.
 *
 * Not a `Set`: V8 leaves a deleted entry of a Set as a hole until the table shrinks, and an
 * iteration walks every hole before the first live entry. Claims delete ready steps from the
 * front, so in a task of 100,000 ready steps each "first few ready steps" walked tens of
 * thousands of holes (35 µs per look, O(steps in the task) per claim). Here deleting from the
 * front moves a head past the stale entries (amortized O(1)) and the array drops them once they
 * are half of it; entries deleted from the middle (a step skipped by its concurrency key while
 * later ones were claimed) stay until the head passes them.
 *
 * Iteration is safe while the queue changes (the claim loops await commits that apply to the
 * view): an iterator keeps an absolute position, sees names added after it started (as a Set's
 * iterator does) and skips names deleted meanwhile.
 */
export class ReadyQueue implements Iterable<string> {
  /** Names in order; `names[i]` is live when `pos.get(name) === base + i`. */
  private names: string[] = [];
  /** Absolute position of `names[0]`. */
  private base = 0;
  /** Absolute position of the first entry that may be live. */
  private head = 0;
  private readonly pos = new Map<string, number>();

  constructor(names: Iterable<string> = []) {
    for (const n of names) this.add(n);
  }

  get size(): number {
    return this.pos.size;
  }

  has(name: string): boolean {
    return this.pos.has(name);
  }

  add(name: string): void {
    if (this.pos.has(name)) return;
    this.pos.set(name, this.base + this.names.length);
    this.names.push(name);
  }

  delete(name: string): boolean {
    const at = this.pos.get(name);
    if (at === undefined) return false;
    this.pos.delete(name);
    if (at === this.head) this.advanceHead();
    return true;
  }

  private live(at: number): boolean {
    const name = this.names[at - this.base];
    return name !== undefined && this.pos.get(name) === at;
  }

  private advanceHead(): void {
    const end = this.base + this.names.length;
    while (this.head < end && !this.live(this.head)) this.head++;
    const stale = this.head - this.base;
    // Dropped once they are half the array: each drop copies at most as many entries as were deleted.
    if (stale >= 64 && stale * 2 >= this.names.length) {
      this.names = this.names.slice(stale);
      this.base = this.head;
    }
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let at = this.head; at < this.base + this.names.length; at++) {
      // Entries before the head are stale (and may have been dropped while this iterator waited).
      if (at < this.head) at = this.head;
      if (this.live(at)) yield this.names[at - this.base]!;
    }
  }
}
