/** Shared by defineWorkflow and defineFlow: durations, inline handler naming, error reporting. */
import { StepwiseError } from '../model/errors.js';
import type { Problem, ProblemCode } from '../model/problem.js';
import type { HandlerFn } from '../model/template.js';
import { parseDuration } from './duration.js';
import { makeProblem } from './problems.js';

/** `"30s"`, `"24h"`, `"90d"`, or milliseconds. */
export type Duration = string | number;

export class DefinitionBuilder {
  readonly inlineHandlers: Record<string, HandlerFn> = {};
  private readonly problems: Problem[] = [];
  constructor(private readonly what: string) {}

  /** A handler given by name stays a name; a function is registered under `generatedName`. */
  handler(value: unknown, generatedName: string, usedBy: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'function') {
      this.inlineHandlers[generatedName] = value as HandlerFn;
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

  fail(code: ProblemCode, message: string): void {
    this.problems.push(makeProblem(code, `${this.what}: ${message}`, undefined));
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

/** Copies the defined (non-undefined) values of `fields` only, so models never hold `undefined` keys. */
export function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}
