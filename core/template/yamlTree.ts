/**
 * YAML → a small located tree. The `yaml` package keeps every node's offset; this turns its AST
 * into plain map/seq/scalar nodes that carry a 1-based `file:line:col`, so the template readers
 * never touch the YAML library and every problem they report has a position.
 */
import { LineCounter, parseDocument, isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node as YamlNode } from 'yaml';
import { setOwn } from '../model/ownKeys.js';
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

/**
 * What one YAML file may cost to read. Aliases are expanded into the tree (every reader sees
 * plain values), so a few hundred bytes of nested aliases (a "billion laughs" file) would
 * otherwise expand to gigabytes and block every command that loads the workspace.
 */
export interface YamlBudget {
  /** Bytes of YAML text (UTF-8). */
  maxBytes: number;
  /** Nodes of the expanded tree (maps, lists, scalars), aliases counted as often as they expand. */
  maxNodes: number;
  /** Characters of string scalars in the expanded tree. */
  maxScalarChars: number;
}

export const DEFAULT_YAML_BUDGET: YamlBudget = { maxBytes: 2 * 1024 * 1024, maxNodes: 100_000, maxScalarChars: 16 * 1024 * 1024 };

/** The one way YAML text becomes a `yaml` Document: reading templates and configs, and the editor. */
export function parseYamlDocument(text: string, lineCounter?: LineCounter): Document {
  return parseDocument(text, { ...(lineCounter ? { lineCounter } : {}), uniqueKeys: false, prettyErrors: false, merge: true });
}

/** Why `text` is too large to parse at all, or null. */
export function yamlTextTooLarge(text: string, budget: YamlBudget = DEFAULT_YAML_BUDGET): string | null {
  // UTF-8 is at most 3 bytes per UTF-16 unit: only count exactly near the limit.
  if (text.length * 3 <= budget.maxBytes) return null;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > budget.maxBytes ? `the file is ${formatBytes(bytes)}, over the limit of ${formatBytes(budget.maxBytes)} for one template` : null;
}

const formatBytes = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${n.toLocaleString('en-US')} bytes`);

class BudgetExceeded extends Error {
  constructor(
    readonly why: string,
    readonly at: SourceLocation,
  ) {
    super(why);
  }
}

export function parseYamlTree(text: string, file: string, budget: YamlBudget = DEFAULT_YAML_BUDGET): ParsedYaml {
  const tooLarge = yamlTextTooLarge(text, budget);
  if (tooLarge) {
    return { root: null, problems: [makeProblem('YAML_TOO_LARGE', `${tooLarge}; nothing in it was read`, { file, line: 1, col: 1 })] };
  }
  const lineCounter = new LineCounter();
  const doc = parseYamlDocument(text, lineCounter);
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
  const convert = new Converter(doc, at, budget);
  try {
    return { root: convert.node(doc.contents as YamlNode, at(0), 0), problems: [] };
  } catch (err) {
    if (!(err instanceof BudgetExceeded)) throw err;
    return { root: null, problems: [makeProblem('YAML_TOO_LARGE', `${err.why}; nothing in the file was read`, err.at)] };
  }
}

class Converter {
  private nodes = 0;
  private chars = 0;
  /** `Alias.resolve` walks the document each time: resolve each alias node once. */
  private readonly resolved = new Map<YamlNode, YamlNode | undefined>();
  /** The alias being expanded (the outermost one), to name it when the budget runs out. */
  private expanding: { source: string; loc: SourceLocation } | null = null;

  constructor(
    private readonly doc: Document,
    private readonly at: (offset: number) => SourceLocation,
    private readonly budget: YamlBudget,
  ) {}

  private spend(loc: SourceLocation, chars: number): void {
    this.nodes++;
    this.chars += chars;
    if (this.nodes <= this.budget.maxNodes && this.chars <= this.budget.maxScalarChars) return;
    const what =
      this.nodes > this.budget.maxNodes
        ? `more than ${this.budget.maxNodes.toLocaleString('en-US')} YAML values`
        : `more than ${this.budget.maxScalarChars.toLocaleString('en-US')} characters of text`;
    const via = this.expanding ? ` once its aliases are expanded (\`*${this.expanding.source}\` here repeats a large anchored value)` : '';
    throw new BudgetExceeded(`the template expands to ${what}${via}`, this.expanding?.loc ?? loc);
  }

  node(n: YamlNode | null | undefined, fallback: SourceLocation, depth: number): YNode {
    if (n === null || n === undefined) {
      this.spend(fallback, 0);
      return { kind: 'scalar', loc: fallback, value: null };
    }
    const loc = n.range ? this.at(n.range[0]) : fallback;
    if (isAlias(n)) {
      let target = this.resolved.get(n);
      if (!this.resolved.has(n)) this.resolved.set(n, (target = n.resolve(this.doc) as YamlNode | undefined));
      if (depth >= MAX_ALIAS_DEPTH) target = undefined;
      const outer = this.expanding === null;
      if (outer) this.expanding = { source: n.source, loc };
      try {
        return this.node(target, loc, depth + 1);
      } finally {
        if (outer) this.expanding = null;
      }
    }
    if (isScalar(n)) {
      this.spend(loc, typeof n.value === 'string' ? n.value.length : 0);
      const s: YScalar = { kind: 'scalar', loc, value: n.value };
      if (typeof n.source === 'string') s.source = n.source;
      return s;
    }
    this.spend(loc, 0);
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
      // Own keys only: `constructor` or `__proto__` are data here, not Object.prototype's.
      for (const e of node.entries) if (!Object.hasOwn(out, e.key)) setOwn(out, e.key, toPlain(e.value));
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
