/**
 * Gives a TypeScript template the positions a YAML template has (`loc`, `fieldLocs`), so its
 * problems read `FILE:LINE:COL` too. The lines come from the call sites recorded when the module
 * ran (exact: jiti keeps lines); columns and the positions of plain values (a step's `name`, a
 * `goTo` target, a dependency) are found in the source text, near those lines. Whatever cannot be
 * found keeps the nearest known position: the builder call, then the defineX call, then the file.
 */
import type { Problem } from '../model/problem.js';
import type { FlowTemplate, SourceLocation, Template, WorkflowTemplate } from '../model/template.js';
import { sitesOf, type DefinitionSites } from './definitionSites.js';

const DEFINE_NAMES = ['defineWorkflow', 'defineFlow'];
const BUILDER_NAMES = { action: ['action'], decision: ['decision'], wait: ['waitUntil'], result: ['result'] } as const;
const ALL_NAMES = [...DEFINE_NAMES, 'action', 'decision', 'waitUntil', 'result', 'interaction'];

/** A source file's text with offset ↔ line/column conversion. */
export class SourceText {
  private readonly starts: number[] = [0];
  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.starts.push(i + 1);
  }

  at(offset: number): SourceLocation {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, col: offset - this.starts[lo]! + 1 };
  }

  offset(loc: SourceLocation): number {
    return (this.starts[loc.line - 1] ?? this.text.length) + loc.col - 1;
  }

  lineText(line: number): string {
    return this.text.slice(this.starts[line - 1] ?? this.text.length, (this.starts[line] ?? this.text.length + 1) - 1);
  }

  /** The call of one of `names` on `site`'s line nearest to its (transpiled) column; else the line's first character. */
  call(site: SourceLocation | undefined, names: readonly string[]): SourceLocation | undefined {
    if (!site || site.file !== this.file) return site;
    const line = this.lineText(site.line);
    const pattern = new RegExp(`\\b(?:${names.join('|')})\\s*(?:<[^()]*>)?\\s*\\(`, 'g');
    let best: number | undefined;
    for (const m of line.matchAll(pattern)) {
      if (best === undefined || Math.abs(m.index + 1 - site.col) < Math.abs(best + 1 - site.col)) best = m.index;
    }
    const col = best !== undefined ? best + 1 : line.length - line.trimStart().length + 1;
    return { file: this.file, line: site.line, col };
  }

  /**
   * The first match of `pattern` in [from, to): `index` where it starts, `start` where its `at`
   * group starts (the value a position should point at; else the match), `end` where it ends.
   */
  find(pattern: RegExp, from: number, to = this.text.length): { index: number; start: number; end: number } | undefined {
    const re = new RegExp(pattern.source, 'gd');
    re.lastIndex = from;
    const m = re.exec(this.text);
    if (!m || m.index >= to) return undefined;
    return { index: m.index, start: m.indices?.groups?.at?.[0] ?? m.index, end: m.index + m[0].length };
  }
}

/** `'value'`, `"value"` or `` `value` `` as a pattern. */
function literal(value: string): RegExp {
  return new RegExp(`(?<q>['"\`])${escapeRegExp(value)}\\k<q>`);
}

