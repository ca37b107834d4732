import { describe, expect, it } from 'vitest';
import {
  analyzeWorkflow,
  ancestors,
  descendants,
  executionLevels,
  findCycles,
  GraphCycleError,
  leaves,
  levelWidths,
  longestPath,
  roots,
  topologicalOrder,
  type Edge,
} from '../../core/template/graph.js';
import type { StepTemplate } from '../../core/model/template.js';
import { DEFAULT_RETRY } from '../../core/model/template.js';

const diamondNodes = ['a', 'b', 'c', 'd'];
const diamond: Edge[] = [
  ['a', 'b'],
  ['a', 'c'],
  ['b', 'd'],
  ['c', 'd'],
];

describe('findCycles', () => {
  it('finds none in an empty graph, a single node and a DAG', () => {
    expect(findCycles([], [])).toEqual([]);
    expect(findCycles(['a'], [])).toEqual([]);
    expect(findCycles(diamondNodes, diamond)).toEqual([]);
  });
  it('reports a self-loop as a one-node cycle', () => {
    expect(findCycles(['a', 'b'], [['a', 'a'], ['a', 'b']])).toEqual([['a']]);
  });
  it('lists a cycle in edge order starting at its earliest node', () => {
    // c → a → b → c, declared with c first in the edge list.
    const cycles = findCycles(['x', 'a', 'b', 'c'], [['c', 'a'], ['b', 'c'], ['a', 'b'], ['x', 'a']]);
    expect(cycles).toEqual([['a', 'b', 'c']]);
  });
  it('finds every elementary cycle, in deterministic order, across components', () => {
    const nodes = ['a', 'b', 'c', 'd', 'e', 'f'];
    const edges: Edge[] = [
      ['a', 'b'],
      ['b', 'a'],
      ['b', 'c'],
      ['c', 'a'],
      ['e', 'f'],
      ['f', 'e'],
      ['d', 'd'],
    ];
    const first = findCycles(nodes, edges);
    expect(first).toEqual([['a', 'b'], ['a', 'b', 'c'], ['d'], ['e', 'f']]);
    expect(findCycles(nodes, [...edges].reverse())).toEqual(first);
  });
  it('ignores edges to unknown nodes and duplicate edges', () => {
    expect(findCycles(['a', 'b'], [['a', 'zz'], ['a', 'b'], ['b', 'a'], ['b', 'a']])).toEqual([['a', 'b']]);
  });
  it('stops at maxCycles on a dense graph', () => {
    const nodes = ['a', 'b', 'c', 'd', 'e', 'f'];
    const edges: Edge[] = nodes.flatMap((x) => nodes.filter((y) => y !== x).map((y): Edge => [x, y]));
    expect(findCycles(nodes, edges, { maxCycles: 7 })).toHaveLength(7);
    expect(findCycles(nodes, edges).length).toBeGreaterThan(100);
  });
  it('handles a long chain without recursion trouble', () => {
    const nodes = Array.from({ length: 20_000 }, (_, i) => `s${i}`);
    const edges = nodes.slice(1).map((n, i): Edge => [nodes[i]!, n]);
    expect(findCycles(nodes, edges)).toEqual([]);
    expect(findCycles(nodes, [...edges, ['s19999', 's0']])[0]).toHaveLength(20_000);
  });
});

