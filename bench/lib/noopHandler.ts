// The no-op handler of bench/isolation.bench.ts, loaded by path in worker threads.
export function noop(): null {
  return null;
}
