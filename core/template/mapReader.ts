/**
 * Typed, located access to one YAML map. Each getter checks the value's type and, when it is
 * wrong, records a WRONG_TYPE (or BAD_DURATION) problem at the value's position and returns
 * undefined, so a reader carries on and reports every problem of a file at once.
 */
import type { Problem, ProblemCode } from '../model/problem.js';
import type { SourceLocation } from '../model/template.js';
import { parseDuration } from './duration.js';
import { closest, makeProblem, suggestion, type ProblemOptions } from './problems.js';
import { describeNode, toPlain, type YEntry, type YMap, type YNode } from './yamlTree.js';

/** Where problems go while reading one file. */
export class ReadContext {
  readonly problems: Problem[] = [];
  /** Template reference, once known, stamped on every problem. */
  template: string | undefined;
  constructor(readonly file: string) {}

  report(code: ProblemCode, message: string, at: SourceLocation | undefined, options: ProblemOptions = {}): void {
    this.problems.push(makeProblem(code, message, at, { template: this.template, ...options }));
  }
}

export class MapReader {
  private readonly byKey = new Map<string, YEntry>();

  /** `what` names the map in messages, e.g. "step `charge_payment`". */
  constructor(
    readonly ctx: ReadContext,
    readonly node: YMap,
    readonly what: string,
  ) {
    for (const e of node.entries) if (!this.byKey.has(e.key)) this.byKey.set(e.key, e);
  }

  /** Reads `node` as a map, or reports WRONG_TYPE and returns undefined. */
  static of(ctx: ReadContext, node: YNode, what: string, example = ''): MapReader | undefined {
    if (node.kind === 'map') return new MapReader(ctx, node, what);
    ctx.report('WRONG_TYPE', `${what} must be a map, got ${describeNode(node)}`, node.loc, example ? { hint: `write it as ${example}` } : {});
    return undefined;
  }

  get entries(): YEntry[] {
    return this.node.entries;
  }

  has(key: string): boolean {
    const e = this.byKey.get(key);
    return e !== undefined && !(e.value.kind === 'scalar' && e.value.value === null);
  }

  /** The value, or undefined when absent or explicitly null (`key:` with nothing after it). */
  value(key: string): YNode | undefined {
    return this.has(key) ? this.byKey.get(key)!.value : undefined;
  }

  /** Position of the value (or of the key when the value is empty, or of the map when absent). */
  loc(key: string): SourceLocation {
    const e = this.byKey.get(key);
    if (!e) return this.node.loc;
    return e.value.kind === 'scalar' && e.value.value === null ? e.keyLoc : e.value.loc;
  }

  keyLoc(key: string): SourceLocation {
    return this.byKey.get(key)?.keyLoc ?? this.node.loc;
  }

  /** The first of `keys` that is present (aliases such as depends_on / dependencies). */
  pick(...keys: string[]): string | undefined {
    return keys.find((k) => this.has(k));
  }

  wrongType(key: string, expected: string, example?: string): undefined {
    const node = this.value(key)!;
    this.ctx.report('WRONG_TYPE', `${this.what}: \`${key}\` must be ${expected}, got ${describeNode(node)}`, node.loc, example ? { hint: `for example ${key}: ${example}` } : {});
    return undefined;
  }

  missing(key: string, message = `${this.what} has no \`${key}\``, hint?: string): void {
    this.ctx.report('MISSING_FIELD', message, this.node.loc, hint ? { hint } : { hint: `add \`${key}:\`` });
  }

  string(key: string, options: { required?: boolean; example?: string } = {}): string | undefined {
    const node = this.value(key);
    if (!node) {
      if (options.required) this.missing(key);
      return undefined;
    }
    if (node.kind === 'scalar' && typeof node.value === 'string') return node.value;
    return this.wrongType(key, 'a string', options.example);
  }

  /** A string, or a number written as text (versions: `1.0` stays "1.0"). */
  text(key: string): string | undefined {
    const node = this.value(key);
    if (node?.kind === 'scalar' && typeof node.value === 'number') return node.source ?? String(node.value);
    return this.string(key);
  }

