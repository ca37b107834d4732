/**
 * A YAML template opened for editing: the parsed `yaml` Document (for node positions) plus the
 * lookups every edit needs: which kind it is, its steps (workflows) or states (flows), and the
 * spellings the file already uses (`depends_on` or `dependencies`, `type` or `step_type`, handler
 * names or `{ callable }` objects), so edits write what the file's author would have written.
 */
import { isAlias, isMap, isScalar, isSeq, type Document } from 'yaml';
import { parseYamlDocument, yamlTextTooLarge } from '../yamlTree.js';
import { TemplateEditError } from './errors.js';
import { detectFlowStyle, type FlowStyle } from './render.js';
import { keyOf, pairOf, Splicer, type YMap, type YPair, type YSeq } from './splice.js';

export interface StepNode {
  name: string;
  index: number;
  map: YMap;
}

export interface StateNode {
  name: string;
  pair: YPair;
  /** null for `done:` written with nothing after it (a result state). */
  map: YMap | null;
}

export class TemplateDoc {
  readonly doc: Document;
  readonly root: YMap;
  readonly kind: 'workflow' | 'flow';
  readonly style: FlowStyle;

  constructor(readonly text: string) {
    const tooLarge = yamlTextTooLarge(text);
    if (tooLarge) throw new TemplateEditError('NOT_EDITABLE', `The template cannot be edited: ${tooLarge}.`);
    this.doc = parseYamlDocument(text);
    const error = this.doc.errors[0];
    if (error) throw new TemplateEditError('NOT_EDITABLE', `The template is not valid YAML (${error.message.split('\n')[0]}); fix the syntax before editing it.`);
    if (!isMap(this.doc.contents)) throw new TemplateEditError('NOT_EDITABLE', 'The file is not a YAML map, so it is not a template the editor can change.');
    this.root = this.doc.contents as YMap;
    this.kind = this.detectKind();
    this.style = detectFlowStyle(text);
  }

  splicer(): Splicer {
    return new Splicer(this.text, this.style);
  }

  private detectKind(): 'workflow' | 'flow' {
    const kind = this.scalarValue(this.root, 'kind');
    if (kind === 'flow' || kind === 'workflow') return kind;
    if (pairOf(this.root, 'states')) return 'flow';
    if (pairOf(this.root, 'steps')) return 'workflow';
    throw new TemplateEditError('NOT_EDITABLE', 'This is neither a workflow (no `steps:`) nor a flow (no `states:`).');
  }

  expect(kind: 'workflow' | 'flow', edit: string): void {
    if (this.kind !== kind) {
      throw new TemplateEditError('WRONG_KIND', `${edit} edits ${kind === 'workflow' ? 'a workflow (steps)' : 'a flow (states)'}, but this template is a ${this.kind}.`, { kind: this.kind });
    }
  }

  scalarValue(map: YMap | null, key: string): unknown {
    const v = map ? pairOf(map, key)?.value : undefined;
    return isScalar(v) ? v.value : undefined;
  }

  // ---- workflows

  stepsSeq(): YSeq {
    const v = pairOf(this.root, 'steps')?.value;
    if (!isSeq(v)) throw new TemplateEditError('NOT_EDITABLE', '`steps:` is not a list; fix the template before editing it.');
    return v as YSeq;
  }

  steps(): StepNode[] {
    return this.stepsSeq().items.flatMap((item, index): StepNode[] => {
      if (!isMap(item)) return [];
      const name = this.scalarValue(item as YMap, 'name');
      return typeof name === 'string' ? [{ name, index, map: item as YMap }] : [];
    });
  }

  step(name: string): StepNode {
    const found = this.steps().find((s) => s.name === name);
    if (found) return found;
    const alias = this.stepsSeq().items.some((i) => isAlias(i));
    throw new TemplateEditError('UNKNOWN_NODE', `There is no step \`${name}\` in this workflow${alias ? ' (steps written as aliases cannot be edited)' : ''}. Steps: ${this.steps().map((s) => s.name).join(', ') || '(none)'}.`, { node: name });
  }

