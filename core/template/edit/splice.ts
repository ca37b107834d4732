/**
 * Edits of single YAML nodes as text changes: set, insert and remove map pairs and sequence
 * items, in block or flow style, computed from the node ranges the `yaml` package records. New
 * values are written on one line (see ./render.ts); what is not touched keeps its bytes.
 */
import { isAlias, isMap, isScalar, isSeq, Scalar, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { TemplateEditError } from './errors.js';
import { renderFlow, renderScalar, type FlowStyle } from './render.js';
import { column, insertLines, lineEnd, lineStart, startsLine, trimBack, withCommentsAbove, type TextEdit } from './text.js';

export type YPair = Pair<unknown, unknown>;
export type YMap = YAMLMap<unknown, unknown>;
export type YSeq = YAMLSeq<unknown>;

export function keyOf(pair: YPair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

export function pairOf(map: YMap, key: string): YPair | undefined {
  return map.items.find((p) => keyOf(p) === key);
}

function range(node: unknown): [number, number, number] {
  const r = (node as Node | null)?.range;
  if (!r) throw new TemplateEditError('NOT_EDITABLE', 'This part of the template has no position in the text (it may come from an alias); edit it by hand.');
  return r;
}

/** True when the pair has a value written in the text (not `key:` with nothing after it). */
function hasWrittenValue(pair: YPair): boolean {
  const v = pair.value as Node | null;
  if (v === null || v === undefined || !v.range) return false;
  return !(isScalar(v) && v.range[0] === v.range[1]);
}

export class Splicer {
  readonly edits: TextEdit[] = [];
  constructor(
    readonly text: string,
    readonly style: FlowStyle,
  ) {}

  /** End of a node's text, without trailing whitespace and newlines. */
  end(node: unknown): number {
    return trimBack(this.text, range(node)[1]);
  }

  start(node: unknown): number {
    return range(node)[0];
  }

  /** End of a pair's text: its value's, or its colon's when it has none. */
  pairEnd(pair: YPair): number {
    return hasWrittenValue(pair) ? this.end(pair.value) : this.afterColon(pair);
  }

  /** Just past the `:` that follows a pair's key. */
  afterColon(pair: YPair): number {
    const keyEnd = range(pair.key)[1];
    const colon = this.text.indexOf(':', keyEnd);
    return colon >= 0 ? colon + 1 : keyEnd;
  }

  render(value: unknown, inFlow: boolean): string {
    return renderFlow(value, this.style, inFlow ? 'flow' : 'block');
  }

  replace(start: number, end: number, text: string): void {
    this.edits.push({ start, end, text });
  }

  /** Replaces a scalar, keeping its quoting style when it can. */
  replaceScalar(node: Scalar, value: string, inFlow: boolean): void {
    const [start, end] = range(node);
    const like = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? node.type : undefined;
    this.replace(start, end, renderScalar(value, inFlow ? 'flow' : 'block', like));
  }

  /** Sets the value of an existing pair. */
  setValue(map: YMap, pair: YPair, value: unknown): void {
    const text = this.render(value, Boolean(map.flow));
    const v = pair.value as Node | null;
    if (!hasWrittenValue(pair)) {
      const at = this.pairEnd(pair);
      this.replace(at, at, ` ${text}`);
    } else if (isAlias(v)) {
      this.replace(range(v)[0], range(v)[1], text);
    } else if ((isMap(v) || isSeq(v)) && !v.flow) {
      // A block collection: it starts on the next line; the new value goes after the colon.
      this.replace(this.afterColon(pair), this.end(v), ` ${text}`);
    } else if (isScalar(v) && typeof value === 'string' && (typeof v.value === 'string' || v.value === null)) {
      this.replaceScalar(v, value, Boolean(map.flow));
    } else {
      this.replace(range(v)[0], this.end(v), text);
    }
  }

  /** Adds `key: value` after the pair `after` (or at the end; `before-first` puts it first). */
  insertPair(map: YMap, key: string, value: unknown, after?: YPair | 'before-first'): void {
    const inFlow = Boolean(map.flow);
    const entry = `${renderScalar(key, inFlow ? 'flow' : 'block')}: ${this.render(value, inFlow)}`;
    if (map.items.length === 0) {
      if (!map.flow) throw new TemplateEditError('NOT_EDITABLE', 'Cannot add to an empty block map; write it as {} first.');
      this.replace(this.start(map), this.end(map), this.style.padMaps ? `{ ${entry} }` : `{${entry}}`);
      return;
    }
    const first = map.items[0]!;
    if (after === 'before-first' && (map.flow || startsLine(this.text, this.start(first.key)))) {
      const at = this.start(first.key);
      if (map.flow) this.replace(at, at, `${entry}, `);
      else this.edits.push(insertLines(this.text, lineStart(this.text, at), [`${' '.repeat(column(this.text, at))}${entry}`]));
      return;
    }
    // 'before-first' on a first key that shares its line with `- `: the closest is right after it.
    const prev = after === 'before-first' ? first : (after ?? map.items[map.items.length - 1]!);
    const at = this.pairEnd(prev);
    if (map.flow) {
      this.replace(at, at, `, ${entry}`);
      return;
    }
    const indent = column(this.text, this.start(first.key));
    this.edits.push(insertLines(this.text, lineEnd(this.text, at), [`${' '.repeat(indent)}${entry}`]));
  }

  /** Removes a pair. A block map keeps at least one pair: the caller removes the map instead. */
  removePair(map: YMap, pair: YPair): void {
    const items = map.items;
    const i = items.indexOf(pair);
    if (map.flow) {
      this.removeFlowEntry(map, i, (p) => this.start((p as YPair).key), (p) => this.pairEnd(p as YPair), '{}');
      return;
    }
    const keyStart = this.start(pair.key);
    if (!startsLine(this.text, keyStart)) {
      // The first pair shares its line with a `- ` (a list item): pull the next pair up instead.
      const next = items[i + 1];
      if (!next) throw new TemplateEditError('NOT_EDITABLE', `Cannot remove the only field \`${keyOf(pair)}\` of this map; remove the whole item instead.`);
      this.replace(keyStart, this.start(next.key), '');
      return;
    }
    if (items.length === 1) throw new TemplateEditError('NOT_EDITABLE', `Cannot remove the only field \`${keyOf(pair)}\` of a block map; remove the map instead.`);
    this.replace(withCommentsAbove(this.text, lineStart(this.text, keyStart)), lineEnd(this.text, this.pairEnd(pair)), '');
  }

  /** Adds an item after index `after` (default: last). `lines`: a multi-line block item (first line after the dash). */
  insertItem(seq: YSeq, value: unknown, after = seq.items.length - 1, lines?: string[]): void {
    if (seq.flow || seq.items.length === 0) {
      if (!seq.flow) throw new TemplateEditError('NOT_EDITABLE', 'Cannot add to an empty block list; write it as [] first.');
      const text = this.render(value, true);
      if (seq.items.length === 0) {
        this.replace(this.start(seq), this.end(seq), this.style.padSeqs ? `[ ${text} ]` : `[${text}]`);
      } else if (after < 0) {
        const at = this.start(seq.items[0]);
        this.replace(at, at, `${text}, `);
      } else {
        const at = this.end(seq.items[after]);
        this.replace(at, at, `, ${text}`);
      }
      return;
    }
    const ref = seq.items[Math.max(0, after)]!;
    const dash = this.dashOf(ref);
    const dashCol = column(this.text, dash);
    const contentCol = column(this.text, this.start(ref));
    const first = `${' '.repeat(dashCol)}-${' '.repeat(Math.max(1, contentCol - dashCol - 1))}`;
    const body = lines ?? [this.render(value, false)];
    const out = [first + body[0], ...body.slice(1).map((l) => ' '.repeat(Math.max(dashCol + 2, contentCol)) + l)];
    const at = after < 0 ? withCommentsAbove(this.text, lineStart(this.text, dash)) : lineEnd(this.text, this.end(ref));
    this.edits.push(insertLines(this.text, at, out));
  }

  /** Removes item `index`. A block list keeps at least one item: the caller removes the list instead. */
  removeItem(seq: YSeq, index: number): void {
    if (seq.flow) {
      this.removeFlowEntry(seq, index, (n) => this.start(n), (n) => this.end(n), '[]');
      return;
    }
    if (seq.items.length === 1) throw new TemplateEditError('NOT_EDITABLE', 'Cannot remove the only item of a block list; remove the list instead.');
    const item = seq.items[index];
    const dash = this.dashOf(item);
    if (!startsLine(this.text, dash)) throw new TemplateEditError('NOT_EDITABLE', 'This list item shares its line with other content; edit it by hand.');
    this.replace(withCommentsAbove(this.text, lineStart(this.text, dash)), lineEnd(this.text, this.end(item)), '');
  }

  private removeFlowEntry<T>(coll: { items: T[] }, i: number, startOf: (x: T) => number, endOf: (x: T) => number, empty: string): void {
    const items = coll.items;
    if (items.length === 1) {
      this.replace(this.start(coll), this.end(coll), empty);
    } else if (i < items.length - 1) {
      this.replace(startOf(items[i]!), startOf(items[i + 1]!), '');
    } else {
      this.replace(endOf(items[i - 1]!), endOf(items[i]!), '');
    }
  }

  /** The `-` of a block list item. */
  private dashOf(item: unknown): number {
    let i = this.start(item) - 1;
    while (i >= 0 && /\s/.test(this.text[i]!)) i--;
    if (this.text[i] !== '-') throw new TemplateEditError('NOT_EDITABLE', 'A list item without its `-` marker; edit it by hand.');
    return i;
  }
}
