/**
 * What every part of the engine (workflow driver, flow driver, runner, operations) is given.
 * One object, built once by `createEngine`, so nothing reaches for globals: the clock, the
 * storage, the bus and the template/handler lookups are all injected.
 */
import type { Limits } from '../limits/index.js';
import type { Clock } from '../model/clock.js';
import type { HandlerFn, Template } from '../model/template.js';
import type { Storage } from '../storage/storage.js';
import type { EventBus } from '../events/types.js';

export interface TemplateRegistry {
  /** Resolve `namespace/name@version`, `namespace/name` (latest version) or `name`; throws TEMPLATE_NOT_FOUND. */
  resolve(ref: string): Template;
  list(): Template[];
}

export interface HandlerRegistry {
  /**
   * Inline handlers of the template first, then the workspace's handler modules; `method`
   * (tasker-core `handler.method`, default `call`) picks the method of an object or class handler.
   */
  get(name: string, template?: Template, method?: string): HandlerFn | undefined;
  /**
   * For worker-thread execution: the module file a handler came from, when it came from one
   * (none when the template defines the handler inline: the worker cannot load that one).
   */
  fileOf?(name: string, template?: Template): string | undefined;
}

export interface EngineContext {
  storage: Storage;
  clock: Clock;
  bus: EventBus;
  templates: TemplateRegistry;
  handlers: HandlerRegistry;
  /** Identifies this engine instance in leases and heartbeats. */
  owner: string;
  /** How long a running step's lease lasts before another engine may take it back. */
  leaseMs: number;
  /** Size limits on what tasks store (core/limits). */
  limits: Limits;
}
