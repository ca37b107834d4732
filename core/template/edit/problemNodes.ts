/**
 * Which step or state a problem is in, for problems found while reading the text (a step with no
 * handler, a field of the wrong type) that carry a position but no `node`: the editor marks the
 * node with a badge only when it knows it. A problem inside a step's (or state's) text belongs
 * to it. PURE.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter } from 'yaml';
import type { Problem } from '../../model/problem.js';
import { parseYamlDocument } from '../yamlTree.js';

interface Span {
  name: string;
  from: number;
  to: number;
}

/** The line span of each step (workflow `steps:` items) or state (flow `states:` entries). */
export function nodeSpans(text: string): Span[] {
  const lines = new LineCounter();
  const doc = parseYamlDocument(text, lines);
  const root = doc.contents;
  if (!isMap(root)) return [];
  const line = (offset: number) => lines.linePos(offset).line;
  const spans: Span[] = [];
  for (const pair of root.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const key = pair.key.value;
    if (key === 'steps' && isSeq(pair.value)) {
      for (const item of pair.value.items) {
        if (!isMap(item) || !item.range) continue;
        const name = item.get('name');
        if (typeof name === 'string') spans.push({ name, from: line(item.range[0]), to: line(Math.max(item.range[0], item.range[1] - 1)) });
      }
    } else if (key === 'states' && isMap(pair.value)) {
      for (const state of pair.value.items) {
        if (!isPair(state) || !isScalar(state.key) || !state.key.range) continue;
        const end = (state.value as { range?: [number, number, number] } | null)?.range?.[1] ?? state.key.range[1];
        spans.push({ name: String(state.key.value), from: line(state.key.range[0]), to: line(Math.max(state.key.range[0], end - 1)) });
      }
    }
  }
  return spans;
}

/** `problems` with `node` set where their line falls in one step's or state's text. */
export function placeProblems(text: string, problems: readonly Problem[]): Problem[] {
  if (problems.every((p) => p.node !== undefined || p.line === undefined)) return [...problems];
  const spans = nodeSpans(text);
  return problems.map((p) => {
    if (p.node !== undefined || p.line === undefined) return p;
    const span = spans.find((s) => p.line! >= s.from && p.line! <= s.to);
    return span ? { ...p, node: span.name } : p;
  });
}
