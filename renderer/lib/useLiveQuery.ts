/**
 * One hook for "read a snapshot, then follow the events after it" (the pattern the task view,
 * the task list, the debug bar, the timeline, the inspector and the panels all need).
 *
 * `query` is a tRPC query (its options from useTRPC()); `fromSeq` says which event seq the
 * answer reflects: read from the answer itself when the host includes it, or `'at-fetch'` —
 * the hub's last seq when the request was sent (events the answer already reflects are then
 * seen again, so reducers must be idempotent, which advancing a state by events is). The
 * reducer advances the state by each later event, or returns REFETCH when an event changes
 * what events alone cannot describe (a new task in the list, an operation, a new batch worker):
 * the query is read again (throttled), and the new answer becomes the base.
 */
import { useEffect, useEffectEvent, useMemo, useState } from 'react';
import { useQuery, type QueryKey, type UseQueryOptions } from '@tanstack/react-query';
import type { StepwiseEvent } from '../../core/host/protocol.js';
import { useServices } from './context.js';

export const REFETCH: unique symbol = Symbol('refetch');
export type Refetch = typeof REFETCH;

export interface LiveReducer<T, S> {
  /** The state an answer starts from (pure; called during render, so pass a stable reducer). */
  init: (data: T) => S;
  /** The state after one event (pure), or REFETCH. */
  apply: (state: S, event: StepwiseEvent) => S | Refetch;
}

/** A reducer whose state is the answer itself and which reads again on the events `when` picks. */
export function refetchWhen<T>(when: (event: StepwiseEvent) => boolean): LiveReducer<T, T> {
  return { init: (data) => data, apply: (state, event) => (when(event) ? REFETCH : state) };
}

export type SeqSource<T> = ((data: T) => number) | 'at-fetch';

export interface LiveQueryResult<T, S> {
  /** The state: the last answer advanced by the events after it. */
  data: S | undefined;
  /** The last answer itself. */
  answer: T | undefined;
  error: unknown;
  isPending: boolean;
  refetch: () => void;
}

/** The hub seq at which each answer (by object identity) was asked for. */
const askedAt = new WeakMap<object, number>();

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tRPC's options carry DataTag'd keys and its own error type
type AnyQueryOptions<T> = UseQueryOptions<T, any, T, any>;

export function useLiveQuery<T, S = T>(query: AnyQueryOptions<T>, fromSeq: SeqSource<T>, reducer: LiveReducer<T, S>, options: { throttleMs?: number } = {}): LiveQueryResult<T, S> {
  const { hub } = useServices();
  const throttleMs = options.throttleMs ?? 200;
  const queryFn = query.queryFn;
  const q = useQuery<T, unknown, T, QueryKey>(
    fromSeq === 'at-fetch' && typeof queryFn === 'function'
      ? {
          ...query,
          queryFn: async (ctx) => {
            const seq = hub.lastSeq();
            const data = await queryFn(ctx);
            if (typeof data === 'object' && data !== null) askedAt.set(data, seq);
            return data;
          },
        }
      : query,
  );
  const { data, refetch: refetchQuery } = q;
  const { init } = reducer;
  const base = useMemo(() => (data === undefined ? undefined : init(data)), [data, init]);
  // Events applied on top of `base` (kept only while `base` is the answer they were applied to).
  const [advanced, setAdvanced] = useState<{ base: S; state: S } | null>(null);

  const seqOf = useEffectEvent((answer: T): number =>
    typeof fromSeq === 'function' ? fromSeq(answer) : ((typeof answer === 'object' && answer !== null ? askedAt.get(answer) : undefined) ?? hub.lastSeq()),
  );
  const apply = useEffectEvent((state: S, event: StepwiseEvent) => reducer.apply(state, event));
  const readAgain = useEffectEvent(() => void refetchQuery({ cancelRefetch: false }));

  useEffect(() => {
    if (data === undefined || base === undefined) return;
    const start: S = base;
    let current: S = start;
    let frame = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const later = () => {
      timer ??= setTimeout(() => {
        timer = null;
        readAgain();
      }, throttleMs);
    };
    // Many events may land in one frame (a fan-out finishing): render once per frame.
    const flush = () => {
      frame = 0;
      setAdvanced({ base: start, state: current });
    };
    const sub = hub.listen(seqOf(data), (event) => {
      const next = apply(current, event);
      if (next === REFETCH) return later();
      if (Object.is(next, current)) return;
      current = next;
      frame ||= requestAnimationFrame(flush);
    });
    // The hub no longer holds every event after the answer: only a new answer is complete.
    if (!sub.complete) later();
    return () => {
      sub.unsubscribe();
      if (timer) clearTimeout(timer);
      cancelAnimationFrame(frame);
    };
  }, [data, base, hub, throttleMs]);

  return {
    data: advanced !== null && advanced.base === base ? advanced.state : base,
    answer: data,
    error: q.error,
    isPending: q.isPending,
    refetch: () => void refetchQuery(),
  };
}
