/** An EngineContext over in-memory storage, for tests: every part injected, nothing global. */
import { DEFAULT_LIMITS } from '../limits/index.js';
import { ManualClock, type Clock } from '../model/clock.js';
import type { Template } from '../model/template.js';
import { MemoryStorage } from '../storage/memory.js';
import type { Storage } from '../storage/storage.js';
import type { EngineContext } from '../engine/context.js';
import { createEventBus } from '../events/bus.js';
import { createHandlerRegistry, createTemplateRegistry, handlerMap, type HandlerSource } from '../template/registry.js';

export { handlerMap, type HandlerSource };


export interface TestContextOptions {
  templates?: readonly Template[];
  handlers?: HandlerSource;
  clock?: Clock;
  storage?: Storage;
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
    limits: DEFAULT_LIMITS,
  };
}