  /** The dependency key a step uses, else the one most steps use, else `depends_on`. */
  depsKey(step: StepNode): 'depends_on' | 'dependencies' {
    if (pairOf(step.map, 'depends_on')) return 'depends_on';
    if (pairOf(step.map, 'dependencies')) return 'dependencies';
    return this.majority(['depends_on', 'dependencies'] as const);
  }

  typeKey(step: StepNode | undefined): 'type' | 'step_type' {
    if (step && pairOf(step.map, 'step_type') && !pairOf(step.map, 'type')) return 'step_type';
    if (step && pairOf(step.map, 'type')) return 'type';
    return this.majority(['type', 'step_type'] as const);
  }

  /** Whether steps write handlers as `{ callable: ... }` maps (tasker-core) rather than names. */
  handlerObjects(): boolean {
    let objects = 0;
    let names = 0;
    for (const s of this.steps()) {
      const v = pairOf(s.map, 'handler')?.value;
      if (isMap(v)) objects++;
      else if (isScalar(v)) names++;
    }
    return objects > names;
  }

  private majority<K extends string>(keys: readonly [K, K]): K {
    const count = (k: string) => this.steps().filter((s) => pairOf(s.map, k)).length;
    return count(keys[1]) > count(keys[0]) ? keys[1] : keys[0];
  }

  /**
   * Whether a step left without dependencies keeps an empty list: when the file writes
   * `depends_on: []` somewhere, or spells it `dependencies` (tasker-core templates list them on
   * every step, `dependencies: []` on the roots).
   */
  keepsEmptyDependencies(): boolean {
    const empty = this.steps().some((s) => {
      const v = (pairOf(s.map, 'depends_on') ?? pairOf(s.map, 'dependencies'))?.value;
      return isSeq(v) && v.items.length === 0;
    });
    return empty || this.majority(['depends_on', 'dependencies'] as const) === 'dependencies';
  }

  /** `name`'s dependency list as names with their nodes (a single name counts as a list of one). */
  dependencies(step: StepNode): { pair: YPair; names: string[] } | undefined {
    const pair = pairOf(step.map, 'depends_on') ?? pairOf(step.map, 'dependencies');
    if (!pair) return undefined;
    const v = pair.value;
    if (isScalar(v)) return { pair, names: typeof v.value === 'string' ? [v.value] : [] };
    if (isSeq(v)) return { pair, names: v.items.map((i) => (isScalar(i) && typeof i.value === 'string' ? i.value : '\u0000')) };
    return { pair, names: [] };
  }

  // ---- flows

  statesMap(): YMap {
    const v = pairOf(this.root, 'states')?.value;
    if (!isMap(v)) throw new TemplateEditError('NOT_EDITABLE', '`states:` is not a map; fix the template before editing it.');
    return v as YMap;
  }

  states(): StateNode[] {
    return this.statesMap().items.flatMap((pair): StateNode[] => {
      const name = keyOf(pair);
      if (name === undefined) return [];
      if (isMap(pair.value)) return [{ name, pair, map: pair.value as YMap }];
      if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) return [{ name, pair, map: null }];
      return [];
    });
  }

  state(name: string): StateNode {
    const found = this.states().find((s) => s.name === name);
    if (found) return found;
    throw new TemplateEditError('UNKNOWN_NODE', `There is no state \`${name}\` in this flow. States: ${this.states().map((s) => s.name).join(', ') || '(none)'}.`, { node: name });
  }

  interactions(): Array<{ name: string; map: YMap }> {
    const v = pairOf(this.root, 'interactions')?.value;
    if (!isMap(v)) return [];
    return (v as YMap).items.flatMap((p) => {
      const name = keyOf(p);
      return name !== undefined && isMap(p.value) ? [{ name, map: p.value as YMap }] : [];
    });
  }
}