  number(key: string, options: { integer?: boolean; min?: number; max?: number; example?: string } = {}): number | undefined {
    const node = this.value(key);
    if (!node) return undefined;
    const v = node.kind === 'scalar' ? node.value : undefined;
    const { min, max } = options;
    const range = min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` ≥ ${min}` : max !== undefined ? ` ≤ ${max}` : '';
    const expected = `${options.integer ? 'an integer' : 'a number'}${range}`;
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.wrongType(key, expected, options.example);
    if ((options.integer && !Number.isInteger(v)) || (min !== undefined && v < min) || (max !== undefined && v > max)) {
      return this.wrongType(key, expected, options.example);
    }
    return v;
  }

  /** One of `allowed` (an enumeration such as `backoff`); anything else is WRONG_TYPE naming them. */
  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    const near = closest(value, allowed);
    this.ctx.report('WRONG_TYPE', `${this.what}: unknown \`${key}\` \`${value}\``, this.loc(key), {
      hint: `use one of ${allowed.join(', ')}${near ? ` (did you mean \`${near}\`?)` : ''}`,
    });
    return undefined;
  }

  boolean(key: string): boolean | undefined {
    const node = this.value(key);
    if (!node) return undefined;
    if (node.kind === 'scalar' && typeof node.value === 'boolean') return node.value;
    return this.wrongType(key, 'true or false');
  }

  /** A list of strings; a single string counts as a list of one. Items keep their positions. */
  stringList(key: string, example = '[a, b]'): { values: string[]; locs: SourceLocation[] } | undefined {
    const node = this.value(key);
    if (!node) return undefined;
    if (node.kind === 'scalar' && typeof node.value === 'string') return { values: [node.value], locs: [node.loc] };
    if (node.kind !== 'seq') return this.wrongType(key, 'a list of names', example);
    const values: string[] = [];
    const locs: SourceLocation[] = [];
    for (const item of node.items) {
      if (item.kind === 'scalar' && typeof item.value === 'string') {
        values.push(item.value);
        locs.push(item.loc);
      } else {
        this.ctx.report('WRONG_TYPE', `${this.what}: every item of \`${key}\` must be a name (string), got ${describeNode(item)}`, item.loc);
      }
    }
    return { values, locs };
  }

  map(key: string, example?: string): MapReader | undefined {
    const node = this.value(key);
    if (!node) return undefined;
    if (node.kind === 'map') return new MapReader(this.ctx, node, `${this.what}: \`${key}\``);
    return this.wrongType(key, 'a map', example);
  }

  /** A map's plain value (schemas, initialization, inputs). */
  plainObject(key: string, example?: string): Record<string, unknown> | undefined {
    const node = this.value(key);
    if (!node) return undefined;
    if (node.kind === 'map') return toPlain(node) as Record<string, unknown>;
    return this.wrongType(key, 'a map', example);
  }

  duration(key: string): number | undefined {
    const node = this.value(key);
    if (!node) return undefined;
    const raw = node.kind === 'scalar' ? node.value : toPlain(node);
    const parsed = parseDuration(raw);
    if (parsed.ok) return parsed.ms;
    this.ctx.report('BAD_DURATION', `${this.what}: \`${key}\`: ${parsed.message}`, node.loc);
    return undefined;
  }

  /**
   * Report keys that are neither `known` nor `ignored` (fields of other tools, e.g. tasker-core's
   * `publishes_events`, accepted silently) as UNKNOWN_FIELD warnings with a "did you mean".
   */
  checkKeys(known: readonly string[], ignored: readonly string[] = []): void {
    const ignore = new Set(ignored);
    const seen = new Set<string>();
    for (const e of this.node.entries) {
      if (seen.has(e.key)) {
        this.ctx.report('YAML_SYNTAX', `${this.what}: the key \`${e.key}\` appears twice; only the first counts`, e.keyLoc, { hint: 'remove one of them' });
        continue;
      }
      seen.add(e.key);
      if (known.includes(e.key) || ignore.has(e.key)) continue;
      const hint = suggestion(e.key, known, 'known fields');
      this.ctx.report('UNKNOWN_FIELD', `${this.what}: unknown field \`${e.key}\``, e.keyLoc, { severity: 'warning', ...(hint ? { hint } : {}) });
    }
  }
}
