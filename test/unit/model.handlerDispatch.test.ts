import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dispatchHandler, hasHandlerMethod, isHandlerExport, methodNames } from '../../core/model/handlerDispatch.js';
import type { HandlerFn } from '../../core/model/template.js';
import { loadWorkspace } from '../../core/template/workspace.js';

class Counter {
  count = 0;
  call() {
    this.count += 1;
    return this.count;
  }
  named() {
    return 'named';
  }
}
class Special extends Counter {
  extra() {
    return this.named() + '+';
  }
}

describe('dispatchHandler: tasker-core handler.method', () => {
  it('a plain function is called as it is, through `call` or no method', () => {
    const fn = (ctx: { n: number }) => ctx.n * 2;
    expect(dispatchHandler(fn, undefined)!({ n: 2 })).toBe(4);
    expect(dispatchHandler(fn, 'call')!({ n: 3 })).toBe(6);
    expect(dispatchHandler(fn, 'process')).toBeUndefined();
  });

  it('an object method is called with the object as `this`', () => {
    const obj = { factor: 3, call(ctx: { n: number }) { return ctx.n * this.factor; }, other() { return this.factor; } };
    expect(dispatchHandler(obj, undefined)!({ n: 2 })).toBe(6);
    expect(dispatchHandler(obj, 'other')!({})).toBe(3);
    expect(dispatchHandler(obj, 'missing')).toBeUndefined();
    expect(dispatchHandler({ other: () => 1 }, undefined)).toBeUndefined();
  });

  it('a class gets a new instance per call (no state leaks between attempts), inherited methods included', () => {
    const call = dispatchHandler(Counter, undefined)!;
    expect([call({}), call({})]).toEqual([1, 1]);
    expect(dispatchHandler(Special, 'extra')!({})).toBe('named+');
    expect(dispatchHandler(Counter, 'extra')).toBeUndefined();
  });

  it('method names come from the object or the class, never from getters or Object.prototype', () => {
    const obj = Object.defineProperty({ run() {} }, 'computed', { get: () => { throw new Error('a getter must not run'); }, enumerable: true });
    expect(methodNames(obj)).toEqual(['run']);
    expect(methodNames(Special).sort()).toEqual(['call', 'extra', 'named']);
    expect(hasHandlerMethod(obj, 'toString')).toBe(false);
    expect(hasHandlerMethod(Special, 'extra')).toBe(true);
  });

  it('what counts as a handler export', () => {
    expect([() => 1, Counter, { call() {} }].map(isHandlerExport)).toEqual([true, true, true]);
    expect([42, 'x', null, [() => 1], { retries: 3 }].map(isHandlerExport)).toEqual([false, false, false, false, false]);
  });
});

describe('handler modules export classes and objects', () => {
  const root = fileURLToPath(new URL('../fixtures/templates/workspaces/methods/', import.meta.url));

  it('registers classes and objects with methods, not constants; MISSING_METHOD points at the method', async () => {
    const ws = await loadWorkspace(root);
    expect([...ws.handlers.keys()].sort()).toEqual(['RefundHandler', 'notifier']);
    expect(ws.problems.map((p) => [p.code, p.line, p.col, p.node])).toEqual([['MISSING_METHOD', 15, 49, 'audit']]);
    const validate = dispatchHandler(ws.handlers.get('RefundHandler')!.fn, 'validate') as HandlerFn;
    expect(validate({ input: { amount: 5 } })).toEqual({ valid: true, calls: 1 });
    expect(validate({ input: { amount: 5 } })).toEqual({ valid: true, calls: 1 });
    expect(dispatchHandler(ws.handlers.get('notifier')!.fn, undefined)!({ input: { email: 'a@b.c' } })).toEqual({ sent: 'Refund sent to a@b.c' });
  });
});
