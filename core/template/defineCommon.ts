/** Shared by defineWorkflow and defineFlow: durations, inline handler naming, error reporting. */
import { StepwiseError } from '../model/errors.js';
import { setOwn } from '../model/ownKeys.js';
import type { Problem, ProblemCode } from '../model/problem.js';
import type { HandlerFn, SourceLocation } from '../model/template.js';
import { parseDuration } from './duration.js';
import { makeProblem } from './problems.js';

/** `"30s"`, `"24h"`, `"90d"`, or milliseconds. */
export type Duration = string | number;

export class DefinitionBuilder {
  readonly inlineHandlers: Record<string, HandlerFn> = {};
  private readonly problems: Problem[] = [];
  private current: { node?: string; site?: SourceLocation } | undefined;
  /** `site`: where the definition was called, so its problems point there (see callSite.ts). */
  constructor(
    private readonly what: string,
    readonly site?: SourceLocation,
  ) {}

  /** A handler given by name stays a name; a function is registered under `generatedName`. */
  handler(value: unknown, generatedName: string, usedBy: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'function') {
      setOwn(this.inlineHandlers, generatedName, value as HandlerFn);
      return generatedName;
    }
    this.fail('WRONG_TYPE', `${usedBy}: the handler must be a function or a handler name, got ${typeof value}`);
    return '';
  }

  duration(value: Duration | undefined, field: string): number | undefined {
    if (value === undefined) return undefined;
    const parsed = parseDuration(value);
    if (parsed.ok) return parsed.ms;
    this.fail('BAD_DURATION', `${field}: ${parsed.message}`);
    return undefined;
  }

  /**
   * A list field as given, or (JavaScript callers, loaded templates) a WRONG_TYPE problem and an
   * empty list: a malformed definition is refused with TEMPLATE_INVALID, never a TypeError.
   */
  list<T>(value: unknown, field: string): T[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return [...(value as T[])];
    this.fail('WRONG_TYPE', `${field} must be a list, got ${kindOf(value)}`);
    return [];
  }

  /** A list of names (dependencies, targets, states): non-strings are WRONG_TYPE problems and dropped. */
  names(value: unknown, field: string): string[] {
    const out: string[] = [];
    for (const v of this.list<unknown>(value, field)) {
      if (typeof v === 'string') out.push(v);
      else this.fail('WRONG_TYPE', `${field} must list names (strings), got ${kindOf(v)}`);
    }
    return out;
  }

  /** A map field (`states`, `interactions`) as given, or a WRONG_TYPE problem and no entries. */
  entries<T>(value: unknown, field: string): Array<[string, T]> {
    if (value === undefined || value === null) return [];
    if (typeof value === 'object' && !Array.isArray(value)) return Object.entries(value as Record<string, T>);
    this.fail('WRONG_TYPE', `${field} must be an object of named entries, got ${kindOf(value)}`);
    return [];
  }

  /** True for an object entry; otherwise reports WRONG_TYPE for `what`. */
  isObject(value: unknown, what: string): value is Record<string, unknown> {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return true;
    this.fail('WRONG_TYPE', `${what} must be an object, got ${kindOf(value)}`);
    return false;
  }

  /** A problem at `at` (a builder's call site), else at the definition's call site. */
  fail(code: ProblemCode, message: string, at: SourceLocation | undefined = this.current?.site ?? this.site): void {
    const node = this.current?.node;
    this.problems.push(makeProblem(code, `${this.what}: ${message}`, at, node !== undefined ? { node } : {}));
  }

  /**
   * Runs `build` for one step, state or interaction: its problems name `node` and point at `site`
   * (its builder call) when there is one, so the loader can place them on that node's line.
   */
  within<T>(node: string | undefined, site: SourceLocation | undefined, build: () => T): T {
    const outer = this.current;
    this.current = { ...(node !== undefined ? { node } : {}), ...(site ? { site } : {}) };
    try {
      return build();
    } finally {
      this.current = outer;
    }
  }

  /** Throws TEMPLATE_INVALID carrying the problems; the workspace loader reports them with the file. */
  finish(): void {
    if (this.problems.length === 0) return;
    throw new StepwiseError('TEMPLATE_INVALID', this.problems.map((p) => p.message).join('; '), { problems: this.problems });
  }

  /** `inlineHandlers` only when there are any, so name-only definitions equal their YAML twins. */
  inline(): { inlineHandlers?: Record<string, HandlerFn> } {
    return Object.keys(this.inlineHandlers).length > 0 ? { inlineHandlers: this.inlineHandlers } : {};
  }
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
}

/** Copies the defined (non-undefined) values of `fields` only, so models never hold `undefined` keys. */
export function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}
