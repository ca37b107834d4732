/** What workflow and flow validation share: positions, handler lookups, schema checks. */
import { DEFAULT_HANDLER_METHOD, hasHandlerMethod, isClass, methodNames } from '../model/handlerDispatch.js';
import { unstorableParts } from '../limits/json.js';
import { getOwn, RESERVED_NAMES } from '../model/ownKeys.js';
import type { Problem, ProblemCode } from '../model/problem.js';
import type { HandlerEntry } from '../model/workspace.js';
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
  /** The export a handler name stands for, so `handler.method` can be checked against its methods. */
  handlerExport?: (name: string) => unknown;
}

/** The lookups of a loaded workspace's handler map. */
export function handlerChecks(handlers: ReadonlyMap<string, HandlerEntry>): ValidateOptions {
  return { hasHandler: (name) => handlers.has(name), handlerNames: [...handlers.keys()], handlerExport: (name) => handlers.get(name)?.fn };
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

  /**
   * UNKNOWN_HANDLER when a lookup is given and neither the template nor the workspace has `name`;
   * MISSING_METHOD when it has it but cannot call it through `method` (tasker-core handler.method).
   */
  handler(name: string, usedBy: string, at: Partial<SourceLocation>, options: ValidateOptions, node?: string, method?: { name: string | undefined; at: Partial<SourceLocation> }): void {
    if (!options.hasHandler || name === '') return;
    const inline = getOwn(this.template.inlineHandlers, name);
    if (inline !== undefined || options.hasHandler(name)) {
      const value = inline ?? options.handlerExport?.(name);
      if (method && value !== undefined && !hasHandlerMethod(value, method.name)) this.missingMethod(name, usedBy, value, method, node);
      return;
    }
    const near = options.handlerNames ? closest(name, options.handlerNames) : undefined;
    this.add('UNKNOWN_HANDLER', `${usedBy} uses handler \`${name}\`, which no module in handlers/ exports`, at, {
      ...(near ? { hint: `did you mean \`${near}\`? Otherwise export \`${name}\` from a module in handlers/` } : {}),
      ...(node !== undefined ? { node } : {}),
    });
  }

  private missingMethod(name: string, usedBy: string, value: unknown, method: { name: string | undefined; at: Partial<SourceLocation> }, node?: string): void {
    const wanted = method.name ?? DEFAULT_HANDLER_METHOD;
    const methods = methodNames(value);
    const kind = isClass(value) ? 'a class' : typeof value === 'function' ? 'a function' : 'an object';
    const near = closest(wanted, methods);
    this.add('MISSING_METHOD', `${usedBy} calls \`${name}.${wanted}\`, but handler \`${name}\` (${kind}) has no method \`${wanted}\``, method.at, {
      hint: near
        ? `did you mean \`${near}\`?`
        : methods.length > 0
          ? `its methods: ${methods.join(', ')}; set handler.method to one of them`
          : typeof value === 'function'
            ? 'a plain function is called as it is: leave handler.method out'
            : `add a \`${wanted}\` method to the handler`,
      ...(node !== undefined ? { node } : {}),
    });
  }

  /**
   * The template's identity as tasker-core checks it: a MAJOR.MINOR.PATCH version, a namespace of
   * letters, digits and underscores starting with a letter or underscore (both also keep
   * `namespace/name@version` references unambiguous), and, for workflows, at most
   * `maxNamespaceLength` characters (tasker-core's queue names; a warning).
   */
  identity(options: { maxNamespaceLength?: number } = {}): void {
    const t = this.template;
    if (!/^\d+\.\d+\.\d+$/.test(t.version)) {
      this.add('BAD_VERSION', `version \`${t.version}\` is not MAJOR.MINOR.PATCH`, this.where(undefined, 'version'));
    }
    const ns = t.namespace;
    if (ns === '' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(ns)) {
      const why = ns === '' ? 'is empty' : /^[A-Za-z_]/.test(ns) ? 'has characters other than letters, digits and underscores' : 'does not start with a letter or an underscore';
      this.add('BAD_NAMESPACE', `namespace \`${ns}\` ${why}`, this.where(undefined, 'namespace'));
    } else if (options.maxNamespaceLength !== undefined && ns.length > options.maxNamespaceLength) {
      this.add('BAD_NAMESPACE', `namespace \`${ns}\` is ${ns.length} characters; tasker-core allows ${options.maxNamespaceLength}`, this.where(undefined, 'namespace'), { severity: 'warning' });
    }
  }

  /** RESERVED_NAME when a step, state or interaction is named like a member of Object.prototype. */
  name(name: string, noun: 'step' | 'state' | 'interaction', at: Partial<SourceLocation>): void {
    if (!RESERVED_NAMES.has(name)) return;
    this.add('RESERVED_NAME', `${noun} \`${name}\` has a name JavaScript objects already use (Object.prototype.${name}), so handlers could not tell it apart`, at, { node: name });
  }

  /** BAD_SCHEMA unless `schema` compiles; true when it does (or there is none). */
  schema(schema: JsonSchema | undefined, what: string, at: Partial<SourceLocation>): boolean {
    if (schema === undefined) return true;
    const proto = unstorableParts(schema).find((v) => v.path.endsWith('/__proto__'));
    if (proto || (Array.isArray(schema.required) && schema.required.includes('__proto__'))) {
      const inner = proto ? locateInPlain(schema, proto.path.slice(0, -'/__proto__'.length)) : undefined;
      this.add('BAD_SCHEMA', `${what} names a \`__proto__\` property; validators skip that key and inputs holding it are refused, so rename it`, inner ?? at);
      return false;
    }
    const compiled = compileSchema(schema);
    if (compiled.ok) return true;
    // Point at the offending keyword itself when the schema came from YAML.
    const inner = compiled.path ? locateInPlain(schema, compiled.path) : undefined;
    this.add('BAD_SCHEMA', `${what} is not a valid JSON Schema: ${compiled.message}`, inner ?? at);
    return false;
  }
}
