import diagnostics_channel from 'node:diagnostics_channel';
import { describe, expect, it, vi } from 'vitest';
import { createEventBus } from '../../core/events/bus.js';
import { ALL_EVENTS_CHANNEL, diagnosticsChannelName } from '../../core/events/diagnostics.js';
import type { StepwiseEvent } from '../../core/model/events.js';

const ready = (seq: number, stepName = 'a'): StepwiseEvent => ({ seq, type: 'step.ready', taskId: 't1', stepName, at: 0, payload: {} });
const completed = (seq: number): StepwiseEvent => ({ seq, type: 'step.completed', taskId: 't1', stepName: 'a', at: 0, payload: { attempt: 1, results: { n: seq } } });

describe('createEventBus', () => {
  it('delivers each event to the listeners of its type and to onAny listeners, in order', () => {
    const bus = createEventBus({ diagnostics: false });
    const seen: string[] = [];
    bus.on('step.completed', (e) => seen.push(`completed:${e.seq}:${JSON.stringify(e.payload.results)}`));
    bus.on('step.ready', (e) => seen.push(`ready:${e.seq}`));
    bus.onAny((e) => seen.push(`any:${e.seq}`));
    bus.publish([ready(1), completed(2)]);
    expect(seen).toEqual(['ready:1', 'any:1', 'completed:2:{"n":2}', 'any:2']);
  });

  it('onBatch gets each published array once, after its per-event listeners; nested publishes follow it', () => {
    const bus = createEventBus({ diagnostics: false });
    const seen: string[] = [];
    bus.onAny((e) => {
      seen.push(`any:${e.seq}`);
      if (e.seq === 1) bus.publish([ready(3)]);
    });
    const batch = [ready(1), ready(2)];
    bus.onBatch((events) => {
      seen.push(`batch:${events.map((e) => e.seq).join(',')}`);
      if (events === batch) expect(events).toBe(batch); // the published array itself, not a copy
    });
    bus.publish(batch);
    bus.publish([]);
    expect(seen).toEqual(['any:1', 'any:2', 'batch:1,2', 'any:3', 'batch:3']);
  });

  it('a listener subscribed during a dispatch starts with the next event; one removed meanwhile is not called', () => {
    const bus = createEventBus({ diagnostics: false });
    const seen: string[] = [];
    let offLate = (): void => undefined;
    bus.onAny((e) => {
      seen.push(`first:${e.seq}`);
      if (e.seq === 1) bus.onAny((x) => seen.push(`added:${x.seq}`));
      if (e.seq === 2) offLate();
    });
    offLate = bus.onBatch((events) => seen.push(`batch:${events[0]!.seq}`));
    bus.publish([ready(1)]);
    bus.publish([ready(2)]);
    expect(seen).toEqual(['first:1', 'batch:1', 'first:2', 'added:2']);
  });

  it('unsubscribes, including a listener removed by another during the same event', () => {
    const bus = createEventBus({ diagnostics: false });
    const seen: string[] = [];
    let offB = (): void => undefined;
    const offA = bus.on('step.ready', () => {
      seen.push('a');
      offB();
    });
    offB = bus.on('step.ready', () => seen.push('b'));
    bus.publish([ready(1)]);
    offA();
    bus.publish([ready(2)]);
    expect(seen).toEqual(['a']);
  });

  it('a throwing listener is reported and breaks neither the publisher nor other listeners', () => {
    const errors: unknown[] = [];
    const bus = createEventBus({ diagnostics: false, onListenerError: (err, e) => errors.push([(err as Error).message, e.seq]) });
    const seen: number[] = [];
    bus.on('step.ready', () => {
      throw new Error('listener bug');
    });
    bus.onAny(() => {
      throw new Error('any bug');
    });
    bus.onAny((e) => seen.push(e.seq));
    expect(() => bus.publish([ready(1), ready(2)])).not.toThrow();
    expect(seen).toEqual([1, 2]);
    expect(errors).toEqual([['listener bug', 1], ['any bug', 1], ['listener bug', 2], ['any bug', 2]]);
  });

  it('by default a throwing listener becomes a process warning', () => {
    const spy = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const bus = createEventBus({ diagnostics: false });
      bus.onAny(() => {
        throw new Error('oops');
      });
      bus.publish([ready(7)]);
      expect(spy).toHaveBeenCalledWith(expect.stringContaining("'step.ready' (seq 7): oops"), 'StepwiseListenerWarning');
    } finally {
      spy.mockRestore();
    }
  });

  it('events published from inside a listener are delivered after the current ones, keeping order for everyone', () => {
    const bus = createEventBus({ diagnostics: false });
    const first: number[] = [];
    const second: number[] = [];
    bus.onAny((e) => {
      first.push(e.seq);
      if (e.seq === 1) bus.publish([ready(3)]);
    });
    bus.onAny((e) => second.push(e.seq));
    bus.publish([ready(1), ready(2)]);
    expect(first).toEqual([1, 2, 3]);
    expect(second).toEqual([1, 2, 3]);
  });
});

describe('diagnostics_channel bridge', () => {
  it('publishes on stepwise:<type> and stepwise:event when enabled (the default)', () => {
    const typed: unknown[] = [];
    const all: unknown[] = [];
    const onTyped = (m: unknown): void => void typed.push(m);
    const onAll = (m: unknown): void => void all.push(m);
    diagnostics_channel.subscribe(diagnosticsChannelName('step.completed'), onTyped);
    diagnostics_channel.subscribe(ALL_EVENTS_CHANNEL, onAll);
    try {
      createEventBus().publish([ready(1), completed(2)]);
      createEventBus({ diagnostics: false }).publish([completed(3)]);
    } finally {
      diagnostics_channel.unsubscribe(diagnosticsChannelName('step.completed'), onTyped);
      diagnostics_channel.unsubscribe(ALL_EVENTS_CHANNEL, onAll);
    }
    expect(typed).toEqual([completed(2)]);
    expect(all).toEqual([ready(1), completed(2)]);
    expect(diagnosticsChannelName('task.created')).toBe('stepwise:task.created');
  });
});
