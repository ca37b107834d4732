/** Minimal data fetching for the workbench: latest request wins, errors kept for display. */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface RpcState<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  refetch: () => void;
}

export function useRpc<T>(fetch: (() => Promise<T>) | null, deps: readonly unknown[]): RpcState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(fetch !== null);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const refetch = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (!fetch) {
      setData(undefined);
      setLoading(false);
      return;
    }
    const mine = ++generation.current;
    setLoading(true);
    fetch().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== generation.current) return;
        setError(err instanceof Error ? err : new Error(String(err)));
        setLoading(false);
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { data, error, loading, refetch };
}

/** Calls `fn` at most once per `ms`, trailing: bursts of events cause one refetch. */
export function throttle(fn: () => void, ms: number): { run: () => void; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    run: () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        fn();
      }, ms);
    },
    cancel: () => {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
