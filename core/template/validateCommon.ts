/** What workflow and flow validation share: positions, handler lookups, schema checks. */
import type { Problem, ProblemCode } from '../model/problem.js';
import { templateRef, type JsonSchema, type SourceLocation, type Template } from '../model/template.js';
import { closest, makeProblem, type ProblemOptions } from './problems.js';
import { compileSchema } from '../model/jsonSchema.js';
import { locateInPlain } from './yamlTree.js';

export interface ValidateOptions {
  /**
   * When given, every handler name a template uses must be known: inline handlers of the
   * template first, then this lookup (the workspace's handler modules).
   */
  hasHandler?: (name: string) => boolean;
  /** Names of the known handlers, for "did you mean" hints. */
  handlerNames?: readonly string[];
}

/** Collects problems for one template, placing each at the most precise position known. */
export class Findings {
  readonly problems: Problem[] = [];
  private readonly ref: string;
  constructor(readonly template: Template) {
    this.ref = templateRef(template);
  }

  /** A position: the node's field, else the node, else the template's field, else the template. */
  where(node?: { loc?: SourceLocation; fieldLocs?: Record<string, SourceLocation> }, field?: string): Partial<SourceLocation> {
    const t = this.template;
    return (
      (field !== undefined ? node?.fieldLocs?.[field] : undefined) ??
      node?.loc ??
      (field !== undefined ? t.fieldLocs?.[field] : undefined) ??
      t.loc ??
      (t.source.file !== undefined ? { file: t.source.file } : {})
    );
  }

  add(code: ProblemCode, message: string, at: Partial<SourceLocation>, options: ProblemOptions = {}): void {
    this.problems.push(makeProblem(code, message, at, { template: this.ref, ...options }));
  }

  /** UNKNOWN_HANDLER when a lookup is given and neither the template nor the workspace has `name`. */
  handler(name: string, usedBy: string, at: Partial<SourceLocation>, options: ValidateOptions, node?: string): void {
    if (!options.hasHandler || name === '') return;
    if (this.template.inlineHandlers?.[name] !== undefined || options.hasHandler(name)) return;
    const near = options.handlerNames ? closest(name, options.handlerNames) : undefined;
    this.add('UNKNOWN_HANDLER', `${usedBy} uses handler \`${name}\`, which no module in handlers/ exports`, at, {
      ...(near ? { hint: `did you mean \`${near}\`? Otherwise export \`${name}\` from a module in handlers/` } : {}),
      ...(node !== undefined ? { node } : {}),
    });
  }

  schema(schema: JsonSchema | undefined, what: string, at: Partial<SourceLocation>): void {
    if (schema === undefined) return;
    const compiled = compileSchema(schema);
    if (compiled.ok) return;
    // Point at the offending keyword itself when the schema came from YAML.
    const inner = compiled.path ? locateInPlain(schema, compiled.path) : undefined;
    this.add('BAD_SCHEMA', `${what} is not a valid JSON Schema: ${compiled.message}`, inner ?? at);
  }
}
