import { describe, expect, it } from 'vitest';
import { ReadyQueue } from '../../core/engine/runtime/readyQueue.js';

const names = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `s${from + i}`);

describe('ReadyQueue', () => {
  it('keeps names in the order they became ready, once each', () => {
    const q = new ReadyQueue(['b', 'a']);
    q.add('c');
    q.add('a');
    expect([...q]).toEqual(['b', 'a', 'c']);
    expect(q.size).toBe(3);
    expect(q.has('a')).toBe(true);
    expect(q.has('z')).toBe(false);
  });

  it('forgets deleted names, from the front, the middle and the end, and puts a re-added name last', () => {
    const q = new ReadyQueue(['a', 'b', 'c', 'd']);
    expect(q.delete('a')).toBe(true);
    expect(q.delete('c')).toBe(true);
    expect(q.delete('c')).toBe(false);
    expect([...q]).toEqual(['b', 'd']);
    q.add('a');
    expect([...q]).toEqual(['b', 'd', 'a']);
    expect(q.delete('a')).toBe(true);
    expect(q.delete('b')).toBe(true);
    expect(q.delete('d')).toBe(true);
    expect([...q]).toEqual([]);
    expect(q.size).toBe(0);
    q.add('e');
    expect([...q]).toEqual(['e']);
  });

  it('stays correct after dropping the stale front, with a middle name left behind', () => {
    const q = new ReadyQueue(names(1000));
    q.delete('s10'); // a hole in the middle the head passes later
    for (const n of names(600)) q.delete(n);
    q.add('s5');
    expect(q.size).toBe(401);
    expect([...q]).toEqual([...names(400, 600), 's5']);
  });

  it('an iterator sees names added after it started and skips names deleted meanwhile', () => {
    const q = new ReadyQueue(names(200));
    const seen: string[] = [];
    for (const n of q) {
      seen.push(n);
      // A claim loop: the first one claimed, the next one claimed elsewhere, the front dropped.
      q.delete(n);
      if (n === 's0') q.delete('s1');
      if (n === 's2') for (const m of names(150, 3)) q.delete(m);
      if (n === 's199') q.add('late');
    }
    expect(seen).toEqual(['s0', 's2', ...names(47, 153), 'late']);
    expect(q.size).toBe(0);
  });

  it('does not walk deleted names to find the first ready one (claims take from the front)', () => {
    // Not a time: the walk is counted through a Map whose lookups are counted.
    const q = new ReadyQueue(names(100_000));
    let lookups = 0;
    const pos = (q as unknown as { pos: Map<string, number> }).pos;
    const get = pos.get.bind(pos);
    pos.get = (k: string) => {
      lookups += 1;
      return get(k);
    };
    for (const n of names(99_990)) {
      q.delete(n);
      for (const first of q) {
        expect(first).toBe(`s${Number(n.slice(1)) + 1}`);
        break;
      }
    }
    // At most a few lookups per delete and per look (a Set walked up to ~65,000 deleted entries per look).
    expect(lookups / 99_990).toBeLessThan(5);
  });
});
