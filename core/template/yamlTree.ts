/**
 * YAML → a small located tree. The `yaml` package keeps every node's offset; this turns its AST
 * into plain map/seq/scalar nodes that carry a 1-based `file:line:col`, so the template readers
 * never touch the YAML library and every problem they report has a position.
 */
import { LineCounter, parseDocument, isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node as YamlNode } from 'yaml';
import type { Problem } from '../model/problem.js';
import type { SourceLocation } from '../model/template.js';
import { makeProblem } from './problems.js';

export interface YEntry {
  key: string;
  keyLoc: SourceLocation;
  value: YNode;
}
export interface YMap {
  kind: 'map';
  loc: SourceLocation;
  /** In source order; duplicate keys are kept so readers can report them. */
  entries: YEntry[];
}
export interface YSeq {
  kind: 'seq';
  loc: SourceLocation;
  items: YNode[];
}
export interface YScalar {
  kind: 'scalar';
  loc: SourceLocation;
  value: unknown;
  /** The scalar as written (so `version: 1.0` stays "1.0"). */
  source?: string;
}
export type YNode = YMap | YSeq | YScalar;

export interface ParsedYaml {
  /** null when the file is empty or could not be parsed. */
  root: YNode | null;
  problems: Problem[];
}

const MAX_ALIAS_DEPTH = 50;

export function parseYamlTree(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, merge: true });
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) =>
      makeProblem('YAML_SYNTAX', `${e.message.replace(/\s+at line \d+, column \d+.*$/s, '')} (${e.code})`, at(e.pos[0])),
    );
    return { root: null, problems };
  }
  if (doc.contents === null) return { root: null, problems: [] };
  const convert = new Converter(doc, at);
  return { root: convert.node(doc.contents as YamlNode, at(0), 0), problems: [] };
}

class Converter {
  constructor(
    private readonly doc: Document,
    private readonly at: (offset: number) => SourceLocation,
  ) {}

  node(n: YamlNode | null | undefined, fallback: SourceLocation, depth: number): YNode {
    if (n === null || n === undefined) return { kind: 'scalar', loc: fallback, value: null };
    const loc = n.range ? this.at(n.range[0]) : fallback;
    if (isAlias(n)) {
      const target = depth < MAX_ALIAS_DEPTH ? (n.resolve(this.doc) as YamlNode | undefined) : undefined;
      return this.node(target, loc, depth + 1);
    }
    if (isScalar(n)) {
      const s: YScalar = { kind: 'scalar', loc, value: n.value };
      if (typeof n.source === 'string') s.source = n.source;
      return s;
    }
    if (isSeq(n)) return { kind: 'seq', loc, items: n.items.map((item) => this.node(item as YamlNode, loc, depth)) };
    if (isMap(n)) return { kind: 'map', loc, entries: this.entries(n.items, loc, depth) };
    return { kind: 'scalar', loc, value: null };
  }

  private entries(items: unknown[], loc: SourceLocation, depth: number): YEntry[] {
    const out: YEntry[] = [];
    const merged: YEntry[] = [];
    for (const item of items) {
      if (!isPair(item)) continue;
      const keyNode = item.key as YamlNode | null;
      const keyLoc = keyNode?.range ? this.at(keyNode.range[0]) : loc;
      // With `merge: true` the yaml package reads a `<<` key as a symbol.
      const isMerge = isScalar(keyNode) && (typeof keyNode.value === 'symbol' || keyNode.value === '<<') && keyNode.source === '<<';
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode ?? '');
      const value = this.node(item.value as YamlNode | null, keyLoc, depth);
      if (isMerge) {
        // YAML merge key: the aliased map's entries apply unless the map sets them itself.
        const sources = value.kind === 'seq' ? value.items : [value];
        for (const s of sources) if (s.kind === 'map') merged.push(...s.entries);
        continue;
      }
      out.push({ key, keyLoc, value });
    }
    const own = new Set(out.map((e) => e.key));
    return [...out, ...merged.filter((e) => !own.has(e.key))];
  }
}

/**
 * The YAML node each plain object or array came from, so a problem found later inside a plain
 * value (a JSON Schema error at `/properties/id/type`) can still be placed on its line.
 */
const origins = new WeakMap<object, YNode>();

/** The plain JSON-like value of a node (for schemas, initialization blobs, inputs). */
export function toPlain(node: YNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq': {
      const out = node.items.map(toPlain);
      origins.set(out, node);
      return out;
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) if (!(e.key in out)) out[e.key] = toPlain(e.value);
      origins.set(out, node);
      return out;
    }
  }
}

/** Position of the value at JSON pointer `pointer` inside a plain value read from YAML, if known. */
export function locateInPlain(value: unknown, pointer: string): SourceLocation | undefined {
  let node = typeof value === 'object' && value !== null ? origins.get(value) : undefined;
  if (!node) return undefined;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const next: YNode | undefined =
      node.kind === 'map' ? node.entries.find((e) => e.key === key)?.value : node.kind === 'seq' ? node.items[Number(key)] : undefined;
    if (!next) break;
    node = next;
  }
  return node.loc;
}

export function describeNode(node: YNode): string {
  if (node.kind === 'map') return 'a map';
  if (node.kind === 'seq') return 'a list';
  const v = node.value;
  if (v === null) return 'nothing (null)';
  return `${typeof v} ${JSON.stringify(v)}`;
}