/** `field:`, positioned at its value. */
function key(field: string): RegExp {
  return new RegExp(`\\b${field}\\s*:\\s*(?<at>)`);
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A copy of `template` placed in `source` (the file it was loaded from). */
export function placeTsTemplate<T extends Template>(template: T, source: SourceText): T {
  const sites = sitesOf(template) ?? { nodes: [], interactions: [] };
  const loc = source.call(sites.template, DEFINE_NAMES);
  const placed = { ...template, ...(loc ? { loc } : {}) };
  const from = loc && loc.file === source.file ? source.offset(loc) : 0;
  const fieldLocs: Record<string, SourceLocation> = {};
  const nameAt = source.find(literal(template.name), from);
  if (nameAt) fieldLocs.name = source.at(nameAt.start);
  placed.fieldLocs = fieldLocs;
  if (placed.kind === 'workflow') return placeWorkflow(placed, source, from) as T;
  return placeFlow(placed as FlowTemplate & T, source, sites, from, fieldLocs) as T;
}

function placeWorkflow(t: WorkflowTemplate, source: SourceText, from: number): WorkflowTemplate {
  // Steps are object literals: find each `name: 'step'` in order, so a duplicate is found twice.
  const starts: (number | undefined)[] = [];
  const keys: (number | undefined)[] = [];
  let cursor = from;
  for (const step of t.steps) {
    const found = source.find(new RegExp(`\\bname\\s*:\\s*(?<at>${literal(step.name).source})`), cursor);
    starts.push(found?.start);
    keys.push(found?.index);
    if (found) cursor = found.end;
  }
  const ends = starts.map((_, i) => starts.slice(i + 1).find((s) => s !== undefined) ?? source.text.length);
  const steps = t.steps.map((step, i) => {
    const start = starts[i];
    if (start === undefined) return step;
    const end = ends[i]!;
    // The step is placed at its `{` when `name:` follows it on the same line, else at `name:`.
    const keyAt = keys[i]!;
    const brace = source.text.lastIndexOf('{', keyAt);
    const stepAt = brace >= from && /^[ \t]*$/.test(source.text.slice(brace + 1, keyAt)) ? brace : keyAt;
    const fieldLocs: Record<string, SourceLocation> = { name: source.at(start) };
    for (const field of ['handler', 'type', 'timeout', 'retry']) {
      const at = source.find(key(field), start, end);
      if (at) fieldLocs[field] = source.at(at.start);
    }
    const deps = source.find(/\bdependsOn\s*:\s*\[()/, start, end);
    if (deps) {
      let c = deps.start;
      step.dependsOn.forEach((dep, k) => {
        const at = source.find(literal(dep), c, end);
        if (!at) return;
        fieldLocs[`dependsOn.${k}`] = source.at(at.start);
        c = at.end;
      });
    }
    return { ...step, loc: source.at(stepAt), fieldLocs };
  });
  return { ...t, steps };
}

function placeFlow(t: FlowTemplate, source: SourceText, sites: DefinitionSites, from: number, fieldLocs: Record<string, SourceLocation>): FlowTemplate {
  for (const field of ['startsWith', 'onTimeout', 'states', 'attributes', 'timeout', 'delay']) {
    const at = source.find(key(field), from);
    if (at) fieldLocs[field === 'attributes' ? 'attributesSchema' : field] = source.at(at.start);
  }
  const stateLocs = t.states.map((s, i) => source.call(sites.nodes[i], BUILDER_NAMES[s.type]));
  const interactionLocs = t.interactions.map((_, i) => source.call(sites.interactions[i], ['interaction']));
  const regions = regionsOf([...stateLocs, ...interactionLocs], source);
  const states = t.states.map((s, i) => {
    const loc = stateLocs[i];
    if (!loc) return s;
    const fl: Record<string, SourceLocation> = {};
    const region = regions.get(loc);
    // The state's key (`name: action(...)`) sits just before its builder on the same line.
    const keyAt = source.lineText(loc.line).slice(0, loc.col - 1).search(new RegExp(`(['"]?)\\b${escapeRegExp(s.name)}\\1\\s*:\\s*$`));
    if (loc.file === source.file && keyAt >= 0) fl.name = { file: source.file, line: loc.line, col: keyAt + 1 };
    if (region && s.type === 'action') {
      let c = region.start;
      s.goTo.forEach((to, k) => {
        const at = source.find(literal(to), c, region.end);
        if (!at) return;
        fl[`goTo.${k}`] = source.at(at.start);
        c = at.end;
      });
    }
    if (region && (s.type === 'decision' || s.type === 'wait')) {
      s.branches.forEach((b, k) => {
        const at = source.find(literal(b.goTo), region.start, region.end);
        if (at) fl[`branches.${k}.goTo`] = source.at(at.start);
      });
    }
    return { ...s, loc, fieldLocs: fl };
  });
  const interactions = t.interactions.map((it, i) => {
    const loc = interactionLocs[i];
    if (!loc) return it;
    const fl: Record<string, SourceLocation> = {};
    const region = regions.get(loc);
    if (region) {
      let c = region.start;
      it.when.forEach((w, k) => {
        const at = source.find(literal(w), c, region.end);
        if (!at) return;
        fl[`when.${k}`] = source.at(at.start);
        c = at.end;
      });
    }
    return { ...it, loc, fieldLocs: fl };
  });
  return { ...t, states, interactions };
}

/** Each builder call's text: from its position to the next builder call in the same file. */
function regionsOf(locs: (SourceLocation | undefined)[], source: SourceText): Map<SourceLocation, { start: number; end: number }> {
  const inFile = locs.filter((l): l is SourceLocation => l !== undefined && l.file === source.file);
  const offsets = inFile.map((l) => source.offset(l)).sort((a, b) => a - b);
  return new Map(
    inFile.map((l) => {
      const start = source.offset(l);
      return [l, { start, end: offsets.find((o) => o > start) ?? source.text.length }];
    }),
  );
}

/** A problem thrown by defineWorkflow/defineFlow, with its column corrected; at the file's start when it has no line. */
export function placeDefinitionProblem(p: Problem, source: SourceText): Problem {
  if (p.file === undefined || p.line === undefined) return { ...p, file: source.file, line: 1, col: 1 };
  const at = source.call({ file: p.file, line: p.line, col: p.col ?? 1 }, ALL_NAMES);
  if (!at) return p;
  // A workflow step has no builder call: find its `name: '<step>'` after the defineWorkflow call.
  if (p.node !== undefined && at.file === source.file && new RegExp(`\\b(?:${DEFINE_NAMES.join('|')})\\b`).test(source.lineText(at.line))) {
    const step = source.find(new RegExp(`\\bname\\s*:\\s*(?<at>${literal(p.node).source})`), source.offset(at));
    if (step) return { ...p, ...source.at(step.start) };
  }
  return { ...p, file: at.file, line: at.line, col: at.col };
}
