/** An EngineContext over in-memory storage, for tests: every part injected, nothing global. */
import { ManualClock, type Clock } from '../model/clock.js';
import type { HandlerFn, Template } from '../model/template.js';
import type { HandlerEntry } from '../model/workspace.js';
import { MemoryStorage } from '../storage/memory.js';
import type { Storage } from '../storage/storage.js';
import type { EngineContext } from '../engine/context.js';
import { createEventBus } from '../events/bus.js';
import { createHandlerRegistry, createTemplateRegistry } from '../template/registry.js';

/** Handlers by name: a plain object of functions, or a loaded workspace's handler map. */
export type HandlerSource = Record<string, HandlerFn> | ReadonlyMap<string, HandlerEntry>;

export interface TestContextOptions {
  templates?: readonly Template[];
  handlers?: HandlerSource;
  clock?: Clock;
  storage?: Storage;
}

export function handlerMap(source: HandlerSource = {}): ReadonlyMap<string, HandlerEntry> {
  if (source instanceof Map) return source;
  return new Map(Object.entries(source as Record<string, HandlerFn>).map(([name, fn]) => [name, { name, fn, file: '' }]));
}

export function createTestContext(options: TestContextOptions = {}): EngineContext {
  return {
    storage: options.storage ?? new MemoryStorage(),
    clock: options.clock ?? new ManualClock(),
    bus: createEventBus({ diagnostics: false }),
    templates: createTemplateRegistry(options.templates ?? []),
    handlers: createHandlerRegistry(handlerMap(options.handlers)),
    owner: 'test',
    leaseMs: 30_000,
  };
}
