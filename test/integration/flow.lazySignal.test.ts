/**
 * A flow action's abort signal is made only when something reads it: an AbortController (with
 * its event target) per action was a measurable part of a flow's dispatch, and most handlers
 * never look at `ctx.signal`. A handler that does read it gets a live signal.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../core/engine/engine.js';
import { MemoryStorage } from '../../core/storage/memory.js';
import { defineFlow } from '../../core/template/defineFlow.js';
import { action, result } from '../../core/template/flowBuilders.js';
import { createHandlerRegistry, createTemplateRegistry } from '../../core/template/registry.js';

const Original = globalThis.AbortController;
let made = 0;

afterEach(() => {
  globalThis.AbortController = Original;
});

/** Counts the AbortControllers made from now on (until afterEach puts the original back). */
function countControllers(): void {
  made = 0;
  globalThis.AbortController = class extends Original {
    constructor() {
      super();
      made++;
    }
  };
}

const seen: { aborted: boolean | null } = { aborted: null };

function flowOf(readsSignal: boolean) {
  return defineFlow({
    name: readsSignal ? 'reads_signal' : 'ignores_signal',
    namespace: 'test',
    startsWith: 'work',
    states: {
      work: action(
        (ctx) => {
          ctx.data.worked = true;
          if (readsSignal) seen.aborted = ctx.signal.aborted;
        },
        { goTo: 'done' },
      ),
      done: result(),
    },
  });
}

describe('a flow action\'s abort signal', () => {
  it.each([false, true])('is made only when the handler reads ctx.signal (reads it: %s)', async (readsSignal) => {
    const flow = flowOf(readsSignal);
    const engine = createEngine({ storage: new MemoryStorage(), templates: createTemplateRegistry([flow]), handlers: createHandlerRegistry(new Map()), executor: 'inline' });
    seen.aborted = null;
    try {
      countControllers();
      const task = await engine.flows.start(flow, {});
      await engine.runUntilIdle({ taskId: task.id });
      expect(await engine.storage.getTask(task.id)).toMatchObject({ status: 'complete', currentState: 'done', data: { worked: true } });
      // A live signal for the handler that looks at it; none made for the one that does not.
      expect(made).toBe(readsSignal ? 1 : 0);
      expect(seen.aborted).toBe(readsSignal ? false : null);
    } finally {
      globalThis.AbortController = Original;
      await engine.close();
    }
  });
});
