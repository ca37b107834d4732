/** An EngineContext over in-memory storage, for tests: every part injected, nothing global. */
import { ManualClock, type Clock } from '../model/clock.js';
import type { Template } from '../model/template.js';
import { MemoryStorage } from '../storage/memory.js';
import type { Storage } from '../storage/storage.js';
import type { EngineContext } from '../engine/context.js';
import { simpleBus } from './bus.js';
import { listTemplateRegistry, mapHandlerRegistry, type HandlerSource } from './registries.js';

export interface TestContextOptions {
  templates?: readonly Template[];
  handlers?: HandlerSource;
  clock?: Clock;
  storage?: Storage;
}

export function createTestContext(options: TestContextOptions = {}): EngineContext & { clock: Clock } {
  return {
    storage: options.storage ?? new MemoryStorage(),
    clock: options.clock ?? new ManualClock(),
    bus: simpleBus(),
    templates: listTemplateRegistry(options.templates ?? []),
    handlers: mapHandlerRegistry(options.handlers),
    owner: 'test',
    leaseMs: 30_000,
  };
}