describe('ordering', () => {
  it('orders level by level with input order inside a level', () => {
    expect(topologicalOrder(['d', 'c', 'b', 'a'], diamond)).toEqual(['a', 'c', 'b', 'd']);
    expect(executionLevels(diamondNodes, diamond)).toEqual([['a'], ['b', 'c'], ['d']]);
    expect(levelWidths(diamondNodes, diamond)).toEqual([1, 2, 1]);
  });
  it('puts a node on the level after its deepest dependency', () => {
    const edges: Edge[] = [['a', 'b'], ['b', 'c'], ['a', 'c']];
    expect(executionLevels(['a', 'b', 'c'], edges)).toEqual([['a'], ['b'], ['c']]);
  });
  it('handles empty, single and disconnected graphs', () => {
    expect(topologicalOrder([], [])).toEqual([]);
    expect(executionLevels([], [])).toEqual([]);
    expect(topologicalOrder(['x'], [])).toEqual(['x']);
    expect(executionLevels(['a', 'b', 'x', 'y'], [['a', 'b'], ['x', 'y']])).toEqual([['a', 'x'], ['b', 'y']]);
  });
  it('throws GraphCycleError naming the cycles', () => {
    let caught: unknown;
    try {
      topologicalOrder(['a', 'b', 'c'], [['a', 'b'], ['b', 'a'], ['b', 'c']]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GraphCycleError);
    expect((caught as GraphCycleError).cycles).toEqual([['a', 'b']]);
    expect((caught as GraphCycleError).code).toBe('TEMPLATE_INVALID');
    expect((caught as GraphCycleError).message).toContain('a → b → a');
  });
});

describe('roots, leaves, reachability', () => {
  it('lists roots and leaves in input order, isolated nodes in both', () => {
    expect(roots([...diamondNodes, 'z'], diamond)).toEqual(['a', 'z']);
    expect(leaves([...diamondNodes, 'z'], diamond)).toEqual(['d', 'z']);
    expect(roots([], [])).toEqual([]);
  });
  it('walks descendants and ancestors', () => {
    expect(descendants(diamondNodes, diamond, 'b')).toEqual(['d']);
    expect(descendants(diamondNodes, diamond, 'a')).toEqual(['b', 'c', 'd']);
    expect(ancestors(diamondNodes, diamond, 'd')).toEqual(['a', 'b', 'c']);
    expect(ancestors(diamondNodes, diamond, 'nope')).toEqual([]);
  });
});

describe('longestPath', () => {
  it('returns the chain with the most nodes, earliest on ties', () => {
    expect(longestPath(diamondNodes, diamond)).toEqual({ path: ['a', 'b', 'd'], length: 3 });
    expect(longestPath([], [])).toEqual({ path: [], length: 0 });
    expect(longestPath(['solo'], [])).toEqual({ path: ['solo'], length: 1 });
  });
  it('uses node weights when given', () => {
    const w: Record<string, number> = { a: 1, b: 1, c: 10, d: 1 };
    expect(longestPath(diamondNodes, diamond, (n) => w[n]!)).toEqual({ path: ['a', 'c', 'd'], length: 12 });
  });
  it('picks the longest of disconnected parts', () => {
    const r = longestPath(['a', 'x', 'y', 'z'], [['x', 'y'], ['y', 'z']]);
    expect(r.path).toEqual(['x', 'y', 'z']);
  });
});

const step = (name: string, dependsOn: string[] = []): StepTemplate => ({
  name,
  type: 'standard',
  dependsOn,
  retry: DEFAULT_RETRY,
});

describe('analyzeWorkflow', () => {
  it('summarises an acyclic workflow', () => {
    const a = analyzeWorkflow({
      steps: [step('validate'), step('charge', ['validate']), step('pack', ['validate']), step('ship', ['charge', 'pack'])],
    });
    expect(a).toEqual({
      roots: ['validate'],
      leaves: ['ship'],
      cycles: [],
      order: ['validate', 'charge', 'pack', 'ship'],
      levels: [['validate'], ['charge', 'pack'], ['ship']],
      levelWidths: [1, 2, 1],
      longestPath: ['validate', 'charge', 'ship'],
    });
  });
  it('reports cycles instead of throwing', () => {
    const a = analyzeWorkflow({ steps: [step('a', ['b']), step('b', ['a']), step('c')] });
    expect(a.cycles).toEqual([['a', 'b']]);
    expect(a.order).toBeNull();
    expect(a.longestPath).toBeNull();
    expect(a.roots).toEqual(['c']);
  });
});

import fc from 'fast-check';

/** Brute force: every simple path from its smallest-index node back to it. */
function bruteCycles(n: number, edges: Array<[number, number]>): string[] {
  const out = Array.from({ length: n }, () => new Set<number>());
  for (const [a, b] of edges) out[a]!.add(b);
  const found: string[] = [];
  const extend = (start: number, path: number[]) => {
    for (const w of out[path[path.length - 1]!]!) {
      if (w === start) found.push(path.join(','));
      else if (w > start && !path.includes(w)) extend(start, [...path, w]);
    }
  };
  for (let s = 0; s < n; s++) extend(s, [s]);
  return found.sort();
}

describe('findCycles against brute force', () => {
  it('finds exactly the elementary cycles of small random graphs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((n) =>
          fc.tuple(fc.constant(n), fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 14 })),
        ),
        ([n, edges]) => {
          const names = Array.from({ length: n }, (_, i) => String(i));
          const got = findCycles(names, edges.map(([a, b]): Edge => [String(a), String(b)]))
            .map((c) => c.join(','))
            .sort();
          expect(got).toEqual(bruteCycles(n, edges));
        },
      ),
      { numRuns: 300 },
    );
  });
});
