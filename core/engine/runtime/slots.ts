/**
 * Executor slots: how many step or action attempts may run at once in this process (the
 * executor's capacity), minus those running, minus those promised to claims whose commit is in
 * flight. An attempt whose end is being committed together with claims of the next work (a
 * chain) counts as `finishing`: its slot is the one the chained claims reuse.
 */
export class Slots {
  /** Slots promised to claims whose commit is still in flight. */
  reserved = 0;
  /** Running attempts whose end is being committed with chained claims. */
  finishing = 0;

  constructor(
    readonly capacity: number,
    private readonly running: () => number,
  ) {}

  /** Free now for a new claim. */
  free(): number {
    return this.capacity - this.running() - this.reserved;
  }

  /** Free for claims made in the commit of a finishing attempt's end. */
  freeForChain(): number {
    return this.capacity - (this.running() - this.finishing) - this.reserved;
  }

  /** Hold `n` slots for claims being committed; false (nothing held) when there are not so many. */
  reserve(n: number): boolean {
    if (this.free() < n) return false;
    this.reserved += n;
    return true;
  }

  release(n: number): void {
    this.reserved -= n;
  }
}
